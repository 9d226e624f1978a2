"""The building blocks of the state-builder API (Gladier 0.9+, ``gladier.tools``).

A state is a pydantic model that renders itself as one Flows state; states chained with
:meth:`StateWithNextOrEnd.next` (and branches of Choice states, and exception handlers) render as
a whole flow with :meth:`BaseState.get_flow_definition`. Concrete states live in
:mod:`gladier.tools`; this module holds the base classes and mixins to write new ones::

    from gladier.tools import ActionState

    class HelloWorld(ActionState):
        action_url = "https://actions.globus.org/hello_world"
        echo_string: str = "$.input.message"

    flow = HelloWorld().next(PassState(state_name="Done")).get_flow_definition()

Importing this module imports pydantic.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import PrivateAttr

from gladier.exc import StateNameConflict
from gladier.flowgen.definition import FlowDefinition
from gladier.helpers import JSONObject, ensure_json_path, ensure_parameter_values
from gladier.utils.pydantic_models import GladierModel

__all__ = [
    "NON_PARAMETER_PROPERTIES",
    "BaseCompositeState",
    "BaseState",
    "StateWithNextOrEnd",
    "StateWithParametersOrInputPath",
    "StateWithResultPath",
]

#: Model fields that configure a state rather than becoming its ``Parameters``.
NON_PARAMETER_PROPERTIES = frozenset(
    {
        "state_type",
        "set_parameters_from_properties",
        "non_parameter_properties",
        "action_url",
        "wait_time",
        "exception_on_action_failure",
        "exception_handlers",
        "_flow_definition",
        "action_scope",
        "comment",
        "input_path",
        "parameters",
        "result_path",
        "run_as",
        "state_name",
        "next_state",
    }
)


class BaseState(GladierModel, abc.ABC):
    """A state of a flow. Subclasses add their keys in :meth:`build_state`.

    ``state_name`` defaults to the class name; ``comment`` becomes the flow's ``Comment`` when
    this state starts the flow.

    Example::

        >>> from gladier.tools import PassState
        >>> PassState(state_name="Nothing").get_flow_definition()["States"]
        {'Nothing': {'Type': 'Pass', 'ResultPath': '$.NothingResult', 'End': True}}
    """

    state_type: str
    state_name: str | None = None
    comment: str | None = None

    @property
    def valid_state_name(self) -> str:
        """The state's name: ``state_name`` if given, else the class name."""
        return self.state_name or type(self).__name__

    def build_state(self) -> JSONObject:
        """This state alone, as a Flows state dict (subclasses extend it via ``super()``)."""
        return {"Type": self.state_type}

    def get_flow_state_dict(self) -> JSONObject:
        """This state's entry of the flow definition."""
        return self.build_state()

    def get_child_states(self) -> list[BaseState]:
        """States this one can move to (``Next``, choices, default, exception handlers)."""
        return []

    def get_flow_transition_states(self) -> list[str]:
        """For tool chaining: the states a following tool continues from (none by default)."""
        return []

    def get_additional_scopes_for_input(self, flow_input: JSONObject) -> set[str]:
        """Extra Globus Auth scopes a run needs for this input (none by default)."""
        return set()

    def get_own_compute_functions(self) -> list[Callable[..., Any]]:
        """Compute functions this state runs and that must be registered (none by default)."""
        return []

    def iter_states(self) -> Iterator[BaseState]:
        """Every state reachable from this one, depth first, each state object once."""
        seen: set[int] = set()
        stack: list[BaseState] = [self]
        while stack:
            state = stack.pop()
            if id(state) in seen:
                continue
            seen.add(id(state))
            yield state
            stack.extend(reversed(state.get_child_states()))

    def get_compute_functions(self) -> list[Callable[..., Any]]:
        """The compute functions of every state reachable from this one (each once).

        A client registers these and provides each id as ``<function name>_function_id``.
        """
        functions: list[Callable[..., Any]] = []
        for state in self.iter_states():
            for function in state.get_own_compute_functions():
                if not any(function is known for known in functions):
                    functions.append(function)
        return functions

    @abc.abstractmethod
    def get_flow_definition(self) -> JSONObject:
        """The flow that starts at this state and contains every state reachable from it.

        The result is a :class:`~gladier.flowgen.definition.FlowDefinition`: a dict whose
        ``compute_functions`` attribute lists the functions of the flow's ``Compute`` states.
        Raises :class:`~gladier.exc.StateNameConflict` when two different states share a name.
        """
        states: dict[str, Any] = {}
        for state in self.iter_states():
            name = state.valid_state_name
            built = state.build_state()
            if name in states:
                if states[name] != built:
                    raise StateNameConflict(
                        f'Two different states are named "{name}": give one of them another '
                        "state_name"
                    )
                continue
            states[name] = built
        comment = (
            self.comment
            if self.comment is not None
            else f"Flow starting at state {self.valid_state_name}"
        )
        definition = {"StartAt": self.valid_state_name, "States": states, "Comment": comment}
        return FlowDefinition(definition, compute_functions=self.get_compute_functions())


