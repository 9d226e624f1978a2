"""The function registry and the checksum: stable across processes, sensitive to what matters."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException, NotFound
from gladier.runtime import Runtime
from gladier.runtime.compute.functions import (
    function_checksum,
    function_source,
    serialize_function,
)
from gladier.runtime.compute.worker import execute, load_function

SCALE = 3


def scaled(x: int) -> int:
    return x * SCALE


def _module(tmp_path: Path, name: str, source: str) -> Any:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def module_factory(tmp_path: Path) -> Any:
    names: list[str] = []

    def make(name: str, source: str) -> Any:
        names.append(name)
        return _module(tmp_path, name, source)

    yield make
    for name in names:
        sys.modules.pop(name, None)


CHECKSUM_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import ck_mod
from gladier.runtime.compute.functions import function_checksum
print(function_checksum(ck_mod.f))
"""


def test_checksum_is_stable_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    (tmp_path / "ck_mod.py").write_text(
        textwrap.dedent(
            """
            NAMES = {"alpha", "beta", "gamma", "delta"}
            TABLE = {"b": 2, "a": 1, "c": frozenset({"x", "y", "z"})}

            def f(x, options=("a", "b")):
                return x in NAMES and TABLE
            """
        )
    )
    script = tmp_path / "ck.py"
    script.write_text(CHECKSUM_SCRIPT)
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, str(script), str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout.strip())
    assert len(outputs) == 1
    assert len(outputs.pop()) == 64


def test_checksum_changes_with_code_defaults_constants_and_helpers(module_factory: Any) -> None:
    base = """
    K = 1
    def helper(x):
        return x + 1
    def f(x, y=2):
        return helper(x) + y + K
    """
    first = function_checksum(module_factory("ck_a", base).f)
    assert function_checksum(module_factory("ck_b", base).f) == first
    variants = {
        "code": base.replace("+ y + K", "- y + K"),
        "default": base.replace("y=2", "y=3"),
        "constant": base.replace("K = 1", "K = 2"),
        "helper": base.replace("x + 1", "x + 2"),
    }
    for index, (what, source) in enumerate(variants.items()):
        changed = function_checksum(module_factory(f"ck_v{index}", source).f)
        assert changed != first, f"changing the {what} kept the checksum"


def test_checksum_covers_closures_and_ignores_unrelated_globals() -> None:
    def make(n: int) -> Any:
        def inner(x: int) -> int:
            return x + n

        return inner

    assert function_checksum(make(1)) == function_checksum(make(1))
    assert function_checksum(make(1)) != function_checksum(make(2))
    before = function_checksum(scaled)
    globals()["UNRELATED"] = object()
    assert function_checksum(scaled) == before


def test_checksum_refuses_what_is_not_a_function() -> None:
    with pytest.raises(ConfigException, match="Only Python functions"):
        function_checksum(len)  # type: ignore[arg-type]


def test_source_leaves_out_decorators() -> None:
    def deco(fn: Any) -> Any:
        return fn

    @deco
    def wrapped(x: int) -> int:
        return x * 2

    source = function_source(wrapped)
    assert source is not None
    assert source.startswith("def wrapped(x: int)")
    assert function_source(lambda x: x) is None


def test_functions_travel_by_value_with_their_module_helpers(module_factory: Any) -> None:
    module = module_factory(
        "ghost_mod",
        """
        import os
        OFFSET = 40
        class Box:
            def __init__(self, v):
                self.v = v
        def helper(x):
            return Box(x + OFFSET).v
        def f(x):
            return {"value": helper(x), "sep": os.sep}
        """,
    )
    serializer, code, source = serialize_function(module.f)
    assert serializer == "dill" and code and source
    sys.modules.pop("ghost_mod")
    blob = {"function_id": "f1", "name": "f", "checksum": "c", "serializer": "dill", "code": code}
    assert execute(blob, "[[2], {}]") == {"ok": True, "result": '{"value":42,"sep":"/"}'}


def test_source_fallback_when_dill_cannot_pickle(module_factory: Any) -> None:
    module = module_factory(
        "conn_mod",
        """
        import sqlite3
        CONN = sqlite3.connect(":memory:")
        def f(x):
            if x < 0:
                return CONN.execute("select 1").fetchone()[0]
            return x + 1
        """,
    )
    serializer, code, source = serialize_function(module.f)
    assert serializer == "source" and code == b"" and source
    blob = {"function_id": "g", "name": "f", "checksum": "c", "serializer": serializer}
    fn = load_function({**blob, "code": code, "source": source})
    assert fn(5) == 6
    module.CONN.close()


def test_a_function_that_cannot_be_stored_is_refused_clearly(tmp_path: Path) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        with (
            Runtime(home=tmp_path / "home") as rt,
            pytest.raises(ConfigException, match=r"cannot be stored.*Connection"),
        ):
            rt.register_function(lambda: conn)
    finally:
        conn.close()


def test_registry_stores_lists_dedupes_and_deletes(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        function_id = rt.register_function(scaled)
        assert rt.register_function(scaled) == function_id
        other = rt.register_function(scaled, name="scaled-again", description="x three")
        assert other != function_id
        doc = rt.get_function(function_id)
        assert doc["function_name"] == "scaled"
        assert doc["checksum"] == function_checksum(scaled)
        assert doc["serializer"] == "dill"
        assert doc["python_version"].startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")
        assert doc["source"].startswith("def scaled(")
        assert rt.get_function(other)["description"] == "x three"
        assert [f["function_id"] for f in rt.list_functions()] == [function_id, other]
        assert rt.delete_function(function_id)["function_id"] == function_id
        with pytest.raises(NotFound):
            rt.get_function(function_id)
        assert [f["function_id"] for f in rt.list_functions()] == [other]
        with pytest.raises(ConfigException):
            rt.register_function(scaled, name="")
    # the registry persists
    with Runtime(home=tmp_path / "home") as again:
        assert again.get_function(other)["function_name"] == "scaled-again"


MAIN_SCRIPT = """
import json, sys
from gladier.runtime import Runtime

FACTOR = 6

def times(x):
    return x * FACTOR

def shout(text):
    return {"text": text.upper(), "n": times(7)}

with Runtime(home=sys.argv[1]) as rt:
    fid = rt.register_function(shout)
    ep = "bd06cbfe-4e60-5087-b88d-36c8bebdec5a"
    flow = rt.create_flow("main", {"StartAt": "S", "States": {"S": {
        "Type": "Action", "ActionUrl": "https://compute.actions.globus.org",
        "Parameters": {"tasks": [{"endpoint": ep, "function": fid, "payload.$": "$"}]},
        "ResultPath": "$.S", "End": True}}})
    run = rt.wait(rt.run_flow(flow["id"], {"text": "hi"})["run_id"], timeout=60)
    print(json.dumps(run["details"]["output"]["S"]["details"]["result"]))
"""


def test_function_defined_in_main_of_a_script_runs_in_a_fresh_worker(tmp_path: Path) -> None:
    script = tmp_path / "elsewhere" / "main_script.py"
    script.parent.mkdir()
    script.write_text(MAIN_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [{"text": "HI", "n": 42}]
    shutil.rmtree(script.parent)
