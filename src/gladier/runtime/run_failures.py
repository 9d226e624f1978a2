"""How many actions FAILED in runs that went on, counted in the store without reading whole logs.

A visit of an Action state whose ``<Type>Completed`` event reports the action's FAILED status
document (``ExceptionOnActionFailure`` false: the run went on) is a *failed action*; this is
what :meth:`gladier.progress.RunProgress.failed_actions` lists after folding the whole log.
:func:`failed_action_counts` gives the same count from SQL: one scan of the runs' event keys
picks the completions whose output is a FAILED action document (``json_extract`` in SQLite,
no event decoded in Python), so a run without one costs no decoding however long its log is.
Only for a run that has such a completion are the Started and Completed events of the states
concerned read (their names and types, not the state copies they carry) to tell which
visit each completion belongs to, as the progress model does.

Example::

    counts = failed_action_counts(rt.db.read(), ["r1", "r2"])
    counts["r1"]      # 0, 2, ... or None when only the whole log can tell (see below)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.runtime.run_log import details_text

if TYPE_CHECKING:
    import sqlite3

__all__ = ["failed_action_counts", "is_failed_action_document"]

#: Runs asked about per statement (well under SQLite's limit on bound parameters).
RUNS_PER_QUERY = 200

#: An event's details as JSON that SQLite can read: the whole text for a row whose value is
#: inline or stored as is; for a patched value (a state copy) the text around it, the value
#: standing in as ``null`` (its top-level keys are read from the patch and its base).
_WHOLE = (
    "CASE WHEN e.value_id IS NULL THEN e.details "
    "WHEN v.patch IS NULL THEN e.details || v.body || coalesce(e.tail, '') END"
)
_AROUND = "e.details || 'null' || coalesce(e.tail, '')"

#: A patched value's top-level ``key`` (the patch's when it sets the key, else its base's).
_PATCHED_KEY = (
    "CASE WHEN json_type(v.patch, '$.{key}') IS NOT NULL THEN json_extract(v.patch, '$.{key}') "
    "ELSE json_extract(b.body, '$.{key}') END"
)

#: Completions whose output may be a FAILED action document, and FlowFailed events (the
#: progress model may then place a completion in a visit of its own making). For a row whose
#: value is not patched the test is exact; a patched one is kept when either the value or the
#: text around it says FAILED, and decoded to be sure.
_CANDIDATES = f"""
SELECT e.run_id, e.seq, e.code, e.details, v.body, e.tail, v.patch, b.body
FROM events e
LEFT JOIN state_values v ON v.id = e.value_id
LEFT JOIN state_values b ON b.id = v.base_id
WHERE e.run_id IN ({{marks}})
  AND (
    e.code = 'FlowFailed'
    OR (
      substr(e.code, -9) = 'Completed'
      AND (
        (
          v.patch IS NULL
          AND json_extract({_WHOLE}, '$.output.status') = 'FAILED'
          AND json_type({_WHOLE}, '$.output.action_id') IS NOT NULL
        )
        OR (
          v.patch IS NOT NULL
          AND (
            {_PATCHED_KEY.format(key="status")} = 'FAILED'
            OR json_extract({_AROUND}, '$.output.status') = 'FAILED'
          )
        )
      )
    )
  )
ORDER BY e.run_id, e.seq
"""

#: The Started and Completed events of a run's states named in ``names``: their seq, code,
#: and the JSON type and value of their state name and state type (read around any stored
#: value: a state copy is neither read nor parsed).
_VISIT_EVENTS = """
SELECT seq, code, json_extract(j, '$.state_name'), json_extract(j, '$.state_type'),
       json_type(j, '$.state_type')
