"""``@generate_flow_definition``: generate a tool's or a client's flow definition.

On a tool, each of its ``compute_functions`` becomes a Globus Compute Action state, in order. On a
client, the flows of its ``gladier_tools`` are chained in order. Modifiers adjust the generated
states (see :mod:`gladier.flowgen.modifiers`)::

    @generate_flow_definition(modifiers={tar: {"WaitTime": 600, "endpoint": "other_endpoint"}})
    class Tar(GladierBaseTool):
        compute_functions = [tar]

    @generate_flow_definition
    class TarAndTransfer(GladierBaseClient):
        "Archive a folder, then transfer the archive."
        gladier_tools = ["gladier_tools.posix.Tar", "gladier_tools.globus.Transfer"]

Unlike Gladier 0.11, which replaced the class by a factory function, the decorator returns the
class itself, only marked (see :mod:`gladier.flowgen.marker`): ``isinstance``, ``issubclass``
and subclassing keep working. A tool builds its definition when instantiated; a client when
it asks :func:`gladier.flowgen.generated_client_definition`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from gladier.exc import FlowGenException
from gladier.flowgen.marker import mark_flow_generated
from gladier.flowgen.tool import GladierBaseTool

__all__ = ["generate_flow_definition"]

T = TypeVar("T", bound=type)


def _is_client_class(cls: type) -> bool:
    """A ``GladierBaseClient`` subclass, or any class that lists ``gladier_tools``."""
    for klass in cls.__mro__:
        if klass.__name__ == "GladierBaseClient" and klass.__module__.startswith("gladier."):
            return True
    return hasattr(cls, "gladier_tools")


def _decorate(cls: T, modifiers: Mapping[Any, Any]) -> T:
    if not isinstance(cls, type):
        raise FlowGenException(
            f"@generate_flow_definition decorates classes, not {cls!r}; pass modifiers by "
            "keyword: @generate_flow_definition(modifiers={...})"
        )
    if not (issubclass(cls, GladierBaseTool) or _is_client_class(cls)):
        raise FlowGenException(
            f"Invalid class {cls.__name__}: flow generation is only supported for subclasses of "
            "GladierBaseTool (compute functions) and GladierBaseClient (gladier_tools)"
        )
    mark_flow_generated(cls, modifiers)
    return cls


@overload
def generate_flow_definition(_cls: T) -> T: ...


@overload
def generate_flow_definition(
    _cls: None = None, *, modifiers: Mapping[Any, Any] | None = None
) -> Callable[[T], T]: ...


def generate_flow_definition(
    _cls: Any = None, *, modifiers: Mapping[Any, Any] | None = None
) -> Any:
    """Mark a tool or client class so that its flow definition is generated.

    Usable bare (``@generate_flow_definition``) or with modifiers
    (``@generate_flow_definition(modifiers={...})``), keyed by compute function, function name or
    state name. Returns the class unchanged apart from the mark.

    Raises :class:`~gladier.exc.FlowGenException` for a class that is neither a tool nor a
    client, or modifiers that are not a dict. Problems with the tools or modifiers themselves
    are raised when the tool or client is instantiated, as in Gladier 0.11.

    Example::

        >>> from gladier.flowgen.tool import GladierBaseTool
        >>> def ls(**data):
        ...     "List a directory."
        >>> @generate_flow_definition(modifiers={ls: {"WaitTime": 60}})
        ... class FileSystemListCommand(GladierBaseTool):
        ...     compute_functions = [ls]
        >>> FileSystemListCommand().flow_definition["States"]["Ls"]["WaitTime"]
        60
    """
    if modifiers is None:
        modifiers = {}
    if not isinstance(modifiers, Mapping):
        raise FlowGenException(
            "Modifiers must be a dict keyed by compute function, function name or state name, "
            f"e.g. {{my_function: {{'WaitTime': 600}}}}; got {type(modifiers).__name__}"
        )
    mods: Mapping[Any, Any] = modifiers

    def decorator(cls: T) -> T:
        return _decorate(cls, mods)

    if _cls is None:
        return decorator
    return decorator(_cls)
