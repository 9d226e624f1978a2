"""The embedded runtime behind the backend contract (the default backend).

Every client of a process that uses the same runtime home shares one
:class:`~gladier.runtime.Runtime`: it is created on first use (not when a client is built),
opened lazily, and closed when the interpreter exits. Closing leaves unfinished runs
resumable; the next process that opens the home continues them.

Example::

    from gladier.services.local import LocalBackend

    backend = LocalBackend()                       # $GLADIER_HOME, else ~/.gladier
    compute = backend.compute({})
    function_id = compute.register_function(my_function)
    flows = backend.flows({})
    flow = flows.create_flow("demo", definition, {})
    run = flows.run_flow(flow["id"], {"input": {"function_id": function_id}})
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import GladierException, NotFound
from gladier.services.base import AuthService, Backend, ComputeService, FlowsService
from gladier.services.runtimes import (
    close_shared_runtime,
    close_shared_runtimes,
    runtime_home,
    shared_runtime,
)
from gladier.storage.config import is_id_key

if TYPE_CHECKING:
    from gladier.runtime.runtime import Runtime
    from gladier.storage.config import GladierConfig

__all__ = [
    "LocalBackend",
    "LocalComputeService",
    "LocalFlowsService",
    "close_shared_runtime",
    "close_shared_runtimes",
    "runtime_home",
    "shared_runtime",
]

log = logging.getLogger(__name__)


def _fields(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class LocalFlowsService(FlowsService):
    """Flows and runs on the embedded runtime (documents exactly as the runtime returns them)."""

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self._runtime = runtime

    @property
    def runtime(self) -> Runtime:
        """The runtime this service uses."""
        return self._runtime()

    def create_flow(
        self,
        title: str,
        definition: Mapping[str, Any],
        input_schema: Mapping[str, Any],
        *,
        subtitle: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        flow_viewers: Sequence[str] | None = None,
        flow_starters: Sequence[str] | None = None,
        flow_administrators: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        subscription_id: str | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        fields = _fields(
            subtitle=subtitle,
            description=description,
            keywords=keywords,
            flow_viewers=flow_viewers,
            flow_starters=flow_starters,
            flow_administrators=flow_administrators,
            run_managers=run_managers,
            run_monitors=run_monitors,
            subscription_id=subscription_id,
        )
        if additional_fields:
            fields["additional_fields"] = dict(additional_fields)
        return self.runtime.create_flow(title, definition, input_schema, **fields)

    def update_flow(
        self,
        flow_id: str,
        *,
        title: str | None = None,
        definition: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        subtitle: str | None = None,
        description: str | None = None,
        keywords: Sequence[str] | None = None,
        flow_viewers: Sequence[str] | None = None,
        flow_starters: Sequence[str] | None = None,
        flow_administrators: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        subscription_id: str | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        fields = _fields(
            subtitle=subtitle,
            description=description,
            keywords=keywords,
            flow_viewers=flow_viewers,
            flow_starters=flow_starters,
            flow_administrators=flow_administrators,
            run_managers=run_managers,
            run_monitors=run_monitors,
            subscription_id=subscription_id,
        )
        if additional_fields:
            fields["additional_fields"] = dict(additional_fields)
        return self.runtime.update_flow(
            flow_id, title=title, definition=definition, input_schema=input_schema, **fields
        )

    def get_flow(self, flow_id: str) -> dict[str, Any]:
        return self.runtime.get_flow(flow_id)

    def delete_flow(self, flow_id: str) -> dict[str, Any]:
        return self.runtime.delete_flow(flow_id)

    def run_flow(
        self,
        flow_id: str,
        body: Mapping[str, Any],
        *,
        label: str | None = None,
        tags: Sequence[str] | None = None,
        run_managers: Sequence[str] | None = None,
        run_monitors: Sequence[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        if additional_fields:
            log.debug("The embedded runtime ignores run fields %s", sorted(additional_fields))
        return self.runtime.run_flow(
            flow_id,
            body,
            label=label,
            tags=tags,
            run_managers=run_managers,
            run_monitors=run_monitors,
            activity_notification_policy=activity_notification_policy,
        )

    def get_run(self, run_id: str, *, include_flow_description: bool = False) -> dict[str, Any]:
        return self.runtime.get_run(run_id, include_flow_description=include_flow_description)

    def get_run_logs(
        self,
        run_id: str,
        *,
        limit: int | None = None,
        reverse_order: bool = False,
        marker: str | None = None,
    ) -> dict[str, Any]:
        return self.runtime.get_run_logs(
            run_id, limit=limit, reverse_order=reverse_order, marker=marker
        )

    def cancel_run(self, run_id: str) -> dict[str, Any]:
        return self.runtime.cancel_run(run_id)

    def resume_run(self, run_id: str) -> dict[str, Any]:
        return self.runtime.resume_run(run_id)

    def wait(self, run_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Block until the run ends (``TimeoutError`` after ``timeout`` s); the run document.

        Not part of the contract: progress displays use it to wake up as soon as a run ends.
        """
        return self.runtime.wait(run_id, timeout=timeout)


