"""The dashboard in a real browser: headless Chromium driven by playwright.

Skipped, with the reason, where playwright or a Chromium is not installed (``python3 dev.py
test`` installs Debian's ``chromium`` where it runs as root with apt).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.clock import ManualClock
from gladier.server.dashboard.app import POLL_MS
from tests.server.dashboard.conftest import WAIT_FLOW, Events, Served

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests need playwright (the browser extra)"
)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Milliseconds the browser gets to show a change (it comes within a fraction of a second).
#: Shorter than the pages' own periodic look (POLL_MS), so only the event stream can pass.
WAIT_MS = 10_000


def test_only_events_can_pass_these_tests() -> None:
    assert WAIT_MS < POLL_MS


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except sync_api.Error as err:
            pytest.skip(f"Chromium at {executable} does not start: {err}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """A fresh tab, closed (with its event streams) before the server stops."""
    context = browser.new_context()
    problems: list[str] = []

    def offline(route: Any) -> None:
        """The dashboard must work without a network: anything not from the server fails."""
        if route.request.url.startswith(served.url + "/"):
            route.continue_()
        else:
            problems.append(f"request outside the server: {route.request.url}")
            route.abort()

    context.route("**/*", offline)
    tab = context.new_page()
    tab.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    tab.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    tab.problems = problems
    yield tab
    context.close()  # closes the event streams before the server stops
    assert problems == []


def open_live(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('body[data-live="connected"]', timeout=WAIT_MS)


def test_a_new_run_appears_and_turns_succeeded_live(
    page: Any, served: Served, rt: Runtime, clock: ManualClock, events: Events
) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    label = "<script>window.pwned = 1</script>"
    open_live(page, served.url + "/")
    assert page.locator("tr.empty").inner_text() == "No runs."

    run = rt.run_flow(flow["id"], {"name": "scan-1"}, label=label)
    row = f'#runs tr[data-run-id="{run["run_id"]}"]'
    page.wait_for_selector(f'{row}[data-status="ACTIVE"]', timeout=WAIT_MS)
    assert page.locator(f"{row} td.label").inner_text() == label  # shown as text, not run
    assert page.evaluate("window.pwned") is None

    events.wait_for(run["run_id"], "WaitStarted")
    clock.advance(60)
    page.wait_for_selector(f'{row}[data-status="SUCCEEDED"]', timeout=WAIT_MS)
    assert page.locator(f"{row} .status").inner_text() == "SUCCEEDED"
    assert rt.get_run(run["run_id"])["status"] == "SUCCEEDED"


def test_run_page_follows_the_states_live(
    page: Any, served: Served, rt: Runtime, clock: ManualClock, events: Events
) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "scan-2"})
    events.wait_for(run["run_id"], "WaitStarted")
    open_live(page, f"{served.url}/ui/runs/{run['run_id']}")
    page.wait_for_selector('tr[data-state="Hold"][data-status="ACTIVE"]', timeout=WAIT_MS)
    assert page.locator('tr[data-state="Done"]').count() == 0
    page.locator('tr[data-state="Prepare"] summary', has_text="output").click()

    clock.advance(60)
    page.wait_for_selector('tr[data-state="Done"][data-status="SUCCEEDED"]', timeout=WAIT_MS)
    page.wait_for_selector("#run-status.status-SUCCEEDED", timeout=WAIT_MS)
    assert page.locator("#cancel").count() == 0
    # The output the user opened stays open across the live refresh.
    prepare_output = page.locator('tr[data-state="Prepare"] details[data-key="out-1"] pre')
    assert prepare_output.is_visible()
    assert '"name": "scan-2"' in prepare_output.inner_text()


def test_cancel_button_ends_the_run(page: Any, served: Served, rt: Runtime, events: Events) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    run = rt.run_flow(flow["id"], {"name": "scan-3"})
    events.wait_for(run["run_id"], "WaitStarted")
    open_live(page, f"{served.url}/ui/runs/{run['run_id']}")
    page.click("#cancel")
    page.wait_for_selector('section.summary[data-run-status="FAILED"]', timeout=WAIT_MS)
    assert page.url == f"{served.url}/ui/runs/{run['run_id']}"
    doc = rt.get_run(run["run_id"])
    assert doc["status"] == "FAILED" and doc["details"]["code"] == "FlowCanceled"


@pytest.mark.parametrize("served", [200], indirect=True)
def test_runs_of_another_process_show_up_by_polling(page: Any, served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("quick", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    open_live(page, served.url + "/ui/runs")
    # Another runtime on the same home (as another process would be): its events never
    # reach the served runtime's listeners, so only the page's periodic look can show it.
    with Runtime(home=rt.home, clock=ManualClock()) as other:
        run = other.run_flow(flow["id"], {}, label="from elsewhere")
        assert other.wait(run["run_id"], timeout=10)["status"] == "SUCCEEDED"
    page.wait_for_selector(
        f'#runs tr[data-run-id="{run["run_id"]}"][data-status="SUCCEEDED"]', timeout=WAIT_MS
    )


def test_flow_page_draws_the_graph(page: Any, served: Served, rt: Runtime) -> None:
    flow = rt.create_flow("waiter", WAIT_FLOW)
    page.goto(f"{served.url}/ui/flows")
    page.click(f'tr[data-flow-id="{flow["id"]}"] a')
    page.wait_for_selector("h1:has-text('waiter')", timeout=WAIT_MS)
    if shutil.which("dot") is None:
        assert "Prepare (Pass)" in page.locator("pre.graph-text").inner_text()
        return
    image = page.locator("figure.graph img")
    image.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "() => { const i = document.querySelector('figure.graph img');"
        " return i.complete && i.naturalWidth > 0; }",
        timeout=WAIT_MS,
    )