class BaseCompositeState(BaseState):
    """A virtual state made of several states (``state_name_prefix`` names its parts)."""

    state_type: str = "CompositeVirtualState"
    state_name_prefix: str = ""

    @abc.abstractmethod
    def get_flow_definition(self) -> JSONObject:
        return super().get_flow_definition()


class StateWithNextOrEnd(BaseState):
    """A state that moves on to a ``Next`` state, or ends the flow.

    Example::

        >>> from gladier.tools import PassState
        >>> first = PassState(state_name="A").next(PassState(state_name="B"))
        >>> first.get_flow_definition()["States"]["A"]["Next"]
        'B'
    """

    _next_state: BaseState | None = PrivateAttr(default=None)

    @property
    def next_state(self) -> BaseState | None:
        """The state that follows this one (``None`` when this state ends the flow)."""
        return self._next_state

    @next_state.setter
    def next_state(self, state: BaseState | None) -> None:
        self._next_state = state

    def next(
        self, next_state: BaseState, insert_next: bool = False, replace_next: bool = False
    ) -> BaseState:
        """Append ``next_state`` at the end of the chain that starts here; return ``self``.

        With ``insert_next`` it goes right after this state, before the rest of the chain; with
        ``replace_next`` it replaces everything after this state.
        """
        if replace_next:
            self._next_state = next_state
            return self
        appended: BaseState | None = next_state
        if insert_next:
            appended, self._next_state = self._next_state, next_state
        if self._next_state is None:
            self._next_state = appended
        elif appended is not None:
            tail = self._next_state
            if not isinstance(tail, StateWithNextOrEnd):
                raise TypeError(
                    f'Cannot append after state "{tail.valid_state_name}": a '
                    f"{type(tail).__name__} has no Next"
                )
            tail.next(appended)
        return self

    def get_child_states(self) -> list[BaseState]:
        children = super().get_child_states()
        if self._next_state is not None:
            children.append(self._next_state)
        return children

    def build_state(self) -> JSONObject:
        state = super().build_state()
        if self._next_state is not None:
            state["Next"] = self._next_state.valid_state_name
        else:
            state["End"] = True
        return state

    def get_flow_definition(self) -> JSONObject:
        return super().get_flow_definition()


class StateWithParametersOrInputPath(BaseState):
    """A state whose input is ``Parameters`` or, when ``input_path`` is set, ``InputPath``.

    Unless ``parameters`` is given, every model field that is not configuration (see
    :data:`NON_PARAMETER_PROPERTIES`), and every extra keyword, becomes a parameter: values
    starting with ``$.`` get ``.$`` keys and values starting with ``=`` get ``.=`` keys.
    """

    parameters: dict[str, Any] | None = None
    input_path: str | None = None
    set_parameters_from_properties: bool = True
    non_parameter_properties: set[str] = set(NON_PARAMETER_PROPERTIES)

    def state_input_path(self) -> str | None:
        """The ``InputPath`` of the state (``input_path`` unless a subclass says otherwise)."""
        return self.input_path

    def get_parameters(self) -> dict[str, Any] | None:
        """The parameters template before key suffixes are added."""
        if self.parameters is not None:
            return dict(self.parameters)
        if not self.set_parameters_from_properties:
            return None
        values = self.model_dump()
        return {k: v for k, v in values.items() if k not in self.non_parameter_properties}

    def build_state(self) -> JSONObject:
        state = super().build_state()
        input_path = self.state_input_path()
        if input_path is not None:
            state["InputPath"] = ensure_json_path(input_path)
            return state
        parameters = self.get_parameters()
        if parameters:
            state["Parameters"] = ensure_parameter_values(parameters)
        return state


class StateWithResultPath(BaseState):
    """A state that stores its result at ``result_path`` (default ``$.<StateName>Result``)."""

    result_path: str | None = None

    def result_path_for_step(self) -> str:
        """The ``ResultPath`` this state writes to."""
        path = (
            self.result_path if self.result_path is not None else f"{self.valid_state_name}Result"
        )
        return ensure_json_path(path) or path

    def build_state(self) -> JSONObject:
        state = super().build_state()
        state["ResultPath"] = self.result_path_for_step()
        return state
