"""``GladierBaseClient``: tools combined into one flow, registered, run and followed.

A client lists its tools; decorated with ``@generate_flow_definition`` it chains their flows
into one definition. Running it registers the compute functions whose code changed, deploys or
updates the flow, checks the input and starts a run::

    from gladier import GladierBaseClient, generate_flow_definition

    @generate_flow_definition
    class TarAndEncrypt(GladierBaseClient):
        "Archive a folder, then encrypt the archive."
        gladier_tools = ["gladier_tools.posix.Tar", "gladier_tools.posix.Encrypt"]

    client = TarAndEncrypt()
    run = client.run_flow({"input": {"tar_input": "~/data", "encrypt_input": "~/data.tgz",
                                     "encrypt_key": "my secret"}}, label="first try")
    client.progress(run["run_id"])
    print(client.get_status(run["run_id"])["status"])          # SUCCEEDED

By default everything runs on the embedded runtime (``$GLADIER_HOME``, else ``~/.gladier``);
``GLADIER_BACKEND=globus`` or a class attribute ``backend = "globus"`` selects Globus. The
client's ids and checksums live in ``<home>/<client_id>.cfg``, in a section named after the
client class.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from gladier.client_setup import (
    client_credentials,
    client_login_manager,
    client_storage,
    wire_managers,
)
from gladier.exc import AuthException, ConfigException
from gladier.flowgen import (
    definition_compute_functions,
    function_id_inputs,
    generated_client_definition,
    resolve_tool,
    resolve_tools,
)
from gladier.flowgen.imports import import_string, parse_alias
from gladier.flowgen.names import get_compute_function_name
from gladier.flowgen.tool_alias import StateSuffixVariablePrefix, ToolAlias
from gladier.managers.compute import ComputeManager
from gladier.managers.flows import FlowsManager
from gladier.managers.login import BaseLoginManager
from gladier.services import select_backend
from gladier.version import __version__

__all__ = ["GladierBaseClient", "GladierClient"]

log = logging.getLogger(__name__)

COMPUTE_ENDPOINT_KEY = "compute_endpoint"

_SHAPE_EXAMPLE = 'client.run_flow({"input": {"tar_input": "~/data", "compute_endpoint": "..."}})'


def _input_shape_error(flow_input: Any) -> ConfigException:
    if isinstance(flow_input, Mapping):
        got = f"a dict with keys {sorted(map(str, flow_input))}"
        if "flow_input" in flow_input:
            got += ' (pass the dict itself as flow_input=..., not wrapped in {"flow_input": ...})'
        elif "input" in flow_input and not isinstance(flow_input["input"], Mapping):
            got = f'"input" holding {type(flow_input["input"]).__name__}, not a dict'
    else:
        got = f"{type(flow_input).__name__} {flow_input!r}"
    return ConfigException(
        'Malformed flow input: all input must be nested in a dict under the one key "input", '
        f"as in\n    {_SHAPE_EXAMPLE}\ngot {got}"
    )


class GladierBaseClient:
    """Combine tools into one flow; register, deploy, run and follow it.

    Constructor (Gladier 0.8 through 0.11):

    * ``authorizers``: ``{scope: authorizer}`` to use instead of logging in (0.8, deprecated:
      pass ``login_manager=CallbackLoginManager(authorizers)``); raises
      :class:`~gladier.exc.AuthException` listing the scopes missing from it;
    * ``auto_login``: ``False`` never logs in by itself (0.8, deprecated);
    * ``auto_registration``: ``False`` never registers functions or deploys the flow; a stale
      one raises ``NoFlowRegistered``, ``FlowObsolete`` or ``FunctionObsolete``;
    * ``login_manager``, ``flows_manager``, ``compute_manager``: replace the default managers.

    Class variables: ``gladier_tools``, ``flow_definition`` (a dict, or a dotted path to a tool
    or a dict), ``flow_schema``, ``secret_config_filename``, ``app_name``, ``client_id``,
    ``globus_group``, ``subscription_id``, ``alias_class``, ``flow_kwargs``, ``run_kwargs``,
    ``backend`` (``"embedded"``, ``"globus"`` or a :class:`~gladier.services.Backend`), and
    ``strict_compute``: ``True`` deploys every Compute state with
    ``ExceptionOnActionFailure: true``, so a function that raises fails the run instead of
    leaving a ``FAILED`` result in a ``SUCCEEDED`` run (:mod:`gladier.flowgen.strict`).

    Example::

        >>> from gladier import GladierBaseClient
        >>> class Greeter(GladierBaseClient):
        ...     flow_definition = {"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}
        >>> Greeter().get_flow_definition()["StartAt"]
        'Hi'
    """

    gladier_tools: list[Any] = []
    flow_definition: Any = None
    flow_schema: dict[str, Any] | None = None
    secret_config_filename: str | None = None
    app_name: str = "Gladier Client"
    client_id: str = "f1631610-d9e4-4db2-81ba-7f93ad4414e3"
    globus_group: str | None = None
    subscription_id: str | None = None
    alias_class: type[ToolAlias] | None = StateSuffixVariablePrefix
    flow_kwargs: dict[str, Any] | None = None
    run_kwargs: dict[str, Any] | None = None
    backend: Any = None
    strict_compute: bool = False

    def __init__(
        self,
        authorizers: Mapping[str, Any] | None = None,
        auto_login: bool = True,
        auto_registration: bool = True,
        login_manager: BaseLoginManager | None = None,
        flows_manager: FlowsManager | None = None,
        compute_manager: ComputeManager | None = None,
    ) -> None:
        self.auto_registration = auto_registration
        self._tools: list[Any] | None = None
        self.backend = select_backend(self)
        client_id, client_secret = client_credentials(self, authorizers, login_manager)
        self.storage = client_storage(self, client_id)
        self.login_manager = client_login_manager(
            self, authorizers, auto_login, login_manager, client_id, client_secret
        )
        self.flows_manager = flows_manager or FlowsManager(auto_registration=auto_registration)
        self.compute_manager = compute_manager or ComputeManager(
            auto_registration=auto_registration
        )
        wire_managers(self)
        generated = generated_client_definition(self)
        if generated is not None:
            self.flow_definition = generated
        if authorizers:
            missing = self.login_manager.get_missing_authorizers()
            if missing:
                raise AuthException(f"Missing Authorizers: {missing}", missing)
        log.info("%r ready (config %s)", self, self.storage.filename)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(backend={self.backend.describe()!r})"

    # ------------------------------------------------------------------ tools and definition
    @staticmethod
    def get_gladier_defaults_cls(tool_ref: Any, alias_class: type[ToolAlias] | None = None) -> Any:
        """A tool instance for a ``gladier_tools`` entry (class, instance or dotted string).

        Raises :class:`~gladier.exc.ConfigException` naming a bad reference.

        Example::

            tool = GladierBaseClient.get_gladier_defaults_cls(
                "gladier_tools.posix.Tar:First", StateSuffixVariablePrefix)
        """
        return resolve_tool(tool_ref, alias_class)

    @property
    def version(self) -> str:
        """This Gladier's version."""
        return __version__

    @property
    def tools(self) -> list[Any]:
        """The client's tools as instances (resolved once)."""
        if self._tools is None:
            self._tools = resolve_tools(self.gladier_tools or [], self.alias_class)
        return self._tools

    def get_flow_definition(self) -> dict[str, Any]:
        """The flow definition: the generated one, the ``flow_definition`` dict, or the one of
        the tool (or dict) a dotted ``flow_definition`` string names; with ``strict_compute``,
        every Compute state in it has ``ExceptionOnActionFailure: true``.

        Raises :class:`~gladier.exc.ConfigException` when there is none.
        """
        definition = self._definition()
        if self.strict_compute:
            from gladier.flowgen.strict import strict_compute_definition

            return strict_compute_definition(definition)
        return definition

    def _definition(self) -> dict[str, Any]:
        definition = self.flow_definition
        if isinstance(definition, str):
            path, alias = parse_alias(definition)
            target: Any = None
            if alias is None:
                try:
                    target = import_string(path)
                except ImportError as err:
                    raise ConfigException(
                        f'Cannot import flow_definition "{definition}": {err}'
                    ) from err
            if isinstance(target, Mapping):
                return dict(target)
            resolved = resolve_tool(definition, self.alias_class).get_flow_definition()
            if not isinstance(resolved, Mapping):
                raise ConfigException(
                    f'flow_definition "{definition}" names a tool without a flow_definition'
                )
            return dict(resolved)
        if isinstance(definition, Mapping) and definition:
            return definition if isinstance(definition, dict) else dict(definition)
        if not definition:
            raise ConfigException(
                f'"flow_definition" was not set on {type(self).__name__}: decorate the class '
                "with @generate_flow_definition, or set flow_definition to a dict or to a "
                'dotted path such as "mypackage.tools.MyTool"'
            )
        raise ConfigException(
            f'"flow_definition" on {type(self).__name__} must be a dict or a dotted import '
            f"string, not {type(definition).__name__}"
        )

    def get_flow_schema(self) -> dict[str, Any] | None:
        """The flow's input schema (``None``: the default, which accepts any input)."""
        return self.flow_schema

    # ------------------------------------------------------------------ login
    @property
    def scopes(self) -> list[str]:
        """The scopes this client needs (the flow's own scope once the flow exists)."""
        return list(self.login_manager.required_scopes)

    @property
    def missing_authorizers(self) -> list[str]:
        """The needed scopes the login manager has no authorizer for."""
        return self.login_manager.get_missing_authorizers()

    def is_logged_in(self) -> bool:
        """Whether every needed scope has an authorizer.

        Example::

            client.is_logged_in()    # False before the first login()
        """
        return self.login_manager.is_logged_in()

    def login(self) -> None:
        """Log in for the missing scopes (nothing happens when none is missing).

        On the embedded runtime this is local and instant; with a
        :class:`~gladier.managers.CallbackLoginManager` without callback it raises
        :class:`~gladier.exc.AuthException` listing the missing scopes.
        """
        missing = self.missing_authorizers
        if not missing:
            log.debug("Already logged in")
            return
        self.login_manager.login(missing)
        self.login_manager.clear_scope_changes()

    def logout(self) -> bool:
        """Forget (and where possible revoke) the client's tokens."""
        return self.login_manager.logout()

    # ------------------------------------------------------------------ registration
    def _stored_definition(self) -> Any:
        definition = self.flow_definition
        if isinstance(definition, str):
            try:
                return self.get_flow_definition()
            except ConfigException:
                return None
        return definition

    def get_compute_function_ids(self) -> dict[str, str]:
        """``{input key: function id}`` for every compute function of the flow.

        Functions whose code changed since they were registered are registered again (or,
        with ``auto_registration=False``, raise ``FunctionObsolete``). Two different functions
        that would share one key raise :class:`~gladier.exc.ConfigException`.
        """
        wanted: dict[str, tuple[Any, Callable[..., Any]]] = {}
        for tool in self.tools:
            for key, function in function_id_inputs(tool).items():
                self._claim(wanted, key, tool, function)
        for function in definition_compute_functions(self._stored_definition()):
            self._claim(wanted, get_compute_function_name(function), None, function)
        return {
            key: self.compute_manager.validate_function(owner, function, input_key=key)[1]
            for key, (owner, function) in wanted.items()
        }

    def _claim(
        self,
        wanted: dict[str, tuple[Any, Callable[..., Any]]],
        key: str,
        owner: Any,
        function: Callable[..., Any],
    ) -> None:
        previous = wanted.get(key)
        if previous is None:
            wanted[key] = (owner, function)
            return
        other = previous[1]
        if other is function:
            return
        checksum = self.compute_manager.get_compute_function_checksum
        if checksum(other) == checksum(function):
            return
        names = [
            type(o).__name__ if o is not None else "the flow definition"
            for o in (previous[0], owner)
        ]
        raise ConfigException(
            f"Two different compute functions need the same input key {key!r}: "
            f"{other.__module__}.{other.__qualname__} ({names[0]}) and "
            f"{function.__module__}.{function.__qualname__} ({names[1]}). Both states would "
            "run the same function; rename one function or alias one of the tools"
        )

    def get_funcx_function_ids(self) -> dict[str, str]:
        """Gladier 0.8's name for :meth:`get_compute_function_ids`."""
        return self.get_compute_function_ids()

    def get_flow_id(self) -> str | None:
        """The id of the deployed flow (``None`` before the first deployment)."""
        return self.flows_manager.get_flow_id()

    def sync_flow(self) -> str | None:
        """Deploy the flow, or update it when its definition, schema or kwargs changed.

        Returns the flow id. With ``auto_registration=False`` a missing or stale flow raises
        ``NoFlowRegistered`` or ``FlowObsolete``.
        """
        self.flows_manager.flow_definition = self.get_flow_definition()
        self.flows_manager.flow_schema = self.get_flow_schema()
        return self.flows_manager.sync_flow()

    # ------------------------------------------------------------------ input
    def _needs_compute_endpoint(self) -> bool:
        for tool in self.tools:
            declared = [*(tool.required_input or []), *(tool.flow_input or {})]
            if COMPUTE_ENDPOINT_KEY in declared:
                return True
        definition = self._stored_definition()
        if not isinstance(definition, Mapping):
            return False
        return f"$.input.{COMPUTE_ENDPOINT_KEY}" in json.dumps(definition, default=str)

    def get_input(self) -> dict[str, Any]:
        """The default run input: ``{"input": {...}}``.

        It holds each function id (registering functions as needed), each tool's
        ``flow_input`` defaults, the values the client's config section sets for any input
        a tool declares, and, when the flow needs ``compute_endpoint`` and nothing else sets
        it, the backend's default endpoint (on the embedded runtime: the local default
        endpoint).
        """
        flow_input: dict[str, Any] = dict(self.get_compute_function_ids())
        overrides = self.storage.section_items()
        for tool in self.tools:
            defaults = tool.get_flow_input()
            flow_input.update(defaults)
            for key in [*defaults, *tool.get_required_input()]:
                if overrides.get(key):
                    flow_input[key] = overrides[key]
        if COMPUTE_ENDPOINT_KEY not in flow_input and self._needs_compute_endpoint():
            endpoint = overrides.get(COMPUTE_ENDPOINT_KEY) or (
                self.compute_manager.compute_client.default_endpoint_id
            )
            if endpoint:
                flow_input[COMPUTE_ENDPOINT_KEY] = endpoint
        return {"input": flow_input}

    def check_input(self, tool: Any, flow_input: Mapping[str, Any]) -> None:
        """Raise :class:`~gladier.exc.ConfigException` naming ``tool`` and the first required
        input key missing from ``flow_input`` (``{"input": {...}}``)."""
        values = flow_input.get("input") or {}
        for key in tool.get_required_input():
            if key not in values:
                alias = f" (alias {tool.alias!r})" if getattr(tool, "alias", None) else ""
                raise ConfigException(
                    f'{type(tool).__name__}{alias} requires flow input value: "{key}". Pass it '
                    f'in run_flow({{"input": {{"{key}": ...}}}}), or set it in the '
                    f"[{self.storage.section}] section of {self.storage.filename}"
                )

    def check_all_input(self, flow_input: Mapping[str, Any]) -> None:
        """Raise one :class:`~gladier.exc.ConfigException` naming every required input key
        missing from ``flow_input`` (``{"input": {...}}``), for every tool.

        Example::

            client.check_all_input({"input": {}})
            # ConfigException: 2 required flow input values are missing: Tar requires flow
            # input value: "tar_input"; Tar requires flow input value: "compute_endpoint". ...
        """
        values = flow_input.get("input") or {}
        missing = []
        for tool in self.tools:
            alias = f" (alias {tool.alias!r})" if getattr(tool, "alias", None) else ""
            for key in tool.get_required_input():
                if key not in values:
                    missing.append((f"{type(tool).__name__}{alias}", key))
        if not missing:
            return
        if len(missing) == 1:
            for tool in self.tools:
                self.check_input(tool, flow_input)
        keys = list(dict.fromkeys(key for _, key in missing))
        needs = "; ".join(f'{name} requires flow input value: "{key}"' for name, key in missing)
        example = ", ".join(f'"{key}": ...' for key in keys)
        raise ConfigException(
            f"{len(missing)} required flow input values are missing: {needs}. Pass them in "
            f'run_flow({{"input": {{{example}}}}}), or set them in the '
            f"[{self.storage.section}] section of {self.storage.filename}"
        )

    # ------------------------------------------------------------------ runs
    def run_flow(
        self,
        flow_input: Mapping[str, Any] | None = None,
        use_defaults: bool = True,
        **flow_kwargs: Any,
    ) -> dict[str, Any]:
        """Start a run; returns the run document (``run_id`` and ``action_id``).

        ``flow_input`` must be ``{"input": {...}}``; it is merged over :meth:`get_input` (unless
        ``use_defaults=False``) and checked against every tool's ``required_input``. The flow
        is deployed or updated first when needed. ``flow_kwargs`` are run fields: ``label``
        (cut to 64 characters), ``tags``, ``run_managers``, ``run_monitors``, ...

        Example::

            run = client.run_flow({"input": {"tar_input": "~/data"}}, label="nightly",
                                  tags=["demo"])
            run["run_id"]
        """
        if flow_input is not None and (
            not isinstance(flow_input, Mapping)
            or set(flow_input) != {"input"}
            or not isinstance(flow_input["input"], Mapping)
        ):
            raise _input_shape_error(flow_input)
        combined = self.get_input() if use_defaults else {"input": {}}
        if flow_input is not None:
            combined["input"].update(flow_input["input"])
        self.check_all_input(combined)
        self.sync_flow()
        return self.flows_manager.run_flow(body=combined, **flow_kwargs)

    def get_status(self, action_id: str) -> dict[str, Any]:
        """The run document, with compute failures readable (type, message and traceback)."""
        return self.flows_manager.get_status(action_id)

    def progress(
        self,
        action_id: str,
        callback: Callable[[dict[str, Any]], Any] | None = None,
        delay: float | None = None,
    ) -> dict[str, Any]:
        """Follow a run until it ends; returns its final (readable) document.

        ``callback(status)`` gets every status polled; without one, each new state and status
        is shown once. ``delay`` is the time between polls (default: the backend's).
        """
        return self.flows_manager.progress(action_id, callback=callback, delay=delay)

    def get_details(self, action_id: str, state_name: str) -> Any:
        """The result of state ``state_name`` in the run (readable compute failures)."""
        return self.flows_manager.get_details(action_id, state_name)


class GladierClient(GladierBaseClient):
    """A client for a flow definition you already have, such as one from the state API.

    The compute functions the definition's states call (``Compute`` states of
    :mod:`gladier.tools`) are registered, and their ids supplied as input, like a tool's.

    Example::

        from gladier import GladierClient
        from gladier.tools import Compute

        def double(x):
            return 2 * x

        state = Compute(function_to_call=double, function_parameters={"x": "$.input.x"})
        client = GladierClient(state.get_flow_definition())
        run = client.run_flow({"input": {"x": 21}})
    """

    def __init__(
        self,
        flow_definition: Any,
        auto_registration: bool = True,
        login_manager: BaseLoginManager | None = None,
        flows_manager: FlowsManager | None = None,
        compute_manager: ComputeManager | None = None,
    ) -> None:
        if not isinstance(flow_definition, (Mapping, str)) and callable(
            getattr(flow_definition, "get_flow_definition", None)
        ):
            flow_definition = flow_definition.get_flow_definition()
        self.flow_definition = flow_definition
        super().__init__(
            auto_registration=auto_registration,
            login_manager=login_manager,
            flows_manager=flows_manager,
            compute_manager=compute_manager,
        )