class LocalComputeService(ComputeService):
    """Functions stored by value in the embedded runtime; tasks run on its local endpoints."""

    lookups_are_cheap = True

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self._runtime = runtime

    def register_function(
        self,
        function: Callable[..., Any],
        *,
        function_name: str | None = None,
        description: str | None = None,
        group: str | None = None,
    ) -> str:
        if group:
            log.debug("The embedded runtime has no groups; %s is not shared", function)
        return self._runtime().register_function(
            function, name=function_name, description=description
        )

    def get_function(self, function_id: str) -> dict[str, Any]:
        return self._runtime().get_function(function_id)

    def function_checksum(self, function: Callable[..., Any]) -> str:
        from gladier.runtime.compute.functions import function_checksum

        return function_checksum(function)

    @property
    def default_endpoint_id(self) -> str:
        from gladier.runtime.compute.constants import DEFAULT_ENDPOINT_ID

        return DEFAULT_ENDPOINT_ID


class LocalBackend(Backend):
    """The embedded runtime of ``home`` (default ``$GLADIER_HOME``, else ``~/.gladier``).

    Building a ``LocalBackend`` does no I/O; the shared runtime is created on first use.
    ``runtime`` uses that :class:`~gladier.runtime.Runtime` instead (one you configured with
    options or a clock; you close it).

    Example::

        >>> backend = LocalBackend("/tmp/gladier-doc-home")
        >>> backend.name, backend.describe()
        ('embedded', 'embedded runtime at /tmp/gladier-doc-home')
    """

    name = "embedded"
    poll_interval = 0.1
    storage_suffix = "embedded"

    def __init__(
        self, home: str | os.PathLike[str] | None = None, *, runtime: Runtime | None = None
    ) -> None:
        self._own_runtime = runtime
        self.home = runtime.home if runtime is not None else runtime_home(home)
        self._flows = LocalFlowsService(self.runtime)
        self._compute = LocalComputeService(self.runtime)
        self._auth: AuthService | None = None

    def runtime(self) -> Runtime:
        """The runtime given to the constructor, else the shared runtime of this home."""
        if self._own_runtime is not None:
            return self._own_runtime
        return shared_runtime(self.home)

    def flows(self, authorizers: Mapping[str, Any]) -> LocalFlowsService:
        return self._flows

    def compute(self, authorizers: Mapping[str, Any]) -> LocalComputeService:
        return self._compute

    @property
    def auth(self) -> AuthService:
        if self._auth is None:
            from gladier.services.local_auth import LocalAuthService

            self._auth = LocalAuthService(lambda: self.runtime().identity)
        return self._auth

    def describe(self) -> str:
        return f"embedded runtime at {self.home}"

    def _known_ids(self, ids: Mapping[str, str]) -> set[str]:
        """The keys of ``ids`` (``flow_id``, ``<fn>_function_id``) this runtime knows."""
        from gladier.runtime.runtime import DB_NAME, Runtime

        if self._own_runtime is None and not (self.home / DB_NAME).exists():
            return set()
        runtime = self._own_runtime or Runtime(home=self.home, scheduler=False)
        known: set[str] = set()
        try:
            for key, value in ids.items():
                lookup = runtime.get_flow if key == "flow_id" else runtime.get_function
                try:
                    lookup(value)
                except NotFound:
                    continue
                known.add(key)
        except GladierException as err:  # an unreadable store: adopt nothing, lose nothing
            log.warning("Could not look up stored ids in %s: %s", self.home, err)
        finally:
            if runtime is not self._own_runtime:
                runtime.close()
        return known

    def adopt_stored_ids(self, storage: GladierConfig, shared_section: str) -> None:
        """Move the ids of ``shared_section`` that this runtime knows (written there by earlier
        versions of this SDK) into ``storage.section``; ids it does not know (Globus's, written
        by Gladier 0.11 or the Globus backend) stay where they are.

        The section is created even when nothing moves, so this runs once per file.
        """
        storage.load()
        if not storage.has_section(shared_section):
            return
        ids = {
            key: value for key, value in storage.items(shared_section) if is_id_key(key) and value
        }
        known = self._known_ids(ids)
        with storage.locked():
            storage.load()
            for key in sorted(known):
                if key == "flow_id":
                    names: tuple[str, ...] = (key, "flow_checksum", "flow_providers_checksum")
                else:
                    names = (key, f"{key}_checksum")
                for name in names:
                    value = storage.get(shared_section, name, fallback=None)
                    if value is not None:
                        storage.set(storage.section, name, value)
                        storage.remove_option(shared_section, name)
            storage.save()
        log.info(
            "Config %s: %d id(s) of the embedded runtime moved from [%s] to [%s]",
            storage.filename,
            len(known),
            shared_section,
            storage.section,
        )
