"""``FlowDefinition``: a flow definition that remembers the compute functions it calls.

It is a plain ``dict`` (JSON-serialisable, equal to the same dict), plus a ``compute_functions``
attribute. The state-builder API returns one, so that ``GladierClient(flow_definition)`` can
register the functions of ``Compute`` states, whose ids the definition reads from the input keys
``<function name>_function_id``.

Example::

    >>> def double(x):
    ...     return 2 * x
    >>> definition = FlowDefinition({"StartAt": "A", "States": {}}, compute_functions=[double])
    >>> definition == {"StartAt": "A", "States": {}}
    True
    >>> definition_compute_functions(definition) == [double]
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["FlowDefinition", "definition_compute_functions"]


class FlowDefinition(dict[str, Any]):
    """A flow definition dict with the compute functions its states call."""

    compute_functions: list[Callable[..., Any]]

    def __init__(
        self,
        definition: Mapping[str, Any] | None = None,
        compute_functions: Iterable[Callable[..., Any]] = (),
    ) -> None:
        super().__init__(definition or {})
        self.compute_functions = list(compute_functions)


def definition_compute_functions(definition: Any) -> list[Callable[..., Any]]:
    """The compute functions a definition needs registered (none for a plain dict)."""
    return list(getattr(definition, "compute_functions", None) or [])
