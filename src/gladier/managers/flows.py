"""``FlowsManager``: keep the deployed flow in step with the definition, start runs, follow them.

The manager deploys the client's flow the first time it runs, and updates it whenever the
checksum of its definition, input schema and deployment fields (``flow_kwargs``, permissions,
subscription) differs from the one recorded in the client's config file. What happens on a
mismatch is ``on_change(manager, exc)``: by default :func:`ensure_flow_registered` deploys or
updates the flow; :func:`refuse_flow_changes` (what a client with ``auto_registration=False``
uses) raises ``NoFlowRegistered`` or ``FlowObsolete`` instead; ``None`` runs whatever is
deployed. Deploying is serialised per client config file
(:meth:`~gladier.storage.config.GladierConfig.deploying`) and checked again under that lock, so
processes that start the same client at once deploy one flow.

Example::

    manager = FlowsManager(flow_kwargs={"subtitle": "nightly"}, run_kwargs={"tags": ["nightly"]})
    client = MyClient(flows_manager=manager)
    run = client.run_flow({"input": {"tar_input": "~/data"}}, label="night of 3 May")
    manager.progress(run["run_id"])
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from gladier.exc import (
    ConfigException,
    DevelopmentException,
    FlowObsolete,
    NoFlowRegistered,
    RegistrationException,
    ServiceError,
)
from gladier.managers.service import ServiceManager
from gladier.services.base import FlowsService
from gladier.services.scopes import FLOWS_SCOPES, action_providers, flow_scope
from gladier.utils.automate import deserialize_exception, get_details, is_compute_response

__all__ = [
    "TERMINAL_STATUSES",
    "FlowsManager",
    "ensure_flow_registered",
    "refuse_flow_changes",
]

log = logging.getLogger(__name__)

#: Run statuses after which a run never changes again.
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "ENDED"})
#: The longest run label the Flows service accepts.
MAX_LABEL_LENGTH = 64
#: Fields ``create_flow``/``update_flow`` take by name; other ``flow_kwargs`` are passed as
#: ``additional_fields``.
_FLOW_FIELDS = frozenset(
    {
        "subtitle",
        "description",
        "keywords",
        "flow_viewers",
        "flow_starters",
        "flow_administrators",
        "run_managers",
        "run_monitors",
        "subscription_id",
    }
)
_RUN_FIELDS = frozenset(
    {
        "label",
        "tags",
        "run_managers",
        "run_monitors",
        "activity_notification_policy",
        "additional_fields",
    }
)
_URN_PREFIXES = {"group": "urn:globus:groups:id:", "identity": "urn:globus:auth:identity:"}
_PERMISSIONS = frozenset(
    {"flow_viewers", "flow_starters", "flow_administrators", "run_managers", "run_monitors"}
)

#: Config option: checksum of the action providers the deployed flow calls.
PROVIDERS_KEY = "flow_providers_checksum"

OnChange = Callable[["FlowsManager", RegistrationException], Any]


def ensure_flow_registered(flows_manager: FlowsManager, exc: RegistrationException) -> None:
    """Default ``on_change``: deploy the flow, or update it, because of ``exc``."""
    log.info("Deploying or updating the flow: %s", exc)
    flows_manager.register_flow()


def refuse_flow_changes(flows_manager: FlowsManager, exc: RegistrationException) -> None:
    """``on_change`` that deploys nothing: re-raise ``NoFlowRegistered`` or ``FlowObsolete``."""
    raise exc


def _providers_checksum(definition: Mapping[str, Any]) -> str:
    text = json.dumps(sorted(action_providers(definition)))
    return hashlib.sha256(text.encode()).hexdigest()


def truncate_label(label: str) -> str:
    """A run label cut to the service's 64 characters, ending in ``..`` when cut (as 0.11).

    Example::

        >>> len(truncate_label("x" * 100)), truncate_label("x" * 100)[-3:]
        (64, 'x..')
    """
    if len(label) <= MAX_LABEL_LENGTH:
        return label
    return label[: MAX_LABEL_LENGTH - 2] + ".."


def _readable_cause(document: dict[str, Any]) -> None:
    """Make the compute failure that ended a FAILED run readable, in place."""
    details = document.get("details")
    inner = details.get("details") if isinstance(details, dict) else None
    if not isinstance(inner, dict):
        return
    cause = inner.get("cause")
    if isinstance(cause, str) and cause.lstrip().startswith("{"):
        try:
            cause = json.loads(cause)
        except ValueError:
            return
    if not isinstance(cause, dict) or not is_compute_response(cause):
        return
    action_details = cause["details"]
    if action_details.get("exception"):
        action_details["exception"] = deserialize_exception(action_details["exception"])
        inner["cause"] = cause


def readable_run(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a run document with every compute exception turned into text."""
    result = get_details(document)
    _readable_cause(result)
    return dict(result)


