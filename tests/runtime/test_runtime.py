"""The Runtime's public API: flows, runs, logs, providers, limits and run semantics."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gladier.exc import (
    ConfigException,
    FlowInputError,
    FlowValidationError,
    LimitExceeded,
    NotFound,
    StateConflict,
)
from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.providers import ActionProvider, action_status

PASS_FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

FIVE_STATES = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Parameters": {"n.$": "$.n", "seen": []}, "Next": "Double"},
        "Double": {
            "Type": "ExpressionEval",
            "Parameters": {"n.=": "n * 2", "seen.=": "seen + ['double']"},
            "ResultPath": "$",
            "Next": "Big?",
        },
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Pass", "Result": {"size": "big"}, "ResultPath": "$.verdict", "End": True},
        "Small": {
            "Type": "Pass",
            "Result": {"size": "small"},
            "ResultPath": "$.verdict",
            "End": True,
        },
    },
}


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "home", options={"poll_initial_interval": 0.01}) as runtime:
        yield runtime


def run_to_end(rt: Runtime, definition: Mapping[str, Any], body: Any, **kw: Any) -> dict[str, Any]:
    flow = rt.create_flow("t", definition)
    run = rt.run_flow(flow["id"], body, **kw)
    return rt.wait(run["run_id"], timeout=30)


# ---------------------------------------------------------------------- construction
def test_constructor_does_no_io(tmp_path: Path) -> None:
    home = tmp_path / "never-created"
    rt = Runtime(home=home)
    assert not home.exists()
    rt.close()
    assert not home.exists()


def test_home_defaults_to_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLADIER_HOME", str(tmp_path / "envhome"))
    assert Runtime().home == tmp_path / "envhome"


def test_home_and_db_permissions(rt: Runtime) -> None:
    rt.open()
    assert stat.S_IMODE(os.stat(rt.home).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(rt.home / "runtime.db").st_mode) == 0o600


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigException, match="pass_inputpath_moves"):
        Runtime(home=tmp_path, options={"pass_input_moves": True})


def test_closed_runtime_refuses_work(tmp_path: Path) -> None:
    rt = Runtime(home=tmp_path / "h")
    rt.close()
    with pytest.raises(ConfigException, match="closed"):
        rt.create_flow("x", PASS_FLOW)


# ---------------------------------------------------------------------- flows
def test_flow_crud(rt: Runtime) -> None:
    flow = rt.create_flow("first", PASS_FLOW, {"type": "object"}, subtitle="sub", keywords=["a"])
    assert flow["title"] == "first"
    assert flow["globus_auth_scope"].endswith(f"flow_{flow['id'].replace('-', '_')}_user")
    assert rt.get_flow(flow["id"]) == flow
    updated = rt.update_flow(flow["id"], title="second", description="d")
    assert updated["title"] == "second" and updated["description"] == "d"
    assert updated["subtitle"] == "sub"
    assert rt.get_flow(flow["id"])["title"] == "second"
    deleted = rt.delete_flow(flow["id"])
    assert deleted["DELETED"] is True
    with pytest.raises(NotFound):
        rt.get_flow(flow["id"])


def test_invalid_flow_is_not_stored(rt: Runtime) -> None:
    bad = {"StartAt": "Nope", "States": {"A": {"Type": "Task", "End": True}}}
    with pytest.raises(FlowValidationError) as info:
        rt.create_flow("bad", bad)
    assert len(info.value.detail) >= 2
    assert all({"loc", "msg", "type"} <= set(d) for d in info.value.detail)
    assert rt.list_flows()["flows"] == []


def test_update_flow_validates_definition(rt: Runtime) -> None:
    flow = rt.create_flow("f", PASS_FLOW)
    with pytest.raises(FlowValidationError):
        rt.update_flow(flow["id"], definition={"StartAt": "X", "States": {}})
    assert rt.get_flow(flow["id"])["definition"] == PASS_FLOW


def test_validate_flow_stores_nothing(rt: Runtime) -> None:
    result = rt.validate_flow(PASS_FLOW)
    assert "analysis" in result and "scopes" in result
    assert rt.list_flows()["flows"] == []


def test_list_flows_paginates_with_marker(rt: Runtime) -> None:
    ids = {rt.create_flow(f"flow {i}", PASS_FLOW)["id"] for i in range(5)}
    seen: list[str] = []
    page = rt.list_flows(per_page=2)
    while True:
        seen += [f["id"] for f in page["flows"]]
        if not page["has_next_page"]:
            break
        page = rt.list_flows(marker=page["marker"])
    assert sorted(seen) == sorted(ids)
    assert rt.list_flows(filter_fulltext="flow 3")["flows"][0]["title"] == "flow 3"


# ---------------------------------------------------------------------- runs
def test_five_state_flow(rt: Runtime) -> None:
    done = run_to_end(rt, FIVE_STATES, {"n": 7}, label="seven", tags=["  a   b ", "c"])
    assert done["status"] == "SUCCEEDED"
    assert done["details"]["code"] == "FlowSucceeded"
    assert done["details"]["output"] == {"n": 14, "seen": ["double"], "verdict": {"size": "big"}}
    assert done["label"] == "seven"
    assert done["tags"] == ["a b", "c"]
    assert done["run_id"] == done["action_id"]
    assert done["completion_time"] is not None


def test_run_document_fields(rt: Runtime) -> None:
    flow = rt.create_flow("doc", PASS_FLOW)
    run = rt.run_flow(flow["id"], {"a": 1}, run_managers=["urn:x"], run_monitors=["urn:y"])
    for key in (
        "run_id",
        "action_id",
        "flow_id",
        "flow_title",
        "status",
        "display_status",
        "details",
        "start_time",
        "run_owner",
        "run_managers",
        "run_monitors",
        "label",
        "tags",
        "user_roles",
    ):
        assert key in run
    assert run["status"] == "ACTIVE"
    assert run["details"]["code"] == "FlowStarting"
    done = rt.wait(run["run_id"])
    assert done["run_managers"] == ["urn:x"] and done["manage_by"] == ["urn:x"]
    assert (
        rt.get_run(run["run_id"], include_flow_description=True)["flow_description"]["title"]
        == "doc"
    )


def test_run_logs_codes_and_pagination(rt: Runtime) -> None:
    done = run_to_end(rt, FIVE_STATES, {"n": 1})
    logs = rt.get_run_logs(done["run_id"], limit=100)
    codes = [e["code"] for e in logs["entries"]]
    assert codes == [
        "FlowStarted",
        "PassStarted",
        "PassCompleted",
        "ExpressionEvalStarted",
        "ExpressionEvalCompleted",
        "ChoiceStarted",
        "ChoiceCompleted",
        "PassStarted",
        "PassCompleted",
        "FlowSucceeded",
    ]
    assert logs["entries"][1]["details"]["state_name"] == "Init"
    assert logs["entries"][-1]["details"]["output"] == done["details"]["output"]
    first = rt.get_run_logs(done["run_id"], limit=3)
    assert first["has_next_page"] and len(first["entries"]) == 3
    rest = rt.get_run_logs(done["run_id"], marker=first["marker"])
    assert [e["code"] for e in rest["entries"]] == codes[3:6]
    newest = rt.get_run_logs(done["run_id"], limit=1, reverse_order=True)
    assert newest["entries"][0]["code"] == "FlowSucceeded"


def test_list_runs_filters_and_pages(rt: Runtime) -> None:
    a = rt.create_flow("a", PASS_FLOW)
    b = rt.create_flow("b", FIVE_STATES)
    runs = [rt.run_flow(a["id"], {}, label=f"a{i}") for i in range(3)]
    runs.append(rt.run_flow(b["id"], {"n": 1}, label="b0"))
    for r in runs:
        rt.wait(r["run_id"])
    only_a = rt.list_runs(filter_flow_id=a["id"])["runs"]
    assert {r["label"] for r in only_a} == {"a0", "a1", "a2"}
    assert len(rt.list_runs(filter_status="SUCCEEDED")["runs"]) == 4
    page = rt.list_runs(per_page=3)
    assert page["has_next_page"]
    assert len(rt.list_runs(marker=page["marker"])["runs"]) == 1


def test_get_run_definition(rt: Runtime) -> None:
    done = run_to_end(rt, PASS_FLOW, {})
    assert rt.get_run_definition(done["run_id"])["definition"] == PASS_FLOW


def test_update_and_release_run(rt: Runtime) -> None:
    done = run_to_end(rt, PASS_FLOW, {})
    updated = rt.update_run(done["run_id"], label="new", tags=["x"])
    assert updated["label"] == "new" and updated["tags"] == ["x"]
    released = rt.delete_run(done["run_id"])
    assert released["status"] == "SUCCEEDED"
    with pytest.raises(NotFound):
        rt.get_run(done["run_id"])


def test_input_schema_lists_every_violation(rt: Runtime) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}},
        "required": ["a", "b"],
    }
    flow = rt.create_flow("s", PASS_FLOW, schema)
    with pytest.raises(FlowInputError) as info:
        rt.run_flow(flow["id"], {"a": "x"})
    err = info.value
    assert err.http_status == 400 and err.code == "FLOW_INPUT_ERROR"
    locs = {d["loc"][0] for d in err.detail}
    assert locs == {"$", "$.a"}
    assert all(d["type"] == "InvalidActionInput" for d in err.detail)
    assert rt.list_runs()["runs"] == []


def test_label_limit(rt: Runtime) -> None:
    flow = rt.create_flow("l", PASS_FLOW)
    with pytest.raises(LimitExceeded, match="64"):
        rt.run_flow(flow["id"], {}, label="x" * 65)


def test_run_state_limit_fails_the_run(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h", options={"max_run_state_bytes": 1000}) as rt:
        definition = {
            "StartAt": "Grow",
            "States": {
                "Grow": {
                    "Type": "ExpressionEval",
                    "Parameters": {"big.=": "'x' * 5000"},
                    "ResultPath": "$.r",
                    "End": True,
                }
            },
        }
        done = run_to_end(rt, definition, {})
        assert done["status"] == "FAILED"
        assert "max_run_state_bytes" in done["details"]["details"]["cause"]
        with pytest.raises(LimitExceeded):
            rt.run_flow(rt.create_flow("b", PASS_FLOW)["id"], {"x": "y" * 2000})


def test_private_keys_hidden_from_logs(rt: Runtime) -> None:
    done = run_to_end(rt, PASS_FLOW, {"_private_token": "s3cret", "visible": 1})
    text = str(rt.get_run_logs(done["run_id"], limit=100))
    assert "s3cret" not in text
    assert "s3cret" not in str(done["details"])


def test_context_is_readable_and_never_in_output(rt: Runtime) -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {"run.$": "$._context.run_id", "user.$": "$._context.username"},
                "ResultPath": "$.ctx",
                "End": True,
            }
        },
    }
    done = run_to_end(rt, definition, {})
    assert done["details"]["output"]["ctx"]["run"] == done["run_id"]
    assert "_context" not in done["details"]["output"]


# ---------------------------------------------------------------------- providers
class AsyncProvider(ActionProvider):
    """ACTIVE until ``finish`` is called; counts polls."""

    def __init__(self, final: str = "SUCCEEDED") -> None:
        self.final = final
        self.docs: dict[str, dict[str, Any]] = {}
        self.polls = 0
        self.canceled: list[str] = []
        self.started = threading.Event()

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        doc = action_status(f"a{len(self.docs)}", "ACTIVE", None, request)
        self.docs[doc["action_id"]] = doc
        self.started.set()
        return dict(doc)

    def status(self, action_id: str) -> dict[str, Any]:
        self.polls += 1
        return dict(self.docs[action_id])

    def cancel(self, action_id: str) -> dict[str, Any]:
        self.canceled.append(action_id)
        return dict(self.docs[action_id])

    def finish(self, action_id: str, details: Any) -> None:
        self.docs[action_id].update(status=self.final, details=details)
        assert self.hooks is not None
        self.hooks.notify(action_id)


def action_flow(url: str, **extra: Any) -> dict[str, Any]:
    state = {
        "Type": "Action",
        "ActionUrl": url,
        "Parameters": {"x.$": "$.x"},
        "ResultPath": "$.result",
        "End": True,
    }
    state.update(extra)
    return {"StartAt": "Act", "States": {"Act": state}}


def test_async_provider_notified(rt: Runtime) -> None:
    provider = AsyncProvider()
    rt.add_action_provider("https://example.org/async/", provider)
    flow = rt.create_flow("a", action_flow("https://example.org/async"))
    run = rt.run_flow(flow["id"], {"x": 3}, label="lbl")
    assert provider.started.wait(10)
    provider.finish("a0", {"ok": True})
    done = rt.wait(run["run_id"], timeout=10)
    assert done["status"] == "SUCCEEDED"
    result = done["details"]["output"]["result"]
    assert result["details"] == {"ok": True}
    assert result["state_name"] == "Act"
    assert result["label"] == "lbl"


def test_callable_provider_and_failure_text(rt: Runtime) -> None:
    rt.add_action_provider("https://example.org/add", lambda body: {"sum": body["x"] + 1})

    def broken(body: Any) -> Any:
        raise ValueError("the input was wrong")

    rt.add_action_provider("https://example.org/broken", broken)
    ok = run_to_end(rt, action_flow("https://example.org/add"), {"x": 1})
    assert ok["details"]["output"]["result"]["details"] == {"sum": 2}
    bad = run_to_end(rt, action_flow("https://example.org/broken"), {"x": 1})
    assert bad["status"] == "FAILED"
    failure = bad["details"]["details"]
    assert failure["exception"] == "ActionFailedException"
    assert "the input was wrong" in str(failure["cause"])


def test_unknown_action_url_names_registered(rt: Runtime) -> None:
    done = run_to_end(rt, action_flow("https://nowhere.example.org/x"), {"x": 1})
    failure = done["details"]["details"]
    assert failure["exception"] == "ActionUnableToRun"
    assert "https://nowhere.example.org/x" in str(failure["cause"])
    assert "hello_world" in str(failure["cause"])


def test_hello_world_builtin(rt: Runtime) -> None:
    definition = {
        "StartAt": "Hi",
        "States": {
            "Hi": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/hello_world",
                "Parameters": {"echo_string.$": "$.msg"},
                "ResultPath": "$.hi",
                "End": True,
            }
        },
    }
    done = run_to_end(rt, definition, {"msg": "hey"})
    assert done["details"]["output"]["hi"]["details"] == {"Hello": "World", "hello": "hey"}


def test_expression_eval_provider(rt: Runtime) -> None:
    definition = action_flow("https://actions.globus.org/expression_eval")
    definition["States"]["Act"]["Parameters"] = {
        "expression": "a + b",
        "arguments": {"a.$": "$.x", "b": 2},
    }
    done = run_to_end(rt, definition, {"x": 40})
    assert done["details"]["output"]["result"]["details"]["result"] == 42


def test_action_timeout_cancels_and_is_catchable(tmp_path: Path) -> None:
    clock = ManualClock()
    with Runtime(home=tmp_path / "h", clock=clock, options={"poll_initial_interval": 1}) as rt:
        provider = AsyncProvider()
        rt.add_action_provider("https://example.org/slow", provider)
        definition = action_flow(
            "https://example.org/slow",
            WaitTime=5,
            Catch=[{"ErrorEquals": ["ActionTimeout"], "ResultPath": "$.err", "Next": "Handled"}],
        )
        definition["States"]["Handled"] = {"Type": "Pass", "End": True}
        flow = rt.create_flow("slow", definition)
        run = rt.run_flow(flow["id"], {"x": 1})
        assert provider.started.wait(10)
        for _ in range(10):
            clock.advance(1)
        done = rt.wait(run["run_id"], timeout=10)
        assert done["status"] == "SUCCEEDED"
        assert done["details"]["output"]["err"]["Error"] == "ActionTimeout"
        assert provider.canceled == ["a0"]


def test_inactive_action_makes_run_inactive_and_resume_polls(tmp_path: Path) -> None:
    clock = ManualClock()
    with Runtime(home=tmp_path / "h", clock=clock, options={"poll_initial_interval": 100}) as rt:
        provider = AsyncProvider()

        def run(request: Mapping[str, Any]) -> dict[str, Any]:
            doc = action_status(
                "a0",
                "INACTIVE",
                {
                    "code": "ConsentRequired",
                    "description": "needs consent",
                    "required_scope": "urn:s",
                },
                request,
            )
            provider.docs["a0"] = doc
            return dict(doc)

        provider.run = run  # type: ignore[method-assign]
        rt.add_action_provider("https://example.org/consent", provider)
        flow = rt.create_flow("c", action_flow("https://example.org/consent"))
        started = rt.run_flow(flow["id"], {"x": 1})
        run_id = started["run_id"]
        rt.wait_idle()  # the action answered INACTIVE and the run's new status is committed
        doc = rt.get_run(run_id)
        assert doc["status"] == "INACTIVE"
        assert doc["details"]["code"] == "ConsentRequired"
        assert doc["details"]["required_scope"] == "urn:s"
        provider.docs["a0"].update(status="SUCCEEDED", details={"done": 1})
        rt.resume_run(run_id)
        assert rt.wait(run_id, timeout=10)["status"] == "SUCCEEDED"


def test_cancel_run_ends_failed_and_cancels_action(rt: Runtime) -> None:
    provider = AsyncProvider()
    rt.add_action_provider("https://example.org/c", provider)
    flow = rt.create_flow("c", action_flow("https://example.org/c"))
    run = rt.run_flow(flow["id"], {"x": 1})
    assert provider.started.wait(10)
    doc = rt.cancel_run(run["run_id"])
    assert doc["status"] == "FAILED"
    assert doc["details"]["code"] == "FlowCanceled"
    assert provider.canceled == ["a0"]
    codes = [e["code"] for e in rt.get_run_logs(run["run_id"], limit=100)["entries"]]
    assert codes[-1] == "FlowCanceled"


def test_cancel_status_ended_option(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "h", options={"cancel_status": "ENDED"}) as rt:
        flow = rt.create_flow(
            "w", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 999, "End": True}}}
        )
        run = rt.run_flow(flow["id"], {})
        assert rt.cancel_run(run["run_id"])["status"] == "ENDED"


def test_release_of_running_run_conflicts(rt: Runtime) -> None:
    flow = rt.create_flow(
        "w", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 999, "End": True}}}
    )
    run = rt.run_flow(flow["id"], {})
    with pytest.raises(StateConflict, match="must have status in"):
        rt.delete_run(run["run_id"])
    rt.cancel_run(run["run_id"])


# ---------------------------------------------------------------------- wait states
def test_wait_state_holds_no_thread_and_follows_clock(tmp_path: Path) -> None:
    clock = ManualClock(start=1_800_000_000)
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        definition = {
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": 60, "Next": "T"},
                "T": {"Type": "Wait", "TimestampPath": "$.at", "End": True},
            },
        }
        flow = rt.create_flow("w", definition)
        threads_before = threading.active_count()
        runs = [
            rt.run_flow(flow["id"], {"at": "2027-01-15T08:01:30Z"})["run_id"] for _ in range(1000)
        ]
        with pytest.raises(TimeoutError):
            rt.wait(runs[0], timeout=0.2)
        assert threading.active_count() == threads_before
        clock.set(1_800_000_000 + 61)
        with pytest.raises(TimeoutError):
            rt.wait(runs[0], timeout=0.2)
        clock.set(1_800_000_000 + 100)  # past 2027-01-15T08:01:30Z
        for run_id in runs:
            assert rt.wait(run_id, timeout=10)["status"] == "SUCCEEDED"


# ---------------------------------------------------------------------- listeners, read-only
def test_event_listener_sees_every_committed_event(rt: Runtime) -> None:
    seen: list[tuple[str, str]] = []
    stop = rt.add_event_listener(lambda run_id, entry: seen.append((run_id, entry["code"])))
    done = run_to_end(rt, FIVE_STATES, {"n": 1})
    logged = [e["code"] for e in rt.get_run_logs(done["run_id"], limit=100)["entries"]]
    # FlowStarted is committed by run_flow itself, the rest by the scheduler.
    assert [code for run_id, code in seen if run_id == done["run_id"]] == logged[1:]
    stop()
    seen.clear()
    run_to_end(rt, PASS_FLOW, {})
    assert seen == []


def test_runtime_without_scheduler_only_reads(tmp_path: Path) -> None:
    home = tmp_path / "h"
    with Runtime(home=home) as writer:
        done = run_to_end(writer, PASS_FLOW, {"a": 1})

    def schedulers() -> int:
        return sum(t.name == "gladier-runtime" for t in threading.enumerate())

    before = schedulers()
    reader = Runtime(home=home, scheduler=False)
    try:
        assert reader.get_run(done["run_id"])["status"] == "SUCCEEDED"
        assert reader.list_runs()["runs"][0]["run_id"] == done["run_id"]
        flow = reader.create_flow("p", PASS_FLOW)
        assert schedulers() == before
        # An operation that needs the scheduler starts it.
        again = reader.run_flow(flow["id"], {})
        assert schedulers() == before + 1
        assert reader.wait(again["run_id"], timeout=10)["status"] == "SUCCEEDED"
    finally:
        reader.close()


def test_waiting_on_a_read_only_runtime_starts_no_scheduler(tmp_path: Path) -> None:
    home = tmp_path / "h"
    nap = {"StartAt": "N", "States": {"N": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with Runtime(home=home) as writer:
        run_id = writer.run_flow(writer.create_flow("nap", nap)["id"], {})["run_id"]
    # Nothing runs the run now; a reader waiting on it must not take it over.
    schedulers = sum(t.name == "gladier-runtime" for t in threading.enumerate())
    with Runtime(home=home, scheduler=False) as reader:
        with pytest.raises(TimeoutError):
            reader.wait(run_id, timeout=0.3)
        assert sum(t.name == "gladier-runtime" for t in threading.enumerate()) == schedulers
        codes = [e["code"] for e in reader.get_run_logs(run_id, limit=10)["entries"]]
        assert "RunTakenOver" not in codes


def test_without_takeover_only_recover_takes_abandoned_runs(tmp_path: Path) -> None:
    home = tmp_path / "h"
    nap = {"StartAt": "N", "States": {"N": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with Runtime(home=home) as first:
        flow_id = first.create_flow("nap", nap)["id"]
        abandoned = first.run_flow(flow_id, {})["run_id"]
    with Runtime(home=home, takeover=False) as tool:
        mine = tool.run_flow(flow_id, {})["run_id"]
        tool.wait(tool.run_flow(tool.create_flow("p", PASS_FLOW)["id"], {})["run_id"], timeout=10)
        assert tool.unattended_runs([abandoned, mine]) == {abandoned}
        assert tool.recover() == 1  # asked for: now it takes the run over
        assert tool.unattended_runs([abandoned, mine]) == set()


def test_private_input_keys_never_reach_the_log(rt: Runtime) -> None:
    seen: list[dict[str, Any]] = []
    rt.add_action_provider("https://example.org/echo", lambda body: {"ok": True})
    definition = action_flow("https://example.org/echo")
    definition["States"]["Act"]["Parameters"] = {"payload.$": "$.input"}
    done = run_to_end(rt, definition, {"input": {"_private_pw": "SECRET", "x": 1}})
    assert done["status"] == "SUCCEEDED"
    text = str(rt.get_run_logs(done["run_id"], limit=100)) + str(seen)
    assert "SECRET" not in text


def test_runs_start_with_the_latest_flow_revision(tmp_path: Path) -> None:
    clock = ManualClock()  # the clock never moves: updated_at alone cannot tell revisions apart
    with Runtime(home=tmp_path / "h", clock=clock) as rt:
        first = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": 1}, "End": True}}}
        second = {
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Result": {"v": 2}, "End": True}},
        }
        flow = rt.create_flow("rev", first)
        one = rt.wait(rt.run_flow(flow["id"], {})["run_id"], timeout=10)
        rt.update_flow(flow["id"], definition=second)
        two = rt.wait(rt.run_flow(flow["id"], {})["run_id"], timeout=10)
        assert one["details"]["output"] == {"v": 1}
        assert two["details"]["output"] == {"v": 2}
        assert rt.get_run_definition(two["run_id"])["definition"] == second
        rt.delete_flow(flow["id"])
        with pytest.raises(NotFound):
            rt.run_flow(flow["id"], {})
