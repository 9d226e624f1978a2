"""The public face of the embedded runtime: flows, runs and action providers.

Method names, arguments and returned documents mirror globus-sdk's ``FlowsClient`` and
``SpecificFlowClient``, so code written for Globus feels at home and the SDK can use either.

Example::

    from gladier.runtime import Runtime

    definition = {
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Parameters": {"hello.$": "$.name"}, "End": True},
        },
    }
    with Runtime() as rt:
        flow = rt.create_flow("greeter", definition)
        run = rt.run_flow(flow["id"], {"name": "world"}, label="first try")
        done = rt.wait(run["run_id"])
        print(done["status"], done["details"]["output"])   # SUCCEEDED {'hello': 'world'}
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gladier.runtime.api_flows import FlowsAPI
from gladier.runtime.api_runs import RunsAPI
from gladier.runtime.backends import Backends
from gladier.runtime.clock import Clock, SystemClock
from gladier.runtime.compute.api import ComputeAPI
from gladier.runtime.context import DB_NAME, RuntimeContext
from gladier.runtime.identity import LocalIdentity
from gladier.runtime.lifecycle import Lifecycle
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.providers.base import ActionProvider, CommitHook
from gladier.runtime.providers.registry import ProviderRegistry, normalise_url
from gladier.runtime.search.api import SearchAPI
from gladier.runtime.store import Database
from gladier.runtime.transfer.api import TransferAPI

if TYPE_CHECKING:
    from gladier.runtime.store.check import StoreReport

__all__ = [
    "DB_NAME",
    "CommitHook",
    "LocalIdentity",
    "Runtime",
    "default_home",
    "normalise_url",
]


def default_home() -> Path:
    """``$GLADIER_HOME``, else ``~/.gladier``."""
    env = os.environ.get("GLADIER_HOME")
    return Path(env).expanduser() if env else Path.home() / ".gladier"


class Runtime:
    """An embedded Globus Flows runtime whose state lives under ``home``.

    Nothing is opened in the constructor; the store opens on first use (or ``open()``) and the
    scheduler thread then continues every unfinished run found there. With
    ``scheduler=False`` (for tools that only read, such as ``gladier runs list``) no run is
    taken over and no task started until an operation that writes needs the scheduler:
    ``run_flow``, ``cancel_run``, ``resume_run`` or ``recover``. Reads, including ``wait``
    and :meth:`unattended_runs`, never start it. With ``takeover=False`` (for short-lived
    tools such as ``gladier runs cancel``) the scheduler runs only the runs this process
    starts or is asked about, and takes over abandoned runs only on :meth:`recover`: a tool
    that exits soon would otherwise start their tasks only to stop them again.

    Each service has its own object, which is never given the runtime itself: ``rt.flows``
    (:class:`~gladier.runtime.api_flows.FlowsAPI`), ``rt.runs``
    (:class:`~gladier.runtime.api_runs.RunsAPI`), ``rt.compute``
    (:class:`~gladier.runtime.compute.api.ComputeAPI`), ``rt.transfer``
    (:class:`~gladier.runtime.transfer.api.TransferAPI`), ``rt.search``
    (:class:`~gladier.runtime.search.api.SearchAPI`) and ``rt.providers``
    (:class:`~gladier.runtime.providers.registry.ProviderRegistry`). The runtime's own
    methods of the same names delegate to them, and to ``rt.lifecycle``
    (:class:`~gladier.runtime.lifecycle.Lifecycle`: the store, the scheduler, the event
    listeners, closing), whose methods are what the services are handed, so no service can
    reach the runtime.
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        options: Mapping[str, Any] | RuntimeOptions | None = None,
        clock: Clock | None = None,
        identity: LocalIdentity | None = None,
        scheduler: bool = True,
        takeover: bool = True,
    ) -> None:
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.options = RuntimeOptions.from_mapping(options)
        self.clock: Clock = clock or SystemClock()
        self.identity = identity or LocalIdentity()
        self.db = Database(self.home / DB_NAME)
        #: Opening the store, the scheduler, the event listeners, closing.
        self.lifecycle = life = Lifecycle(
            self.db, self.clock, self.options, autostart=scheduler, takeover=takeover
        )
        #: The compute, transfer and search services, created on first use.
        self.backends = Backends(
            db=self.db, home=self.home, options=self.options, identity=self.identity
        )
        #: The action providers, by URL (built-in families installed on first use).
        self.providers = ProviderRegistry(
            clock=self.clock,
            services=self.backends,
            notify=life.notify,
            on_scheduler_thread=life.on_scheduler_thread,
        )
        ctx = RuntimeContext(
            home=self.home,
            db=self.db,
            clock=self.clock,
            options=self.options,
            identity=self.identity,
            ready=life.ready,
            scheduler=life.scheduler,
            running=life.running,
        )
        #: What the per-service objects share (store, clock, options, identity, scheduler).
        self.context = ctx
        #: Flows: create, read, update, delete, list, validate.
        self.flows = FlowsAPI(ctx)
        #: Runs: start, rerun, read, list, log, cancel, resume, update, release, wait, prune.
        self.runs = RunsAPI(ctx, self.flows)
        life.attach(
            providers=self.providers, backends=self.backends, load_run=self.runs.load_live_run
        )
        #: Compute functions, endpoints and tasks outside flows.
        self.compute = ComputeAPI(ready=life.ready, service=self.backends.compute)
        #: Collections (the local folders behind Transfer collection ids).
        self.transfer = TransferAPI(ready=life.ready, service=life.transfer_service)
        #: Search indexes and entries.
        self.search = SearchAPI(ready=life.ready, store=life.search_store)

    # ------------------------------------------------------------------ lifecycle
    @property
    def takeover(self) -> bool:
        """Whether the scheduler takes over abandoned runs of the home on its own."""
        return self.lifecycle.takeover

    @takeover.setter
    def takeover(self, value: bool) -> None:
        self.lifecycle.takeover = value

    def open(self) -> Runtime:
        """Open the store and start the scheduler (idempotent)."""
        self.lifecycle.open()
        return self

    def add_event_listener(
        self, listener: Callable[[str, dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Call ``listener(run_id, log_entry)`` after each event this process commits.

        Covers every run this process advances, including runs it takes over (their log
        gets a ``RunTakenOver`` event). Returns a function that removes the listener. Keep
        listeners quick: they run on the scheduler thread.

        Example::

            stop = rt.add_event_listener(lambda run_id, e: print(run_id, e["code"]))
            ...
            stop()
        """
        listeners = self.lifecycle.listeners
        listeners.append(listener)

        def remove() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return remove

    def wait_idle(self, timeout: float | None = None) -> None:
        """Block until the scheduler has nothing left to do until time passes.

        Returns once every run this runtime owns has ended, or waits on the clock (a Wait
        state, the next poll of an action) or on an action's provider, and every step made
        so far is committed. Everything started before the call is covered: a run started by
        ``run_flow`` has reached its first Wait state or action. With a
        :class:`~gladier.runtime.clock.ManualClock`, call it before ``clock.advance()`` so the
        timers you mean to fire exist, and after, to let the runs step. It is answered by the
        scheduler thread itself (no polling); ``TimeoutError`` after ``timeout`` seconds. A
        runtime whose scheduler is not running is idle.

        Example::

            clock = ManualClock()
            with Runtime(clock=clock) as rt:
                run = rt.run_flow(flow_id, {})   # the flow starts with a 60 s Wait state
                rt.wait_idle()                   # the run is now waiting for the clock
                clock.advance(60)
                rt.wait_idle()                   # ... and has stepped past the Wait state
        """
        self.lifecycle.wait_idle(timeout)

    def close(self) -> None:
        """Stop the scheduler and providers; every unfinished run stays resumable."""
        self.lifecycle.close()

    def __enter__(self) -> Runtime:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Runtime(home={str(self.home)!r}, backend='embedded')"

    # ------------------------------------------------------------------ flows (rt.flows)
    def validate_flow(self, definition: Any, input_schema: Any = None) -> dict[str, Any]:
        """Check a definition without storing it; raise FlowValidationError listing problems.

        Same as ``rt.flows.validate_flow`` (see there for details and examples).
        """
        return self.flows.validate_flow(definition, input_schema)

    def create_flow(
        self,
        title: str,
        definition: Mapping[str, Any],
        input_schema: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Validate and store a flow; returns the flow document (spec §9.2).

        Same as ``rt.flows.create_flow`` (see there for details and examples).
        """
        return self.flows.create_flow(title, definition, input_schema, **fields)

    def get_flow(self, flow_id: str) -> dict[str, Any]:
        """The flow document of ``flow_id``.

        Same as ``rt.flows.get_flow`` (see there for details and examples).
        """
        return self.flows.get_flow(flow_id)

    def update_flow(
        self,
        flow_id: str,
        *,
        title: str | None = None,
        definition: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Change only the given fields of a flow; returns the new flow document.

        Same as ``rt.flows.update_flow`` (see there for details and examples).
        """
        return self.flows.update_flow(
            flow_id, title=title, definition=definition, input_schema=input_schema, **fields
        )

    def delete_flow(self, flow_id: str) -> dict[str, Any]:
        """Delete a flow; its runs keep their own copy of the definition.

        Same as ``rt.flows.delete_flow`` (see there for details and examples).
        """
        return self.flows.delete_flow(flow_id)

    def list_flows(
        self,
        *,
        filter_fulltext: str | None = None,
        orderby: str | Sequence[str] | None = None,
        marker: str | None = None,
        per_page: int = 20,
        filter_roles: Any = None,
    ) -> dict[str, Any]:
        """One page of flows: ``{"flows", "limit", "has_next_page", "marker"}``.

        Same as ``rt.flows.list_flows`` (see there for details and examples).
        """
        return self.flows.list_flows(
            filter_fulltext=filter_fulltext,
            orderby=orderby,
            marker=marker,
            per_page=per_page,
            filter_roles=filter_roles,
        )

    # ------------------------------------------------------------------ runs (rt.runs)
    def run_flow(
        self,
        flow_id: str,
        body: Mapping[str, Any],
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start a run of ``flow_id`` with input ``body``; returns the run document at once.

        Same as ``rt.runs.run_flow`` (see there for details and examples).
        """
        return self.runs.run_flow(
            flow_id, body, label, tags, run_managers, run_monitors, activity_notification_policy
        )

    def run_flow_from(
        self,
        flow_id: str,
        state_name: str,
        state: Any,
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        rerun_of: str | None = None,
    ) -> dict[str, Any]:
        """Start a run of ``flow_id`` at its state ``state_name``, with ``state`` as the run state
        (not checked against the input schema: it is a state, not an input).

        Same as ``rt.runs.run_flow_from`` (see there for details and examples).
        """
        return self.runs.run_flow_from(
            flow_id, state_name, state, label=label, tags=tags, rerun_of=rerun_of
        )

    def rerun_run(
        self,
        run_id: str,
        *,
        from_state: str | None = None,
        label: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Start a new run of ``run_id``'s flow with the same input, or (``from_state``) at that
        state with the run state the old run's log recorded on its last entry into it.

        Same as ``rt.runs.rerun_run`` (see there for details and examples).
        """
        return self.runs.rerun_run(run_id, from_state=from_state, label=label, tags=tags)

    def cancel_run(self, run_id: str) -> dict[str, Any]:
        """Cancel a run: it ends FAILED with code FlowCanceled (or ENDED, per options).

        Same as ``rt.runs.cancel_run`` (see there for details and examples).
        """
        return self.runs.cancel_run(run_id)

    def resume_run(self, run_id: str) -> dict[str, Any]:
        """Ask the runtime to poll an INACTIVE run's action now; returns the run document.

        Same as ``rt.runs.resume_run`` (see there for details and examples).
        """
        return self.runs.resume_run(run_id)

    def update_run(
        self,
        run_id: str,
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Change a run's label, tags, managers or monitors (tags replace the whole list).

        Same as ``rt.runs.update_run`` (see there for details and examples).
        """
        return self.runs.update_run(
            run_id, label=label, tags=tags, run_managers=run_managers, run_monitors=run_monitors
        )

    def delete_run(self, run_id: str) -> dict[str, Any]:
        """Release a finished run: its record and log are removed; returns the last document.

        Same as ``rt.runs.delete_run`` (see there for details and examples).
        """
        return self.runs.delete_run(run_id)

    def release_run(self, run_id: str) -> dict[str, Any]:
        """Release a finished run: its record and log are removed; returns the last document.

        Same as ``rt.runs.release_run`` (see there for details and examples).
        """
        return self.runs.release_run(run_id)

    def prune_runs(
        self, older_than_days: float, statuses: Sequence[str] | None = None, *, reclaim: bool = True
    ) -> int:
        """Remove finished runs completed more than ``older_than_days`` ago (only those with
        ``statuses``, default every finished status), with their logs, stored values, compute
        actions and tasks; never an ACTIVE or INACTIVE run. Works in batches of a few hundred
        runs per transaction, then gives the space back to the file system (a store made before
        this version is converted once with a full VACUUM). Returns how many runs were removed.

        Same as ``rt.runs.prune_runs`` (see there for details and examples).
        """
        return self.runs.prune_runs(older_than_days, statuses, reclaim=reclaim)

    def wait(self, run_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until the run ends (or ``timeout`` seconds pass); returns the run document.

        Same as ``rt.runs.wait`` (see there for details and examples).
        """
        return self.runs.wait(run_id, timeout)

    def recover(self) -> int:
        """Take over abandoned runs now (normally done every second); returns how many.

        Same as ``rt.runs.recover`` (see there for details and examples).
        """
        return self.runs.recover()

    def get_run(self, run_id: str, include_flow_description: bool = False) -> dict[str, Any]:
        """The run document of ``run_id`` (see :meth:`RunViews.get_run`).

        Same as ``rt.runs.get_run`` (see there for details and examples).
        """
        return self.runs.get_run(run_id, include_flow_description)

    def list_runs(
        self,
        *,
        filter_flow_id: str | Sequence[str] | None = None,
        filter_status: str | Sequence[str] | None = None,
        filter_label: str | Sequence[str] | None = None,
        orderby: str | Sequence[str] | None = None,
        marker: str | None = None,
        per_page: int = 20,
        filter_roles: Any = None,
    ) -> dict[str, Any]:
        """One page of runs (see :meth:`RunViews.list_runs`).

        Same as ``rt.runs.list_runs`` (see there for details and examples).
        """
        return self.runs.list_runs(
            filter_flow_id=filter_flow_id,
            filter_status=filter_status,
            filter_label=filter_label,
            orderby=orderby,
            marker=marker,
            per_page=per_page,
            filter_roles=filter_roles,
        )

    def get_run_logs(
        self,
        run_id: str,
        limit: int | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
    ) -> dict[str, Any]:
        """One page of a run's event log (see :meth:`RunViews.get_run_logs`).

        Same as ``rt.runs.get_run_logs`` (see there for details and examples).
        """
        return self.runs.get_run_logs(run_id, limit, reverse_order, marker)

    def get_run_definition(self, run_id: str) -> dict[str, Any]:
        """The definition and input schema the run started with.

        Same as ``rt.runs.get_run_definition`` (see there for details and examples).
        """
        return self.runs.get_run_definition(run_id)

    def unattended_runs(self, run_ids: Sequence[str]) -> set[str]:
        """The unfinished runs among ``run_ids`` that no live process is running.

        Same as ``rt.runs.unattended_runs`` (see there for details and examples).
        """
        return self.runs.unattended_runs(run_ids)

    def live_owners(self) -> list[tuple[str, int]]:
        """``(host, pid)`` of the processes whose scheduler runs runs of this home now.

        Same as ``rt.runs.live_owners`` (see there for details and examples).
        """
        return self.runs.live_owners()

    def start_runs(
        self,
        flow_id: str,
        bodies: Iterable[Mapping[str, Any]],
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Start one run per body, all in one transaction (see :meth:`BatchStart.start_runs`).

        Same as ``rt.runs.start_runs`` (see there for details and examples).
        """
        return self.runs.start_runs(
            flow_id,
            bodies,
            label=label,
            tags=tags,
            run_managers=run_managers,
            run_monitors=run_monitors,
            activity_notification_policy=activity_notification_policy,
        )

    # ------------------------------------------------------------------ compute (rt.compute)
    def register_function(
        self, fn: Callable[..., Any], *, name: str | None = None, description: str | None = None
    ) -> str:
        """Store ``fn`` by value in this runtime; returns its function id (a UUID string).

        Same as ``rt.compute.register_function`` (see there for details and examples).
        """
        return self.compute.register_function(fn, name=name, description=description)

    def get_function(self, function_id: str) -> dict[str, Any]:
        """The function document: ``function_id``, ``function_name``, ``checksum``, ``serializer``,
        ``python_version``, ``description``, ``source``, ``created_at``.

        Same as ``rt.compute.get_function`` (see there for details and examples).
        """
        return self.compute.get_function(function_id)

    def list_functions(self) -> list[dict[str, Any]]:
        """Every registered function document, oldest first.

        Same as ``rt.compute.list_functions`` (see there for details and examples).
        """
        return self.compute.list_functions()

    def delete_function(self, function_id: str) -> dict[str, Any]:
        """Remove a function; returns its last document. Runs that name it then fail.

        Same as ``rt.compute.delete_function`` (see there for details and examples).
        """
        return self.compute.delete_function(function_id)

    def create_endpoint(
        self,
        name: str,
        *,
        executor: str = "process",
        config: Mapping[str, Any] | None = None,
        endpoint_id: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Create an endpoint: a named executor configuration with a UUID.

        Same as ``rt.compute.create_endpoint`` (see there for details and examples).
        """
        return self.compute.create_endpoint(
            name, executor=executor, config=config, endpoint_id=endpoint_id, description=description
        )

    def get_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        """The endpoint document of an endpoint id, alias or name.

        Same as ``rt.compute.get_endpoint`` (see there for details and examples).
        """
        return self.compute.get_endpoint(endpoint_id)

    def list_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint document, the default endpoint first.

        Same as ``rt.compute.list_endpoints`` (see there for details and examples).
        """
        return self.compute.list_endpoints()

    def update_endpoint(
        self,
        endpoint_id: str,
        *,
        executor: str | None = None,
        config: Mapping[str, Any] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Change an endpoint (the default one too); its executor restarts on the next task.

        Same as ``rt.compute.update_endpoint`` (see there for details and examples).
        """
        return self.compute.update_endpoint(
            endpoint_id, executor=executor, config=config, description=description
        )

    def delete_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        """Delete an endpoint and its aliases (the default endpoint cannot be deleted).

        Same as ``rt.compute.delete_endpoint`` (see there for details and examples).
        """
        return self.compute.delete_endpoint(endpoint_id)

    def map_endpoint(self, cloud_endpoint_id: str, local_endpoint_id: str) -> dict[str, Any]:
        """Run tasks addressed to ``cloud_endpoint_id`` on a local endpoint.

        Same as ``rt.compute.map_endpoint`` (see there for details and examples).
        """
        return self.compute.map_endpoint(cloud_endpoint_id, local_endpoint_id)

    def unmap_endpoint(self, cloud_endpoint_id: str) -> None:
        """Forget a mapping made with :meth:`map_endpoint`.

        Same as ``rt.compute.unmap_endpoint`` (see there for details and examples).
        """
        return self.compute.unmap_endpoint(cloud_endpoint_id)

    def get_endpoint_status(self, endpoint_id: str) -> dict[str, Any]:
        """``{"status": "online", "details": {executor, started, worker_pids}}``.

        Same as ``rt.compute.get_endpoint_status`` (see there for details and examples).
        """
        return self.compute.get_endpoint_status(endpoint_id)

    def submit_compute_task(
        self,
        endpoint_id: str,
        function_id: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        task_id: str,
    ) -> dict[str, Any]:
        """Run one function call outside any flow; returns its Compute action document.

        Same as ``rt.compute.submit_compute_task`` (see there for details and examples).
        """
        return self.compute.submit_compute_task(
            endpoint_id, function_id, args, kwargs, task_id=task_id
        )

    def get_compute_task(self, task_id: str) -> dict[str, Any]:
        """The action document of a task started with :meth:`submit_compute_task`.

        Same as ``rt.compute.get_compute_task`` (see there for details and examples).
        """
        return self.compute.get_compute_task(task_id)

    # ------------------------------------------------------------------ transfer (rt.transfer)
    def create_collection(
        self,
        root: str | os.PathLike[str],
        *,
        collection_id: str | None = None,
        display_name: str | None = None,
        home: str = "/",
    ) -> dict[str, Any]:
        """Map a collection id (default: a new UUID) to the existing directory ``root``.

        Same as ``rt.transfer.create_collection`` (see there for details and examples).
        """
        return self.transfer.create_collection(
            root, collection_id=collection_id, display_name=display_name, home=home
        )

    def get_collection(self, collection_id: str) -> dict[str, Any]:
        """The mapped collection ``collection_id``; NotFound (naming its sandbox) otherwise.

        Same as ``rt.transfer.get_collection`` (see there for details and examples).
        """
        return self.transfer.get_collection(collection_id)

    def list_collections(self, *, include_sandboxes: bool = False) -> list[dict[str, Any]]:
        """Every mapped collection; with ``include_sandboxes``, also the sandbox folders that
        transfers to unknown ids created under ``<home>/collections/``.

        Same as ``rt.transfer.list_collections`` (see there for details and examples).
        """
        return self.transfer.list_collections(include_sandboxes=include_sandboxes)

    def delete_collection(self, collection_id: str) -> dict[str, Any]:
        """Forget the mapping of ``collection_id`` (its files are never touched).

        Same as ``rt.transfer.delete_collection`` (see there for details and examples).
        """
        return self.transfer.delete_collection(collection_id)

    def collection_path(self, collection_id: str, path: str = "/~/") -> Path:
        """The local path that ``path`` on ``collection_id`` names (sandbox for unknown ids).

        Same as ``rt.transfer.collection_path`` (see there for details and examples).
        """
        return self.transfer.collection_path(collection_id, path)

    def on_transfer_progress(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener(event)`` with the progress of every transfer and delete task.

        Same as ``rt.transfer.on_transfer_progress`` (see there for details and examples).
        """
        return self.transfer.on_transfer_progress(listener)

    # ------------------------------------------------------------------ search (rt.search)
    def create_search_index(
        self, display_name: str, description: str = "", *, index_id: str | None = None
    ) -> dict[str, Any]:
        """Create an index; returns its ``GSearchIndex`` document (id: a new UUID).

        Same as ``rt.search.create_search_index`` (see there for details and examples).
        """
        return self.search.create_search_index(display_name, description, index_id=index_id)

    def get_search_index(self, index_id: str) -> dict[str, Any]:
        """The ``GSearchIndex`` document of ``index_id`` (with ``num_subjects``/``num_entries``).

        Same as ``rt.search.get_search_index`` (see there for details and examples).
        """
        return self.search.get_search_index(index_id)

    def list_search_indexes(self) -> list[dict[str, Any]]:
        """Every index of this runtime (also those created by a first ingest).

        Same as ``rt.search.list_search_indexes`` (see there for details and examples).
        """
        return self.search.list_search_indexes()

    def delete_search_index(self, index_id: str) -> dict[str, Any]:
        """Delete an index and all its entries; returns its last document.

        Same as ``rt.search.delete_search_index`` (see there for details and examples).
        """
        return self.search.delete_search_index(index_id)

    def search_ingest(self, index_id: str, document: Any) -> dict[str, Any]:
        """Add or replace entries: a GMetaEntry, a GMetaList or a GIngest document.

        Same as ``rt.search.search_ingest`` (see there for details and examples).
        """
        return self.search.search_ingest(index_id, document)

    def search_query(
        self,
        index_id: str,
        q: str = "*",
        *,
        offset: int = 0,
        limit: int = 10,
        advanced: bool = False,
        filters: Sequence[Mapping[str, Any]] | None = None,
        sort: Sequence[Mapping[str, Any]] | None = None,
        principals: Sequence[str] | None = None,
        bypass_visible_to: bool = False,
    ) -> dict[str, Any]:
        """One page of results: ``{"@datatype": "GSearchResult", "count", "total", "offset",
        "has_next_page", "gmeta": [{"subject", "entries": [{"entry_id", "content",
        "matched_principal_sets"}]}]}``.

        Same as ``rt.search.search_query`` (see there for details and examples).
        """
        return self.search.search_query(
            index_id,
            q,
            offset=offset,
            limit=limit,
            advanced=advanced,
            filters=filters,
            sort=sort,
            principals=principals,
            bypass_visible_to=bypass_visible_to,
        )

    def search_get_subject(self, index_id: str, subject: str) -> dict[str, Any]:
        """The ``GMetaResult`` of one subject; NotFound if it has no visible entry.

        Same as ``rt.search.search_get_subject`` (see there for details and examples).
        """
        return self.search.search_get_subject(index_id, subject)

    def search_delete_subject(self, index_id: str, subject: str) -> int:
        """Delete every entry of ``subject``; returns how many were removed.

        Same as ``rt.search.search_delete_subject`` (see there for details and examples).
        """
        return self.search.search_delete_subject(index_id, subject)

    def search_delete_entry(self, index_id: str, subject: str, entry_id: str | None = None) -> int:
        """Delete one entry of ``subject`` (the default entry when ``entry_id`` is None).

        Same as ``rt.search.search_delete_entry`` (see there for details and examples).
        """
        return self.search.search_delete_entry(index_id, subject, entry_id)

    def search_delete_by_query(
        self,
        index_id: str,
        q: str = "*",
        *,
        advanced: bool = False,
        filters: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Delete every entry matching ``q`` and ``filters``; returns how many were removed.

        Same as ``rt.search.search_delete_by_query`` (see there for details and examples).
        """
        return self.search.search_delete_by_query(index_id, q, advanced=advanced, filters=filters)

    # ------------------------------------------------------------------ store
    def check_store(self, *, accept_loss: bool = False) -> StoreReport:
        """Check this home's store file (SQLite's ``integrity_check`` and Gladier's records).

        Works on a store that :meth:`open` refuses, and without opening this runtime. With
        ``accept_loss``, a store whose only problem is a lost or damaged write-ahead log is
        accepted as it is, so that it opens again (the changes in that log are lost).

        Example::

            report = Runtime(home="/tmp/lab").check_store()
            print(report.verdict())        # "ok: ..." or "damaged: ..." and what to do
        """
        from gladier.runtime.store.check import check_store

        return check_store(self.db.path, accept_loss=accept_loss)

    def backup_store(self, dest: str | os.PathLike[str]) -> Path:
        """Copy this home's store to ``dest`` (a new file, or a directory) with SQLite's online
        backup, while runs go on; return the copy's path.

        Example::

            Runtime(home="/tmp/lab").backup_store("/tmp/lab-backup.db")
        """
        from gladier.runtime.store.check import backup_store

        return backup_store(self.db.path, Path(dest).expanduser())

    # ------------------------------------------------------------------ providers
    def add_action_provider(
        self, url: str, provider: ActionProvider | Callable[[Any], Any]
    ) -> ActionProvider:
        """Serve ``url`` (a trailing slash never matters) with ``provider``.

        ``provider`` is an :class:`ActionProvider` or a plain function ``fn(body) -> details``.
        """
        return self.providers.add(url, provider)

    def action_provider_urls(self) -> list[str]:
        """The URLs served by this runtime (built-in ones included, installed or not yet)."""
        return self.providers.urls()