class FlowsManager(ServiceManager):
    """Deploys, updates and runs one flow (see the module documentation).

    ``flow_id`` pins an existing flow (then a 404 is an error, not a reason to redeploy).
    ``flow_kwargs`` are sent when deploying (``subtitle``, ``description``, ``keywords``, ...),
    ``run_kwargs`` with every run (``tags``, ``label``, ...). ``auto_registration=False``
    (what Gladier 0.11's client passes) replaces the default ``on_change`` by
    :func:`refuse_flow_changes`.
    """

    AVAILABLE_SCOPES = list(FLOWS_SCOPES)

    def __init__(
        self,
        flow_id: str | None = None,
        flow_definition: Mapping[str, Any] | None = None,
        flow_schema: Mapping[str, Any] | None = None,
        flow_title: str | None = None,
        globus_group: str | None = None,
        subscription_id: str | None = None,
        on_change: OnChange | None = ensure_flow_registered,
        redeploy_on_404: bool = True,
        flow_kwargs: Mapping[str, Any] | None = None,
        run_kwargs: Mapping[str, Any] | None = None,
        auto_registration: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.flow_id = flow_id
        self.flow_definition = flow_definition
        self.flow_schema = flow_schema
        self.flow_title = flow_title
        self.globus_group = globus_group
        self.subscription_id = subscription_id
        if not auto_registration and on_change is ensure_flow_registered:
            on_change = refuse_flow_changes
        self.on_change = on_change
        self.redeploy_on_404 = redeploy_on_404 and flow_id is None
        self.flow_kwargs: dict[str, Any] = dict(flow_kwargs or {})
        self.run_kwargs: dict[str, Any] = dict(run_kwargs or {})
        if flow_id is not None and redeploy_on_404:
            log.info("Flow id %s given explicitly: redeploy_on_404 is off", flow_id)

    # ------------------------------------------------------------------ definition
    @property
    def flow_definition(self) -> dict[str, Any] | None:
        """The definition to deploy (set by the client before every sync)."""
        return self._flow_definition

    @flow_definition.setter
    def flow_definition(self, value: Mapping[str, Any] | None) -> None:
        self._flow_definition = dict(value) if value is not None else None

    @property
    def flow_schema(self) -> dict[str, Any]:
        """The input schema to deploy; ``{"additionalProperties": True}`` when none is set."""
        return dict(self._flow_schema) if self._flow_schema else {"additionalProperties": True}

    @flow_schema.setter
    def flow_schema(self, value: Mapping[str, Any] | None) -> None:
        self._flow_schema = dict(value) if value else None

    # ------------------------------------------------------------------ scopes and clients
    def get_scopes(self) -> list[str]:
        scopes = list(self.AVAILABLE_SCOPES)
        scope = self.flow_scope
        if scope:
            scopes.append(scope)
        return scopes

    @property
    def flow_scope(self) -> str | None:
        """The scope to run the flow (``None`` while no flow is deployed)."""
        try:
            flow_id = self.get_flow_id()
        except ConfigException:
            return None
        return flow_scope(flow_id) if flow_id else None

    @property
    def flows_client(self) -> FlowsService:
        """The flows service, with the login manager's authorizers (logging in if needed)."""
        return self.backend.flows(self.get_authorizers())

    @property
    def specific_flow_client(self) -> FlowsService:
        """The service that runs this flow (the same service; ``run_flow`` takes the flow id)."""
        return self.flows_client

    def refresh_specific_flow_client(self) -> FlowsService:
        """A flows service built with the current authorizers."""
        return self.flows_client

    refresh_flows_client = refresh_specific_flow_client

    # ------------------------------------------------------------------ permissions
    @staticmethod
    def get_globus_urn(uuid: str, id_type: str = "group") -> str:
        """``uuid`` with its Globus URN prefix (``id_type`` is ``group`` or ``identity``).

        Example::

            >>> FlowsManager.get_globus_urn("0a1b", "identity")
            'urn:globus:auth:identity:0a1b'
        """
        if id_type not in _URN_PREFIXES:
            raise DevelopmentException(
                f'"id_type" must be one of {sorted(_URN_PREFIXES)}, not {id_type!r}'
            )
        return f"{_URN_PREFIXES[id_type]}{uuid}"

    def get_flow_permission(
        self, permission_type: str, identities: list[str] | None = None
    ) -> list[str] | None:
        """Who gets ``permission_type`` (the client's ``globus_group``, if set; else defaults)."""
        if permission_type not in _PERMISSIONS:
            raise DevelopmentException(
                f"permission_type must be one of {sorted(_PERMISSIONS)}, not {permission_type!r}"
            )
        if identities is None and self.globus_group:
            identities = [self.get_globus_urn(self.globus_group)]
        return identities

    def _permissions(self, kinds: tuple[str, ...]) -> dict[str, list[str]]:
        found = {kind: self.get_flow_permission(kind) for kind in kinds}
        return {kind: value for kind, value in found.items() if value}

    def deployment_fields(self) -> dict[str, Any]:
        """What is sent with the definition: permissions, subscription and ``flow_kwargs``."""
        fields: dict[str, Any] = self._permissions(
            ("flow_viewers", "flow_starters", "flow_administrators")
        )
        if self.subscription_id:
            fields["subscription_id"] = self.subscription_id
        fields.update(self.flow_kwargs)
        return fields

    # ------------------------------------------------------------------ checksum and state
    def get_flow_checksum(
        self,
        flow_definition: Mapping[str, Any] | None = None,
        flow_schema: Mapping[str, Any] | None = None,
        flow_kwargs: Mapping[str, Any] | None = None,
    ) -> str:
        """SHA-256 over the definition, the schema and the deployment fields (sorted JSON).

        Each argument defaults to the manager's current value. The same value is checked and
        stored, so a flow with ``flow_kwargs`` is not redeployed on every run (0.11 stored a
        checksum without them).
        """
        document = {
            "definition": self.flow_definition if flow_definition is None else flow_definition,
            "input_schema": self.flow_schema if flow_schema is None else flow_schema,
            "flow_kwargs": self.deployment_fields() if flow_kwargs is None else flow_kwargs,
        }
        text = json.dumps(document, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def get_flow_id(self) -> str | None:
        """The explicit ``flow_id``, else the one stored for this client, else ``None``."""
        return self.flow_id or self.storage.get_value("flow_id")

    def check_flow(self) -> None:
        """Raise ``NoFlowRegistered`` or ``FlowObsolete`` when the deployment is not current."""
        flow_id = self.get_flow_id()
        if not flow_id:
            raise NoFlowRegistered(
                f"No flow is deployed yet for [{self.storage.section}] in "
                f"{self.storage.filename} (no flow_id stored)",
                ["flow_id"],
            )
        if self.storage.get_value("flow_checksum") != self.get_flow_checksum():
            raise FlowObsolete(
                f"The flow definition (or its schema or flow_kwargs) changed since flow "
                f"{flow_id} was deployed; it needs to be updated",
                [flow_id],
            )

    def flow_changed(self) -> bool:
        """Whether the flow is missing or differs from the current definition."""
        try:
            self.check_flow()
        except RegistrationException:
            return True
        return False

    def _require_definition(self) -> dict[str, Any]:
        if not self.flow_definition:
            raise ConfigException(
                "FlowsManager has no flow_definition to deploy; use it through a Gladier client "
                "or set flow_definition first"
            )
        return self.flow_definition

    # ------------------------------------------------------------------ deploy
    def sync_flow(self) -> str | None:
        """Make the deployment current (through ``on_change``); returns the flow id.

        ``on_change`` runs under the config file's deploy lock, and only if the deployment is
        still not current once the lock is held (another process may have deployed it).
        """
        try:
            self.check_flow()
        except RegistrationException as exc:
            if self.on_change is None:
                log.info("on_change is None, not deploying: %s", exc)
                return self.get_flow_id()
            with self.storage.deploying():
                try:
                    self.check_flow()
                except RegistrationException as still:
                    self.on_change(self, still)
        return self.get_flow_id()

    def _split_fields(self) -> tuple[str, dict[str, Any]]:
        fields = self.deployment_fields()
        title = str(fields.pop("title", None) or self.flow_title or "Gladier flow")
        extra = {key: fields.pop(key) for key in list(fields) if key not in _FLOW_FIELDS}
        if extra:
            fields["additional_fields"] = extra
        return title, fields

    def register_flow(self) -> str:
        """Update the stored flow, or deploy a new one; returns its id.

        A stored flow the service no longer knows (404) is replaced by a new deployment,
        unless an explicit ``flow_id`` was given. When an update changes the action providers
        the flow calls, the consent to the flow's scope no longer covers them: the flow scope
        is marked as changed, so the next login (before the next run, not after a refused
        one) asks for it again. A flow given by id with no ``flow_definition`` gets only its
        deployment fields (permissions, ``flow_kwargs``) updated. Runs under the config file's
        deploy lock.
        """
        with self.storage.deploying():
            return self._register_flow()

    def _register_flow(self) -> str:
        flow_id = self.get_flow_id()
        definition = self._require_definition() if not flow_id else self.flow_definition
        title, fields = self._split_fields()
        checksum = self.get_flow_checksum()
        service = self.flows_client
        if flow_id:
            try:
                log.info("Updating flow %s", flow_id)
                changes = dict(fields)
                if definition is not None:
                    changes.update(
                        title=title, definition=definition, input_schema=self.flow_schema
                    )
                service.update_flow(flow_id, **changes)
                self.storage.set_value("flow_checksum", checksum)
                if definition is not None:
                    self._check_consent(flow_id, definition)
                return flow_id
            except ServiceError as err:
                if err.http_status != 404 or not self.redeploy_on_404:
                    raise
                log.warning("Flow %s no longer exists (%s); deploying a new one", flow_id, err)
                self.purge_flow()
        definition = self._require_definition()
        log.info("Deploying flow %r", title)
        flow = service.create_flow(title, definition, self.flow_schema, **fields)
        self.storage.set_value("flow_id", flow["id"])
        self.storage.set_value("flow_checksum", checksum)
        self.storage.set_value(PROVIDERS_KEY, _providers_checksum(definition))
        if self.login_manager is not None:
            self.login_manager.add_requirements(
                [flow.get("globus_auth_scope") or flow_scope(flow["id"])]
            )
        return str(flow["id"])

    def _check_consent(self, flow_id: str, definition: Mapping[str, Any]) -> None:
        """Mark the flow scope as changed when the update changed the action providers (known
        from the checksum of the providers stored at the last deployment; without one, as in
        0.11, a refused run asks for the consent)."""
        before = self.storage.get_value(PROVIDERS_KEY)
        after = _providers_checksum(definition)
        if before != after:
            self.storage.set_value(PROVIDERS_KEY, after)
        if before is None or before == after or self.login_manager is None:
            return
        log.info(
            "Flow %s now calls other action providers: its scope needs a new consent",
            flow_id,
        )
        self.login_manager.add_scope_change([flow_scope(flow_id)])

    def purge_flow(self) -> None:
        """Forget the stored flow id and checksum (the deployed flow itself stays), and stop
        requiring that flow's scope."""
        scope = self.flow_scope if not self.flow_id else None
        self.storage.del_value("flow_id")
        self.storage.del_value("flow_checksum")
        self.storage.del_value(PROVIDERS_KEY)
        remove = getattr(self.login_manager, "remove_requirements", None)
        if scope and remove is not None:
            remove([scope])

    # ------------------------------------------------------------------ runs
    def _run_arguments(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        body = kwargs.pop("body", None)
        legacy = kwargs.pop("flow_input", None)
        if body is None:
            body = legacy if legacy is not None else {}
        arguments = {**self.run_kwargs, **kwargs}
        unknown = sorted(set(arguments) - _RUN_FIELDS)
        if unknown:
            raise ConfigException(
                f"run_flow() got unknown argument(s) {', '.join(unknown)}; it accepts "
                f"{', '.join(sorted(_RUN_FIELDS))}"
            )
        for kind, value in self._permissions(("run_managers", "run_monitors")).items():
            arguments.setdefault(kind, value)
        label = arguments.get("label")
        if isinstance(label, str):
            arguments["label"] = truncate_label(label)
        return dict(body), arguments

    def run_flow(self, **kwargs: Any) -> dict[str, Any]:
        """Start the deployed flow; returns the run document (``run_id``, ``action_id``).

        Takes ``body`` (0.8: ``flow_input``) and the run fields ``label`` (cut to 64
        characters), ``tags``, ``run_managers``, ``run_monitors``,
        ``activity_notification_policy`` and ``additional_fields``; ``run_kwargs`` supply
        defaults. A flow the service no longer knows is redeployed (unless the flow id is
        explicit); a missing consent triggers a new login. A run that fails at once raises
        :class:`~gladier.exc.ConfigException`.
        """
        body, arguments = self._run_arguments(kwargs)
        flow_id = self.get_flow_id()
        if not flow_id:
            raise NoFlowRegistered(
                "No flow is deployed yet: call sync_flow() first (a client's run_flow() does)",
                ["flow_id"],
            )
        try:
            run = self.flows_client.run_flow(flow_id, body, **arguments)
        except ServiceError as err:
            if err.http_status == 403 and err.code == "MISSING_SCOPE":
                log.info("The flow needs a new consent; logging in again")
                if self.login_manager is not None and self.flow_scope:
                    self.login_manager.add_scope_change([self.flow_scope])
                run = self.flows_client.run_flow(flow_id, body, **arguments)
            elif err.http_status == 404 and self.redeploy_on_404:
                log.warning("Flow %s returned 404; deploying it again", flow_id)
                with self.storage.deploying():
                    if self.get_flow_id() == flow_id:  # not redeployed by another process
                        self.purge_flow()
                    flow_id = self.sync_flow()
                if not flow_id:
                    raise
                run = self.flows_client.run_flow(flow_id, body, **arguments)
            else:
                raise
        log.info("Started run %s of flow %s (label %r)", run["run_id"], flow_id, run.get("label"))
        if run.get("status") == "FAILED":
            details = run.get("details") or {}
            raise ConfigException(f"Flow Failed: {details.get('description', details)}")
        return run

    def get_status(self, run_id: str) -> dict[str, Any]:
        """The run document, with compute failures turned into readable text."""
        return readable_run(self.flows_client.get_run(run_id))

    def get_details(self, run_id: str, state_name: str) -> Any:
        """One state's result in the run (the whole readable document if it has none yet)."""
        return get_details(self.get_status(run_id), state_name)

    def progress(
        self,
        run_id: str,
        callback: Callable[[dict[str, Any]], Any] | None = None,
        delay: float | None = None,
    ) -> dict[str, Any]:
        """Follow a run until it ends (``SUCCEEDED``, ``FAILED`` or ``ENDED``); returns the end.

        ``callback(status)`` is called with every status polled, the first and the last
        included, ``delay`` seconds apart (default: the backend's poll interval, 0.1 s on the
        embedded runtime, 2 s on Globus). Without a callback :func:`gladier.progress.watch_run`
        shows each new state and status once: a live view on a terminal, plain lines
        otherwise.
        """
        interval = self.backend.poll_interval if delay is None else float(delay)
        if callback is None:
            from gladier.progress import watch_run

            return readable_run(watch_run(self.flows_client, run_id, interval=interval))
        status = self.get_status(run_id)
        callback(status)
        while status.get("status") not in TERMINAL_STATUSES:
            time.sleep(interval)
            status = self.get_status(run_id)
            callback(status)
        return status
