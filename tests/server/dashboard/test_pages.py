"""The dashboard's pages and buttons, served by uvicorn and read over HTTP."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any

import pytest
import requests

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.runtime.providers import ActionProvider, action_status
from tests.server.dashboard.conftest import WAIT_FLOW, Events, Served

TIMEOUT = 10
PASS_FLOW = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def get(served: Served, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(served.url + path, timeout=TIMEOUT, **kwargs)


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match.group(1)


def finished(rt: Runtime, run_id: str) -> str:
    return str(rt.wait(run_id, timeout=TIMEOUT)["status"])


def test_root_redirects_to_the_ui(served: Served) -> None:
    response = get(served, "/", allow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"
    index = get(served, "/")
    assert index.status_code == 200
    assert "<h1>Runs</h1>" in index.text


def test_runs_page_lists_runs_and_filters_them(served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    other = rt.create_flow("quick", PASS_FLOW)
    waiting = rt.run_flow(flow["id"], {"name": "a"}, label="waiting-run", tags=["nightly"])
    quick = rt.run_flow(other["id"], {}, label="quick-run")
    assert finished(rt, quick["run_id"]) == "SUCCEEDED"

    page = get(served, "/ui/runs").text
    assert f'data-run-id="{waiting["run_id"]}" data-status="ACTIVE"' in page
    assert f'data-run-id="{quick["run_id"]}" data-status="SUCCEEDED"' in page
    assert '<span class="tag">nightly</span>' in page

    by_status = get(served, "/ui/runs", params={"status": "succeeded"}).text
    assert quick["run_id"] in by_status and waiting["run_id"] not in by_status
    by_label = get(served, "/ui/runs", params={"label": "waiting-run"}).text
    assert waiting["run_id"] in by_label and quick["run_id"] not in by_label
    by_flow = get(served, "/ui/runs", params={"flow": other["id"]}).text
    assert quick["run_id"] in by_flow and waiting["run_id"] not in by_flow
    nothing = get(served, "/ui/runs", params={"label": "nobody"}).text
    assert "No runs match these filters." in nothing

    table = get(served, "/ui/runs", params={"partial": "table", "status": "ACTIVE"}).text
    assert table.startswith("<table") and waiting["run_id"] in table


def test_runs_and_flows_come_in_pages(served: Served, rt: Runtime) -> None:
    from gladier.server.dashboard.app import RUNS_PER_PAGE

    flow = rt.create_flow("quick", PASS_FLOW)
    runs = [rt.run_flow(flow["id"], {}, label=f"run-{i}") for i in range(RUNS_PER_PAGE + 1)]
    first = get(served, "/ui/runs").text
    assert first.count("<tr data-run-id=") == RUNS_PER_PAGE
    assert runs[0]["run_id"] not in first  # the oldest is on the next page
    link = re.search(r'<a class="next" href="([^"]+)"', first)
    assert link is not None
    second = get(served, link.group(1).replace("&amp;", "&")).text
    assert second.count("<tr data-run-id=") == 1 and runs[0]["run_id"] in second
    assert 'class="next"' not in second

    rt.create_flow("another one", PASS_FLOW)
    found = get(served, "/ui/flows", params={"q": "another"}).text
    assert "another one" in found and ">quick<" not in found
    assert (
        "No flows match “nothing-like-it”."
        in get(served, "/ui/flows", params={"q": "nothing-like-it"}).text
    )


def test_unknown_status_filter_is_a_clear_400(served: Served) -> None:
    response = get(served, "/ui/runs", params={"status": "DONE"})
    assert response.status_code == 400
    assert "Unknown run status &#39;DONE&#39;; use one of ACTIVE, INACTIVE" in response.text
    assert response.text.count("Unknown run status") == 1


def test_user_content_is_escaped(served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("<b>bold</b> flow", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "<img src=x onerror=alert(2)>"}, label="<script>")
    for path in ("/ui/runs", f"/ui/runs/{run['run_id']}", f"/ui/flows/{flow['id']}"):
        html = get(served, path).text
        assert "<script>" not in html.replace('<script src="/ui/static/dashboard.js"', "")
        assert "<b>bold</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in get(served, "/ui/runs").text
    run_page = get(served, f"/ui/runs/{run['run_id']}").text
    assert "&lt;img src=x onerror=alert(2)&gt;" in run_page
    assert "&lt;b&gt;bold&lt;/b&gt; flow" in run_page


def test_pages_load_nothing_from_the_network(served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "a"})
    pages = ["/ui/runs", "/ui/flows", f"/ui/flows/{flow['id']}", f"/ui/runs/{run['run_id']}"]
    for path in pages:
        html = get(served, path).text
        assert not re.search(r'(src|href|action)="(https?:)?//', html), path
    css = get(served, "/ui/static/dashboard.css").text
    assert "url(" not in css and "@import" not in css


def test_pages_forbid_inline_scripts(served: Served) -> None:
    headers = get(served, "/ui/runs").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_run_page_shows_timeline_inputs_outputs_and_logs(
    served: Served, rt: Runtime, clock: ManualClock, events: Events
) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "scan-7"}, label="scan")
    events.wait_for(run["run_id"], "WaitStarted")
    clock.advance(60)
    assert finished(rt, run["run_id"]) == "SUCCEEDED"
    html = get(served, f"/ui/runs/{run['run_id']}").text
    assert 'id="run-status" class="status status-SUCCEEDED"' in html
    for state in ("Prepare", "Hold", "Done"):
        assert f'data-state="{state}" data-status="SUCCEEDED"' in html
    assert "&#34;prepared&#34;: {\n    &#34;name&#34;: &#34;scan-7&#34;" in html  # an output
    assert "1 m 00 s" in html  # the Wait state's duration on the runtime's clock
    assert 'data-code="FlowSucceeded"' in html
    assert 'id="cancel"' not in html  # a finished run has no cancel button
    live = get(served, f"/ui/runs/{run['run_id']}", params={"partial": "live"}).text
    assert live.startswith('<section class="summary" data-run-status="SUCCEEDED">')


def test_failed_run_shows_its_error(served: Served, rt: Runtime) -> None:
    definition = {
        "StartAt": "Explode",
        "States": {"Explode": {"Type": "Fail", "Error": "Kaboom", "Cause": "the <disk> is full"}},
    }
    flow = rt.create_flow("failing", definition)
    run = rt.run_flow(flow["id"], {})
    assert finished(rt, run["run_id"]) == "FAILED"
    html = get(served, f"/ui/runs/{run['run_id']}").text
    assert '<section class="error">' in html
    assert "Kaboom: the &lt;disk&gt; is full" in html
    assert 'data-state="Explode" data-status="FAILED"' in html


def test_unknown_run_and_flow_are_404(served: Served) -> None:
    for path in ("/ui/runs/nope", "/ui/flows/nope", "/ui/runs/nope/graph.svg"):
        response = get(served, path)
        assert response.status_code == 404
        assert "nope" in response.text


def test_flow_page_shows_definition_and_graph(served: Served, rt: Runtime) -> None:
    pytest.importorskip("gladier.graph")
    flow = rt.create_flow("waiter", WAIT_FLOW, subtitle="waits a minute")
    html = get(served, f"/ui/flows/{flow['id']}").text
    assert "waits a minute" in html
    assert "&#34;Seconds&#34;: 60" in html
    assert "flowchart TD" in html  # the Mermaid source, shown as text
    listing = get(served, "/ui/flows").text
    assert f'data-flow-id="{flow["id"]}"' in listing
    import shutil

    if shutil.which("dot") is None:
        assert '<pre class="graph-text">' in html
        return
    assert f'src="/ui/flows/{flow["id"]}/graph.svg"' in html
    svg = get(served, f"/ui/flows/{flow['id']}/graph.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert "<svg" in svg.text and "Hold" in svg.text


def test_without_graphviz_the_graph_is_text(
    served: Served, rt: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "a"})
    rt.wait_idle(timeout=30)  # Prepare has run; the run now waits
    html = get(served, f"/ui/flows/{flow['id']}").text
    assert '<pre class="graph-text">Start\n└─ Prepare (Pass)' in html
    assert "Install Graphviz" in html
    run_page = get(served, f"/ui/runs/{run['run_id']}").text
    assert "✓ Prepare (Pass) SUCCEEDED" in run_page
    assert get(served, f"/ui/flows/{flow['id']}/graph.svg").status_code == 404


def test_cancel_button_cancels_the_run(served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "a"})
    session = requests.Session()
    page = session.get(f"{served.url}/ui/runs/{run['run_id']}", timeout=TIMEOUT).text
    assert 'id="cancel"' in page
    response = session.post(
        f"{served.url}/ui/runs/{run['run_id']}/cancel",
        data={"csrf_token": token_of(page)},
        headers={"Origin": served.url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/runs/{run['run_id']}"
    doc = rt.get_run(run["run_id"])
    assert doc["status"] == "FAILED" and doc["details"]["code"] == "FlowCanceled"


@pytest.mark.parametrize(
    ("headers", "token", "why"),
    [
        ({}, None, "the form token is missing or wrong"),
        ({}, "forged", "the form token is missing or wrong"),
        ({"Origin": "https://evil.example"}, "GOOD", "comes from https://evil.example"),
        ({"Referer": "https://evil.example/page"}, "GOOD", "comes from https://evil.example"),
        ({"Sec-Fetch-Site": "cross-site"}, "GOOD", "comes from another site"),
    ],
)
def test_cross_site_posts_are_refused(
    served: Served, rt: Runtime, headers: dict[str, str], token: str | None, why: str
) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "a"})
    if token == "GOOD":
        token = token_of(get(served, f"/ui/runs/{run['run_id']}").text)
    data = {} if token is None else {"csrf_token": token}
    response = requests.post(
        f"{served.url}/ui/runs/{run['run_id']}/cancel",
        data=data,
        headers=headers,
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 403
    assert why in response.text
    assert rt.get_run(run["run_id"])["status"] == "ACTIVE"


def test_unknown_button_is_404(served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "a"})
    response = requests.post(
        f"{served.url}/ui/runs/{run['run_id']}/delete", data={}, timeout=TIMEOUT
    )
    assert response.status_code == 404
    assert "use cancel or resume" in response.text


class ConsentProvider(ActionProvider):
    """Its action is INACTIVE (waiting for consent) until the test grants it."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        details = {"code": "ConsentRequired", "description": "needs consent"}
        doc = action_status("a0", "INACTIVE", details, request)
        self.docs["a0"] = doc
        return dict(doc)

    def status(self, action_id: str) -> dict[str, Any]:
        return dict(self.docs[action_id])


