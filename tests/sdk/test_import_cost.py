"""``import gladier`` stays light: no pydantic, no flow generation until asked for."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_import_gladier_does_not_import_pydantic() -> None:
    loaded = modules_after("import gladier")
    assert "pydantic" not in loaded
    assert "gladier.flowgen" not in loaded


def test_tools_and_decorator_do_not_need_pydantic() -> None:
    loaded = modules_after("from gladier import GladierBaseTool, generate_flow_definition")
    assert "pydantic" not in loaded


def test_state_models_import_pydantic_on_demand() -> None:
    assert "pydantic" in modules_after("from gladier import BaseState")
    assert "pydantic" in modules_after("import gladier.tools")


def test_building_a_compute_state_loads_no_client_or_cloud_sdk() -> None:
    code = (
        "from gladier.tools import Compute\n"
        "def double(x):\n    return 2 * x\n"
        "Compute(function_to_call=double).get_flow_definition()"
    )
    loaded = modules_after(code)
    for name in ("gladier.client", "gladier.managers", "globus_sdk", "globus_compute_sdk"):
        assert name not in loaded


def test_the_cloud_sdks_load_only_for_the_globus_backend() -> None:
    loaded = modules_after("import gladier")
    assert "globus_sdk" not in loaded and "globus_compute_sdk" not in loaded
    embedded = modules_after(
        "import os\n"
        "os.environ.pop('GLADIER_BACKEND', None)\n"
        "from gladier import GladierBaseClient\n"
        "class C(GladierBaseClient):\n"
        "    flow_definition = {'StartAt': 'A', 'States': {'A': {'Type': 'Pass', 'End': True}}}\n"
        "C()\n"
    )
    assert "globus_sdk" not in embedded and "gladier.services.globus" not in embedded
    cloud = modules_after(
        "import os\n"
        "os.environ['GLADIER_BACKEND'] = 'globus'\n"
        "from gladier.services import select_backend\n"
        "select_backend(None)\n"
    )
    assert "globus_sdk" in cloud and "globus_compute_sdk" not in cloud
