"""The runtime's lifecycle, and that no part of a runtime can reach the Runtime object."""

from __future__ import annotations

import gc
import types
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.lifecycle import Lifecycle
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.store import Database

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}
SKIPPED = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)


def reaches(start: Any, target: Any, limit: int = 200_000) -> bool:
    """Whether ``target`` is reachable from ``start`` through instance references (modules,
    classes and plain functions, shared by every object, are not followed)."""
    seen = {id(start)}
    todo = [start]
    while todo and len(seen) < limit:
        for ref in gc.get_referents(todo.pop()):
            if ref is target:
                return True
            if id(ref) in seen or isinstance(ref, SKIPPED):
                continue
            seen.add(id(ref))
            todo.append(ref)
    assert not todo, f"gave up after {limit} objects: the check would prove nothing"
    return False


def test_no_part_of_a_running_runtime_reaches_it(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        flow = rt.create_flow("p", PASS)
        assert rt.wait(rt.run_flow(flow["id"], {})["run_id"])["status"] == "SUCCEEDED"
        rt.list_collections()  # the transfer and search families, installed on use
        rt.list_search_indexes()
        engine = rt.lifecycle.running()
        assert engine is not None
        parts = {
            "flows": rt.flows,
            "runs": rt.runs,
            "compute": rt.compute,
            "transfer": rt.transfer,
            "search": rt.search,
            "providers": rt.providers,
            "backends": rt.backends,
            "context": rt.context,
            "lifecycle": rt.lifecycle,
            "engine": engine,
        }
        for name, part in parts.items():
            assert not reaches(part, rt), f"{name} reaches the Runtime"


def test_the_check_finds_a_reference_when_there_is_one(tmp_path: Path) -> None:
    rt = Runtime(home=tmp_path / "home")
    holder = {"cb": rt.open}  # a bound method of the runtime
    assert reaches(holder, rt)
    rt.close()


def test_a_lifecycle_opens_and_closes_its_store_without_a_runtime(tmp_path: Path) -> None:
    db = Database(tmp_path / "home" / "runtime.db")
    life = Lifecycle(db, ManualClock(), RuntimeOptions(), autostart=False)
    life.ready()
    assert (tmp_path / "home" / "runtime.db").exists()
    assert life.running() is None  # no scheduler until one is asked for
    life.notify("no-such-action")  # nothing to wake: no error
    assert not life.on_scheduler_thread()
    with pytest.raises(ConfigException, match="never attached"):
        life.scheduler()
    life.close()
    life.close()  # idempotent
    with pytest.raises(ConfigException, match="closed"):
        life.open()


def test_takeover_set_on_the_runtime_reaches_its_scheduler(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home", takeover=False) as rt:
        engine = rt.lifecycle.running()
        assert engine is not None and engine.takeover is False
        rt.takeover = True
        assert rt.takeover is True and engine.takeover is True
