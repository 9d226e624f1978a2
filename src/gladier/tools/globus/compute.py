"""``Compute``: run a Python function on a Globus Compute endpoint.

Building the definition never logs in or registers anything: the function is referenced through
the flow input key ``<function name>_function_id``, and :meth:`Compute.get_compute_functions`
lists the functions a client must register to fill those keys (a
:class:`~gladier.client.GladierBaseClient` does so before running the flow).

Example::

    >>> def double(x):
    ...     return 2 * x
    >>> state = Compute(function_to_call=double, function_parameters={"x": "$.input.x"})
    >>> parameters = state.get_flow_state_dict()["Parameters"]
    >>> parameters["function.$"], parameters["kwargs"]
    ('$.input.double_function_id', {'x.$': '$.input.x'})
    >>> state.get_compute_functions() == [double]
    True
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from typing import Any, TypeAlias

from gladier.flowgen.names import get_compute_function_name
from gladier.tools.builtins.action import ActionState

__all__ = ["Compute", "ComputeFunctionType"]

ComputeFunctionType: TypeAlias = Callable[..., Any] | str


class Compute(ActionState):
    """Call ``function_to_call`` (a function, or a registered function id) with ``kwargs``.

    ``endpoint_id`` defaults to ``$.input.compute_endpoint``; ``function_parameters`` (a dict
    template or a ``$.`` path) become the function's keyword arguments. The result is at
    :meth:`path_to_return_val`.
    """

    function_to_call: ComputeFunctionType
    action_url: str = "https://compute.actions.globus.org/fxap"
    endpoint_id: str = "$.input.compute_endpoint"
    function_parameters: dict[str, Any] | str | None = None

    def function_reference(self) -> str:
        """The function id, or the ``$.input.<name>_function_id`` path that will hold it."""
        if isinstance(self.function_to_call, str):
            return self.function_to_call
        return f"$.input.{get_compute_function_name(self.function_to_call)}"

    def get_own_compute_functions(self) -> list[Callable[..., Any]]:
        if isinstance(self.function_to_call, str):
            return []
        return [self.function_to_call]

    def get_function_parameters(self) -> dict[str, Any] | str | None:
        """The keyword arguments template passed to the function."""
        return self.function_parameters

    def get_parameters(self) -> dict[str, Any] | None:
        return {
            "endpoint": self.endpoint_id,
            "function": self.function_reference(),
            "kwargs": self.get_function_parameters(),
        }

    def set_call_params_from_self_model(
        self, model_prop_names: Container[str] | Iterable[str], omit_Nones: bool = False
    ) -> dict[str, Any]:
        """Set ``function_parameters`` from this model's fields named in ``model_prop_names``."""
        names = (
            model_prop_names if isinstance(model_prop_names, Container) else set(model_prop_names)
        )
        self.function_parameters = {
            key: value
            for key, value in self.model_dump().items()
            if key in names and (not omit_Nones or value is not None)
        }
        return self.function_parameters

    def path_to_return_val(self) -> str:
        """Where the function's return value is found after the state ran."""
        return f"{self.result_path_for_step()}.details.results[0].output"
