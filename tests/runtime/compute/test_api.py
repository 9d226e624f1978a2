"""The Runtime's compute methods, and what importing the runtime costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gladier.runtime import Runtime
from gladier.runtime.compute import DEFAULT_ENDPOINT_ID

HEAVY = ("dill", "dask", "distributed", "parsl", "globus_compute_sdk")

IMPORT_CHECK = """
import sys
import gladier
import gladier.runtime
from gladier.runtime import Runtime
rt = Runtime(home=sys.argv[1])
rt.open()
rt.list_endpoints()
rt.close()
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_importing_and_opening_the_runtime_loads_no_heavy_library(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK.format(heavy=HEAVY), str(tmp_path / "home")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""


def test_the_compute_methods_are_runtime_methods(rt: Runtime) -> None:
    for name in (
        "register_function",
        "get_function",
        "list_functions",
        "delete_function",
        "create_endpoint",
        "get_endpoint",
        "list_endpoints",
        "update_endpoint",
        "delete_endpoint",
        "map_endpoint",
        "unmap_endpoint",
        "get_endpoint_status",
    ):
        assert callable(getattr(rt, name)), name
    assert rt.get_endpoint_status(DEFAULT_ENDPOINT_ID)["status"] == "online"


def test_a_runtime_that_never_ran_a_task_starts_no_process(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        rt.register_function(_identity)
        assert rt.get_endpoint_status("default")["details"]["worker_pids"] == []


def _identity(x: object) -> object:
    return x
