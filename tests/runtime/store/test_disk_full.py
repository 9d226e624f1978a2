"""A full disk: one clear error naming the file, a bounded log, reads that work, runs that resume.

The portable tests simulate a full disk with SQLite's ``max_page_count``; the tmpfs test fills
a real (small, temporary) file system, and needs root to mount it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gladier.cli import cli
from gladier.exc import StoreFull
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.store import Database
from tests.runtime.store.helpers import is_root

WAITING = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Grow"},
        "Grow": {
            "Type": "Pass",
            "Parameters": {"more.$": "$.payload", "again.$": "$.payload"},
            "ResultPath": "$.grown",
            "End": True,
        },
    },
}
WHAT = "storing run progress"


def grow_limit(db: Database, pages: int | None) -> None:
    with db.write() as conn:
        count = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {count if pages is None else count + pages}")


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry runs whose progress could not be stored after 50 ms instead of 0.5 s and more."""
    from gladier.runtime import engine

    monkeypatch.setattr(engine, "RETRY_DELAY", 0.05)
    monkeypatch.setattr(engine, "RETRY_MAX_DELAY", 0.1)


def store_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.getMessage().startswith(WHAT)
    ]


def start_waiting_runs(rt: Runtime, count: int) -> list[str]:
    flow = rt.create_flow("waits", WAITING)
    ids = [rt.run_flow(flow["id"], {"payload": "p" * 20_000})["run_id"] for _ in range(count)]
    for run_id in ids:  # each run is stored in its Wait state before the disk fills
        wait_for(lambda run_id=run_id: len(rt.get_run_logs(run_id)["entries"]) >= 2)
    return ids


def test_repeated_failures_are_logged_once_and_runs_resume(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gladier.runtime")
    clock = ManualClock()
    with Runtime(home=tmp_path / "home", clock=clock) as rt:
        ids = start_waiting_runs(rt, 5)
        grow_limit(rt.db, None)
        clock.advance(60)  # every run wakes and fails to store its next step
        engine = rt.context.running()
        assert engine is not None
        wait_for(lambda: engine.failures.total(WHAT) >= 3)
        assert len(store_errors(caplog)) == 1
        assert f"No space left on device writing {rt.db.path}" in store_errors(caplog)[0]
        assert {rt.get_run(i)["status"] for i in ids} == {"ACTIVE"}  # reads work
        grow_limit(rt.db, 100_000)
        for run_id in ids:
            assert rt.wait(run_id, timeout=60)["status"] == "SUCCEEDED"
    assert any(m.startswith(f"{WHAT} works again") for m in map(str, caplog.messages))


# --------------------------------------------------------------------------- a real full disk
@pytest.fixture
def small_tmpfs() -> Iterator[Path]:
    """A 4 MiB tmpfs on a temporary mount point, unmounted afterwards."""
    if not is_root():
        pytest.skip("mounting a tmpfs needs root; the max_page_count tests cover the logic")
    point = Path(tempfile.mkdtemp(prefix="gladier-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'mount failed'}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


def fill(mount: Path) -> Path:
    """Fill the file system up to the last byte."""
    filler = mount / "filler"
    with open(filler, "wb", buffering=0) as handle:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * chunk)
    return filler


def test_a_real_full_disk(small_tmpfs: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gladier.runtime")
    home = small_tmpfs / "home"
    clock = ManualClock()
    runner = CliRunner()
    with Runtime(home=home, clock=clock) as rt:
        ids = start_waiting_runs(rt, 3)
        flow_id = rt.list_flows()["flows"][0]["id"]
        # An empty log, so that every write needs new space on the file system.
        conn = sqlite3.connect(home / "runtime.db")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        filler = fill(small_tmpfs)
        with pytest.raises(StoreFull) as caught:
            rt.run_flow(flow_id, {"payload": "q" * 20_000})
        assert f"No space left on device writing {home / 'runtime.db'}" in str(caught.value)
        clock.advance(60)
        engine = rt.context.running()
        assert engine is not None
        wait_for(lambda: engine.failures.total(WHAT) >= 3)
        assert len(store_errors(caplog)) == 1

        listed = runner.invoke(cli, ["--home", str(home), "runs", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        assert sorted(r["run_id"] for r in json.loads(listed.stdout)) == sorted(ids)

        definition = small_tmpfs / "flow.json"
        filler.unlink()  # room for the definition file only, then full again
        definition.write_text(json.dumps(WAITING))
        filler = fill(small_tmpfs)
        created = runner.invoke(cli, ["--home", str(home), "flows", "create", str(definition)])
        assert created.exit_code == 1
        assert f"Error: No space left on device writing {home / 'runtime.db'}" in created.output
        assert "Unexpected error" not in created.output and "report it" not in created.output

        filler.unlink()  # space is back: the runs finish
        for run_id in ids:
            assert rt.wait(run_id, timeout=60)["status"] == "SUCCEEDED"


def test_a_full_disk_with_no_runtime_open_is_a_clear_error(small_tmpfs: Path) -> None:
    home = small_tmpfs / "home"
    with Runtime(home=home) as rt:
        rt.create_flow("t", WAITING)
    fill(small_tmpfs)  # closed cleanly: opening needs room for SQLite's -shm index
    result = CliRunner().invoke(cli, ["--home", str(home), "runs", "list"])
    assert result.exit_code == 1
    assert f"Error: No space left on device writing {home / 'runtime.db'}" in result.output
    assert "Unexpected error" not in result.output
