"""Run a client's flow on the embedded runtime to the end, and collect what it left behind.

Example::

    from gladier.testing import run_client

    result = run_client(WordCounter, {"input": {"path": "README.md"}})
    assert result.status == "SUCCEEDED", result.describe()
    words = result.function_output("CountWords")
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gladier.exc import ConfigException
from gladier.testing.result import ClientRun

__all__ = ["DEFAULT_TIMEOUT", "run_client"]

#: Seconds :func:`run_client` waits for a run to end.
DEFAULT_TIMEOUT = 60.0


def _client_instance(client: Any) -> Any:
    from gladier.client import GladierBaseClient

    if isinstance(client, type):
        if not issubclass(client, GladierBaseClient):
            raise ConfigException(
                f"run_client needs a GladierBaseClient subclass or instance, not {client!r}"
            )
        return client()
    if not isinstance(client, GladierBaseClient):
        raise ConfigException(
            f"run_client needs a GladierBaseClient subclass or instance, not "
            f"{type(client).__name__}"
        )
    return client


def _refuse_own_home_in_a_test(instance: Any, backend: Any) -> None:
    """In a pytest test without a throw-away home, refuse to run in the user's own home."""
    if "PYTEST_CURRENT_TEST" not in os.environ or os.environ.get("GLADIER_HOME"):
        return
    from gladier.runtime.runtime import default_home

    home = getattr(backend, "home", None)
    if home is None or Path(home).expanduser() != default_home():
        return  # the client was given a runtime or a home of its own
    raise ConfigException(
        f"run_client was called in a test without a throw-away runtime home, so "
        f"{type(instance).__name__}'s flow and run would go to your own runtime home {home}. "
        "Add the gladier_home fixture to the test (def test_x(gladier_home): ...), use "
        "`with gladier.testing.isolated_home():`, or set GLADIER_HOME"
    )


def _all_logs(flows: Any, run_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    marker: str | None = None
    while True:
        page = flows.get_run_logs(run_id, limit=100, marker=marker)
        entries.extend(page.get("entries") or [])
        marker = page.get("marker")
        if not page.get("has_next_page") or not marker:
            return entries


def run_client(
    client: Any,
    flow_input: Mapping[str, Any] | None = None,
    *,
    label: str = "gladier.testing run",
    timeout: float = DEFAULT_TIMEOUT,
    **run_fields: Any,
) -> ClientRun:
    """Run ``client`` (a client class, which is instantiated, or an instance) to the end.

    ``flow_input`` is what :meth:`~gladier.GladierBaseClient.run_flow` takes
    (``{"input": {...}}``, merged over the client's defaults); ``run_fields`` are further run
    fields (``tags``, ...). The client registers its functions and deploys its flow as usual,
    on the embedded runtime of the current home (use the ``gladier_home`` fixture or
    :func:`~gladier.testing.isolated_home`). Returns a :class:`~gladier.testing.ClientRun`
    whatever the run's final status; raises :class:`TimeoutError` if it has not ended after
    ``timeout`` seconds, and :class:`~gladier.exc.ConfigException` for a client on another
    backend.

    Example::

        result = run_client(MyClient, {"input": {"name": "test"}}, timeout=10)
        result.output("Greet")
    """
    instance = _client_instance(client)
    backend = instance.backend
    if getattr(backend, "name", None) != "embedded":
        raise ConfigException(
            f"run_client runs flows on the embedded runtime, but {type(instance).__name__} "
            f"uses the {getattr(backend, 'name', backend)!r} backend: unset GLADIER_BACKEND "
            "(the gladier_home fixture does) and the client's backend attribute"
        )
    _refuse_own_home_in_a_test(instance, backend)
    run = instance.run_flow(flow_input, label=label, **run_fields)
    run_id = str(run["run_id"])
    flows = backend.flows({})
    try:
        flows.wait(run_id, timeout=timeout)
    except TimeoutError:
        document = flows.get_run(run_id)
        raise TimeoutError(
            f"Run {run_id} of {type(instance).__name__} had not ended after {timeout} s "
            f"(status {document.get('status')}); pass a larger timeout=, or check that every "
            "Action state has a provider that answers"
        ) from None
    document = instance.get_status(run_id)
    return ClientRun(
        run_id=run_id,
        status=str(document.get("status")),
        document=dict(document),
        log=_all_logs(flows, run_id),
    )
