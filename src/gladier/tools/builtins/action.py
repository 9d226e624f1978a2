"""``ActionState``: call a Globus action provider (the base of every provider state).

Example::

    >>> class HelloWorld(ActionState):
    ...     action_url = "https://actions.globus.org/hello_world"
    ...     echo_string: str = "$.input.message"
    >>> HelloWorld().get_flow_state_dict()["Parameters"]
    {'echo_string.$': '$.input.message'}
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from pydantic import PrivateAttr

from gladier.helpers import JSONObject, eliminate_none_values
from gladier.state_models import (
    BaseState,
    StateWithNextOrEnd,
    StateWithParametersOrInputPath,
    StateWithResultPath,
)

__all__ = ["ActionExceptionName", "ActionState"]


class ActionExceptionName(str, Enum):
    """Errors an Action state can catch (the names Gladier 0.11 offers)."""

    ActionFailedException = "ActionFailedException"
    ActionUnableToRun = "ActionUnableToRun"
    ActionTimeout = "ActionTimeout"
    NoTokenException = "NoTokenException"
    States_All = "States.All"
    States_IntrinsicFailure = "States.IntrinsicFailure"
    States_ParameterPathFailure = "States.ParameterPathFailure"
    States_ResultPathMatchFailure = "States.ResultPathMatchFailure"


class ActionState(StateWithNextOrEnd, StateWithParametersOrInputPath, StateWithResultPath):
    """An Action state; subclasses set ``action_url`` and declare their parameters as fields."""

    action_url: str
    state_type: str = "Action"
    action_scope: str | None = None
    wait_time: int = 600
    input_path: str | None = None
    exception_on_action_failure: bool = False
    run_as: str | None = None

    _exception_handlers: dict[str, BaseState] = PrivateAttr(default_factory=dict)

    @property
    def exception_handlers(self) -> dict[str, BaseState]:
        """``{error name: handler state}`` set with :meth:`set_exception_handler`."""
        return self._exception_handlers

    def set_exception_handler(
        self,
        exception_names: ActionExceptionName | str | Iterable[ActionExceptionName | str],
        exception_handler: BaseState,
    ) -> ActionState:
        """Go to ``exception_handler`` when this state raises any of ``exception_names``.

        Returns ``self``.

        Example::

            transfer.set_exception_handler(ActionExceptionName.ActionFailedException,
                                           FailState(state_name="TransferFailed"))
        """
        if isinstance(exception_names, (str, ActionExceptionName)):
            exception_names = [exception_names]
        for name in exception_names:
            key = name.value if isinstance(name, ActionExceptionName) else str(name)
            self._exception_handlers[key] = exception_handler
        return self

    def get_child_states(self) -> list[BaseState]:
        children = super().get_child_states()
        for handler in self._exception_handlers.values():
            if not any(handler is child for child in children):
                children.append(handler)
        return children

    def _catch(self) -> list[dict[str, Any]]:
        by_handler: dict[str, list[str]] = {}
        for name, handler in self._exception_handlers.items():
            by_handler.setdefault(handler.valid_state_name, []).append(name)
        return [{"ErrorEquals": names, "Next": target} for target, names in by_handler.items()]

    def build_state(self) -> JSONObject:
        state = super().build_state()
        state.update(
            {
                "ActionUrl": self.action_url,
                "WaitTime": self.wait_time,
                "ActionScope": self.action_scope,
                "ExceptionOnActionFailure": self.exception_on_action_failure,
            }
        )
        if self.run_as is not None:
            state["RunAs"] = self.run_as
        if self._exception_handlers:
            state["Catch"] = self._catch()  # type: ignore[assignment]
        eliminate_none_values(state, deep=True)
        return state
