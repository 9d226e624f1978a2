"""The dashboard's web libraries load only when the dashboard is imported."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_import_gladier_loads_no_web_library() -> None:
    loaded = modules_after("import gladier\nimport gladier.server")
    for name in ("starlette", "uvicorn", "jinja2", "gladier.server.dashboard"):
        assert name not in loaded


def test_the_dashboard_loads_starlette() -> None:
    assert "starlette" in modules_after("from gladier.server.dashboard import create_dashboard")
