"""Versioned schema migrations of the runtime store.

Each entry is applied once, in order, inside one transaction, and recorded in ``PRAGMA
user_version``. Never edit a released migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: flows, runs, events, owners (leases), definitions
    """
    CREATE TABLE flows (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        doc TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE definitions (
        id TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        input_schema TEXT
    );
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        flow_id TEXT NOT NULL,
        definition_id TEXT NOT NULL,
        status TEXT NOT NULL,
        label TEXT,
        meta TEXT NOT NULL,
        state TEXT NOT NULL,
        current TEXT,
        phase TEXT NOT NULL,
        wake_at REAL,
        action TEXT,
        owner TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        event_seq INTEGER NOT NULL DEFAULT 0,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        released INTEGER NOT NULL DEFAULT 0,
        start_time TEXT NOT NULL,
        completion_time TEXT
    );
    CREATE INDEX runs_by_status ON runs(status);
    CREATE INDEX runs_by_flow ON runs(flow_id);
    CREATE INDEX runs_by_start ON runs(start_time);
    CREATE TABLE events (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time TEXT NOT NULL,
        code TEXT NOT NULL,
        description TEXT NOT NULL,
        details TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE owners (
        owner TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_start TEXT,
        expires REAL NOT NULL
    );
    """,
    # 2: compute: functions (stored by value), endpoints and their aliases, compute actions and
    # their tasks (so a runtime process that takes a run over finds its action)
    """
    CREATE TABLE compute_functions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        checksum TEXT NOT NULL,
        serializer TEXT NOT NULL,
        code BLOB NOT NULL,
        source TEXT,
        python_version TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX compute_functions_by_checksum ON compute_functions(checksum);
    CREATE TABLE compute_endpoints (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        executor TEXT NOT NULL,
        config TEXT NOT NULL,
        description TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    INSERT INTO compute_endpoints(id, name, executor, config, description, created_at, updated_at)
    VALUES ('bd06cbfe-4e60-5087-b88d-36c8bebdec5a', 'default', 'process', '{}',
            'The default local endpoint: a warm pool of worker processes',
            '1970-01-01T00:00:00+00:00', '1970-01-01T00:00:00+00:00');
    CREATE TABLE compute_endpoint_aliases (
        alias TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL REFERENCES compute_endpoints(id) ON DELETE CASCADE
    );
    CREATE TABLE compute_actions (
        action_id TEXT PRIMARY KEY,
        request_id TEXT UNIQUE,
        run_id TEXT,
        state_name TEXT,
        status TEXT NOT NULL,
        canceled INTEGER NOT NULL DEFAULT 0,
        request TEXT NOT NULL,
        notes TEXT NOT NULL,
        owner TEXT,
        owner_host TEXT,
        owner_pid INTEGER,
        owner_pid_start TEXT,
        start_time TEXT NOT NULL,
        completion_time TEXT,
        completed_at REAL
    );
    CREATE INDEX compute_actions_by_status ON compute_actions(status);
    CREATE TABLE compute_tasks (
        action_id TEXT NOT NULL REFERENCES compute_actions(action_id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        task_id TEXT NOT NULL,
        endpoint_id TEXT NOT NULL,
        requested_endpoint TEXT NOT NULL,
        function_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        result TEXT,
        error TEXT,
        submissions INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (action_id, idx)
    ) WITHOUT ROWID;
    """,
    # 3: transfer collections and tasks (so another process resumes an abandoned transfer),
    # search indexes and their entries (the FTS5 table is made by search/index.py, so that a
    # Python whose SQLite lacks FTS5 still opens the store)
    """
    CREATE TABLE collections (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        root TEXT NOT NULL,
        home TEXT NOT NULL DEFAULT '/',
        created_at TEXT NOT NULL
    );
    CREATE TABLE transfer_tasks (
        action_id TEXT PRIMARY KEY,
        request_id TEXT UNIQUE,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        request TEXT NOT NULL,
        doc TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_start TEXT,
        token TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX transfer_tasks_by_status ON transfer_tasks(status);
    CREATE TABLE search_indexes (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE search_entries (
        id INTEGER PRIMARY KEY,
        index_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        content TEXT NOT NULL,
        visible_to TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (index_id, subject, entry_id)
    );
    """,
    # 4: a flow revision counter, so a process can tell cheaply that a flow changed
    """
    ALTER TABLE flows ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    """,
    # 5: what a compute task printed (the last 64 KB of its stdout and of its stderr)
    """
    ALTER TABLE compute_tasks ADD COLUMN stdout TEXT;
    ALTER TABLE compute_tasks ADD COLUMN stderr TEXT;
    """,
    # 6: the store's own records: a marker that says this file is a Gladier store, and whether
    # it was closed cleanly (so a write-ahead log that went missing is noticed)
    """
    CREATE TABLE store (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO store(key, value) VALUES ('marker', 'gladier-runtime-store'), ('clean', '1');
    """,
    # 7: costs that stay flat as the store grows. Each large value of a run (its state, an
    # event's state copy) is written once per commit to state_values and referred to by id
    # from events (details = details || body || tail) and from runs (state_id). Indexes serve
    # the list filters and orders, the takeover scan (unfinished runs by owner) and pruning.
    # A value may also be a patch: the object at base_id with the top-level keys of patch set
    # (body is then ''), so a state that grows by a key a step is not written whole each step.
    """
    CREATE TABLE state_values (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        body TEXT NOT NULL,
        base_id INTEGER,
        patch TEXT
    );
    CREATE INDEX state_values_by_run ON state_values(run_id);
    ALTER TABLE events ADD COLUMN value_id INTEGER;
    ALTER TABLE events ADD COLUMN tail TEXT;
    ALTER TABLE runs ADD COLUMN state_id INTEGER;
    CREATE INDEX runs_unfinished_by_owner ON runs(owner) WHERE status IN ('ACTIVE', 'INACTIVE');
    DROP INDEX runs_by_flow;
    CREATE INDEX runs_by_flow_start ON runs(flow_id, start_time);
    CREATE INDEX runs_by_status_start ON runs(status, start_time);
    CREATE INDEX runs_by_label_start ON runs(label, start_time);
    CREATE INDEX runs_by_status_completion ON runs(status, completion_time);
    CREATE INDEX runs_by_completion ON runs(completion_time);
    CREATE INDEX runs_by_label ON runs(label);
    CREATE INDEX compute_actions_by_run ON compute_actions(run_id);
    """,
    # 8: events appended in the order they are written. Keyed by (run_id, seq) with random
    # run ids, each run's new events landed on a different full-size page of the table, so a
    # commit wrote more pages the larger the store. As a rowid table its rows go at the end
    # and only the small entries of the unique (run_id, seq) index land at random. The
    # columns are the same; existing events are copied (in their old order) in this migration.
    """
    CREATE TABLE events_appended (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time TEXT NOT NULL,
        code TEXT NOT NULL,
        description TEXT NOT NULL,
        details TEXT NOT NULL,
        value_id INTEGER,
        tail TEXT
    );
    INSERT INTO events_appended(run_id, seq, time, code, description, details, value_id, tail)
    SELECT run_id, seq, time, code, description, details, value_id, tail
    FROM events ORDER BY run_id, seq;
    DROP TABLE events;
    ALTER TABLE events_appended RENAME TO events;
    CREATE UNIQUE INDEX events_by_run_seq ON events(run_id, seq);
    """,
]
