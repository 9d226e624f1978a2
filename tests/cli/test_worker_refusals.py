"""`gladier worker --detach` refuses a store the worker would refuse, instead of reporting a
worker started that exits at once (its error only in worker.log)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke


def test_worker_detach_on_an_empty_store_is_refused_at_once(
    gladier: Invoke, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "runtime.db").write_bytes(b"")
    result = gladier("--home", str(home), "worker", "--detach")
    assert result.exit_code == 1, result.output
    assert f"The runtime store {home / 'runtime.db'} is empty (0 bytes)" in result.stderr
    assert "Started a background worker" not in result.output
    assert not (home / "worker.log").exists()  # no worker was started
