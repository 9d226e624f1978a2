"""benchmarks/server.py works end to end (a quick run; its numbers are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("globus_sdk")

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "server.py"


@pytest.mark.timeout(300)
def test_a_quick_run_reports_latency_and_throughput() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for text in ("in-process      p50", "HTTP/globus-sdk p50", "HTTP adds", "runs started per"):
        assert text in done.stdout
