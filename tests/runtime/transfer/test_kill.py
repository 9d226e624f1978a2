"""A transfer killed midway (SIGKILL) never leaves a partial file under the final name, and
the next process that asks for the task starts it again and finishes it."""

from __future__ import annotations

import hashlib
import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from gladier.runtime.store import Database
from gladier.runtime.transfer.copy import is_part_file
from gladier.runtime.transfer.service import TransferService

from .conftest import Waiter

SIZE = 24 << 20

WORKER = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from gladier.runtime.store import Database
    from gladier.runtime.transfer.requests import parse_transfer
    from gladier.runtime.transfer.service import TransferService

    home, src, dst = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    db = Database(home / "runtime.db")
    db.open()
    service = TransferService(db, home, chunk_size=1 << 20)
    hold = threading.Event()

    def on_progress(event):
        if event["bytes_transferred"] > 0:
            print("progress", event["action_id"], flush=True)
            hold.wait()          # park the copy mid-file until the parent kills us

    service.subscribe(on_progress)
    body = {"source_endpoint": src, "destination_endpoint": dst,
            "DATA": [{"source_path": "/big.bin", "destination_path": "/big.bin"}]}
    service.submit({"request_id": "run-1:Transfer:7", "body": body},
                   parse_transfer(body, legacy=False))
    hold.wait()
    """
)


_pending: dict[int, bytes] = {}


def read_line(proc: subprocess.Popen[str], timeout: float = 60) -> str:
    """The next line the worker printed (waits on the pipe itself: no buffered readline)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = _pending.pop(fd, b"")
    while b"\n" not in data:
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, "the worker did not report progress in time"
        chunk = os.read(fd, 4096)
        assert chunk, "the worker exited early"
        data += chunk
    line, _, rest = data.partition(b"\n")
    _pending[fd] = rest
    return line.decode().strip()


def test_sigkill_midway_leaves_no_partial_file_and_the_task_resumes(tmp_path: Path) -> None:
    home, src_root, dst_root = tmp_path / "home", tmp_path / "src", tmp_path / "dst"
    src_root.mkdir()
    dst_root.mkdir()
    data = os.urandom(SIZE)
    (src_root / "big.bin").write_bytes(data)
    (dst_root / "big.bin").write_bytes(b"version 1")
    db = Database(home / "runtime.db")
    db.open()
    setup = TransferService(db, home)
    src = setup.collections.create(src_root)["id"]
    dst = setup.collections.create(dst_root)["id"]
    setup.close()

    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(home), src, dst], stdout=subprocess.PIPE, text=True
    )
    try:
        word, action_id = read_line(proc).split()
        assert word == "progress"
        partial = [p for p in dst_root.iterdir() if is_part_file(p.name)]
        assert len(partial) == 1 and 0 < partial[0].stat().st_size < SIZE
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    # The final name still holds the previous version: never a truncated copy.
    assert (dst_root / "big.bin").read_bytes() == b"version 1"

    # Another process (here: a new service) asks for the task: it is started again, here.
    waiter = Waiter()
    service = TransferService(db, home)
    service.attach(waiter.notify)
    try:
        doc = service.status(action_id)
        assert doc["status"] == "ACTIVE"
        waiter.wait(action_id, timeout=60)
        final = service.status(action_id)
        assert final["status"] == "SUCCEEDED", final
        assert final["details"]["files_transferred"] == 1
        again = service._known_request({"request_id": "run-1:Transfer:7"})
        assert again is not None and again["action_id"] == action_id
    finally:
        service.close()
        db.close()
    written = (dst_root / "big.bin").read_bytes()
    assert hashlib.sha256(written).digest() == hashlib.sha256(data).digest()
    assert [p.name for p in dst_root.iterdir()] == ["big.bin"]  # leftovers removed


FLOW_WORKER = textwrap.dedent(
    """
    import os, sys, threading
    from gladier.runtime import Runtime

    home, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    rt = Runtime(home=home, options={"extra": {"transfer_chunk_size": 1 << 20}})
    hold = threading.Event()

    def on_progress(event):
        if event["bytes_transferred"] > 0:
            os.write(1, b"progress\\n")  # one write: the main thread prints too
            hold.wait()

    rt.on_transfer_progress(on_progress)
    definition = {"StartAt": "Transfer", "States": {"Transfer": {
        "Type": "Action", "ActionUrl": "https://transfer.actions.globus.org/transfer",
        "Parameters": {"source_endpoint": src, "destination_endpoint": dst,
                       "DATA": [{"source_path": "/big.bin", "destination_path": "/big.bin"}]},
        "ResultPath": "$.Transfer", "End": True}}}
    flow = rt.create_flow("kill me", definition)
    run_id = rt.run_flow(flow["id"], {})["run_id"]
    os.write(1, f"run {run_id}\\n".encode())
    hold.wait()
    """
)


def test_a_flow_waiting_on_a_killed_transfer_is_finished_by_the_next_process(
    tmp_path: Path,
) -> None:
    from gladier.runtime import Runtime

    home, src_root, dst_root = tmp_path / "home", tmp_path / "src", tmp_path / "dst"
    src_root.mkdir()
    dst_root.mkdir()
    data = os.urandom(SIZE)
    (src_root / "big.bin").write_bytes(data)
    with Runtime(home=home) as rt:
        src = rt.create_collection(src_root)["id"]
        dst = rt.create_collection(dst_root)["id"]
    script = tmp_path / "flow_worker.py"
    script.write_text(FLOW_WORKER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(home), src, dst], stdout=subprocess.PIPE, text=True
    )
    try:
        lines = [read_line(proc), read_line(proc)]
        assert sorted(line.split()[0] for line in lines) == ["progress", "run"], lines
        run_id = next(line.split()[1] for line in lines if line.startswith("run "))
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
        assert proc.stdout is not None
        proc.stdout.close()
    assert not (dst_root / "big.bin").exists()
    with Runtime(home=home, options={"poll_initial_interval": 0.01}) as rt:
        rt.recover()
        done = rt.wait(run_id, timeout=60)
    assert done["status"] == "SUCCEEDED", done["details"]
    assert (dst_root / "big.bin").read_bytes() == data