FROM (
  SELECT e.seq, e.code,
         CASE WHEN e.value_id IS NULL THEN e.details
              ELSE e.details || 'null' || coalesce(e.tail, '') END AS j
  FROM events e
  WHERE e.run_id = ?
    AND ((substr(e.code, -7) = 'Started' AND e.code != 'FlowStarted')
         OR substr(e.code, -9) = 'Completed')
)
WHERE json_type(j, '$.state_name') = 'text' AND json_extract(j, '$.state_name') IN ({marks})
ORDER BY seq
"""


def is_failed_action_document(document: Any) -> bool:
    """Whether a state's output is an action's status document saying FAILED.

    Example::

        >>> is_failed_action_document({"action_id": "a1", "status": "FAILED"})
        True
        >>> is_failed_action_document({"status": "FAILED"})   # not an action's document
        False
    """
    return (
        isinstance(document, Mapping)
        and document.get("status") == "FAILED"
        and "action_id" in document
    )


def failed_action_counts(conn: sqlite3.Connection, run_ids: Iterable[str]) -> dict[str, int | None]:
    """``{run_id: how many of its actions FAILED while it went on}`` for each of ``run_ids``.

    The count is that of ``read_progress(rt, run_id).failed_actions()``. A run whose log has
    no completion reporting a FAILED action costs one look at its event keys; the others
    read only the Started and Completed events of the states concerned. ``None`` means only
    the whole log can tell (a run with both such a completion and a ``FlowFailed`` event,
    which no run that SUCCEEDED has). A run not in the store counts 0.

    Example::

        failed_action_counts(rt.db.read(), [run["run_id"] for run in page])   # {'r1': 0, ...}
    """
    wanted = list(dict.fromkeys(run_ids))
    counts: dict[str, int | None] = dict.fromkeys(wanted, 0)
    failures: dict[str, dict[int, str]] = {}
    flow_failed: set[str] = set()
    for start in range(0, len(wanted), RUNS_PER_QUERY):
        chunk = wanted[start : start + RUNS_PER_QUERY]
        sql = _CANDIDATES.format(marks=", ".join("?" * len(chunk)))
        for run_id, seq, code, *parts in conn.execute(sql, chunk):
            if code == "FlowFailed":
                flow_failed.add(run_id)
                continue
            name = _failed_completion(*parts)
            if name is not None:
                failures.setdefault(run_id, {})[int(seq)] = name
    for run_id, completions in failures.items():
        if run_id in flow_failed:
            counts[run_id] = None
        else:
            counts[run_id] = _count_visits(conn, run_id, completions)
    return counts


def _failed_completion(
    head: str, body: str | None, tail: str | None, patch: str | None, base: str | None
) -> str | None:
    """The state name of a completion whose output is a FAILED action document, else None."""
    details = json.loads(details_text(head, body, tail, patch, base))
    if not isinstance(details, Mapping):
        return None
    name = details.get("state_name")
    if not isinstance(name, str) or not is_failed_action_document(details.get("output")):
        return None
    return name


def _count_visits(conn: sqlite3.Connection, run_id: str, completions: Mapping[int, str]) -> int:
    """How many visits end with one of ``completions`` (``{seq: state name}``), folding the
    Started and Completed events of those states as the progress model does: a Started event
    opens a visit of its state (of type ``state_type``, else the code's prefix), a Completed
    event sets whether the latest visit of its state is an Action whose action FAILED."""
    names: Sequence[str] = sorted(set(completions.values()))
    sql = _VISIT_EVENTS.format(marks=", ".join("?" * len(names)))
    latest: dict[str, list[Any]] = {}  # name -> [type, failed] of its latest visit
    visits: list[list[Any]] = []
    for seq, code, name, type_value, type_kind in conn.execute(sql, [run_id, *names]):
        if code.endswith("Started"):
            kind = _json_value(type_value, type_kind)
            visit = [str(kind or code[: -len("Started")]), False]
            latest[name] = visit
            visits.append(visit)
        elif name in latest:
            visit = latest[name]
            visit[1] = visit[0] == "Action" and int(seq) in completions
    return sum(1 for _kind, failed in visits if failed)


def _json_value(value: Any, kind: str | None) -> Any:
    """The Python value of what ``json_extract`` gave for a value of JSON type ``kind``."""
    if kind in ("object", "array"):
        return json.loads(value)
    if kind in ("true", "false"):
        return kind == "true"
    return value
