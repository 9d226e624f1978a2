"""The published Gladier 0.11 and the globus CLI, unchanged, against ``gladier server``.

Each needs its own venv (``python tests/external/server_peers.py --setup``); skipped without
it, as in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("starlette")

from tests.external import server_peers


@pytest.mark.timeout(300)
def test_gladier_011_two_tool_client_reaches_succeeded(tmp_path: Path) -> None:
    if not server_peers.venv_python(server_peers.GLADIER_VENV).exists():
        pytest.skip(f"no Gladier 0.11 venv at {server_peers.GLADIER_VENV}")
    result = server_peers.check_gladier011(tmp_path)
    assert result["status"] == "SUCCEEDED"
    assert result["double"] == [42] and result["describe"] == ["x is 21"]


@pytest.mark.timeout(300)
def test_globus_cli_lists_flows_shows_and_starts_a_run(tmp_path: Path) -> None:
    if not server_peers.venv_python(server_peers.CLI_VENV).exists():
        pytest.skip(f"no globus CLI venv at {server_peers.CLI_VENV}")
    result = server_peers.check_globus_cli(tmp_path)
    assert result["flows_listed"] == ["shown by the globus CLI"]
    assert result["run_shown"] == "SUCCEEDED"
    assert result["run_started"] is True