def test_resume_button_resumes_an_inactive_run(tmp_path: Any) -> None:
    from tests.server.dashboard.conftest import serve

    clock = ManualClock()
    options = {"poll_initial_interval": 1000}
    with Runtime(home=tmp_path / "h", clock=clock, options=options) as rt, serve(rt) as served:
        provider = ConsentProvider()
        rt.add_action_provider("https://example.org/consent", provider)
        definition = {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Action",
                    "ActionUrl": "https://example.org/consent",
                    "Parameters": {},
                    "ResultPath": "$.answer",
                    "End": True,
                }
            },
        }
        inactive = threading.Event()
        rt.add_event_listener(lambda _, e: e["code"] == "ActionInactive" and inactive.set())
        flow = rt.create_flow("consent", definition)
        run = rt.run_flow(flow["id"], {})
        assert inactive.wait(TIMEOUT)
        page = get(served, f"/ui/runs/{run['run_id']}").text
        assert "Waiting: needs consent" in page
        assert 'id="resume"' in page
        provider.docs["a0"].update(status="SUCCEEDED", details={"granted": True})
        response = requests.post(
            f"{served.url}/ui/runs/{run['run_id']}/resume",
            data={"csrf_token": token_of(page)},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert response.status_code == 303
        assert finished(rt, run["run_id"]) == "SUCCEEDED"
        assert rt.get_run(run["run_id"])["details"]["output"]["answer"]["details"] == {
            "granted": True
        }


def test_event_stream_sends_each_committed_event(
    served: Served, rt: Runtime, clock: ManualClock, events: Events
) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    with requests.get(f"{served.url}/ui/events", stream=True, timeout=TIMEOUT) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines(decode_unicode=True)
        assert next(lines) == "retry: 2000"  # the stream is open: the listener is registered
        run = rt.run_flow(flow["id"], {"name": "a"})
        events.wait_for(run["run_id"], "WaitStarted")
        clock.advance(60)
        codes = []
        for line in lines:
            if line.startswith("data: "):
                message = json.loads(line[len("data: ") :])
                assert message["run_id"] == run["run_id"]
                codes.append(message["code"])
                if message["code"] == "FlowSucceeded":
                    break
    assert codes[:2] == ["PassStarted", "PassCompleted"]
    assert "WaitCompleted" in codes and codes[-1] == "FlowSucceeded"
