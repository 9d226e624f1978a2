"""How ``@generate_flow_definition`` marks a class, and how the mark is read back.

The decorator returns the class itself (Gladier 0.11 returned a factory function instead), so
``issubclass``, ``isinstance`` and subclassing keep working. It only records the modifiers on the
class. Tools generate their definition when instantiated; clients ask
:func:`get_flow_modifiers` (or :func:`gladier.flowgen.generated_client_definition`).

The mark is inherited: a subclass of a decorated class is generated too, unless a class between
them sets its own ``flow_definition``.

Example::

    >>> class Plain:
    ...     pass
    >>> mark_flow_generated(Plain, {"fn": {"WaitTime": 10}})
    >>> get_flow_modifiers(Plain()), get_flow_modifiers(object)
    ({'fn': {'WaitTime': 10}}, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MODIFIERS_ATTRIBUTE", "get_flow_modifiers", "is_flow_generated", "mark_flow_generated"]

#: Class attribute holding the modifiers given to ``@generate_flow_definition``.
MODIFIERS_ATTRIBUTE = "__gladier_flow_modifiers__"


def mark_flow_generated(cls: type, modifiers: Mapping[Any, Any] | None = None) -> None:
    """Record on ``cls`` that its flow definition is generated, with these modifiers."""
    setattr(cls, MODIFIERS_ATTRIBUTE, dict(modifiers or {}))


def get_flow_modifiers(cls_or_obj: Any) -> dict[Any, Any] | None:
    """The modifiers of a generated class (or of an instance's class), else ``None``.

    Example::

        >>> get_flow_modifiers(int) is None
        True
    """
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    for klass in cls.__mro__:
        namespace = vars(klass)
        if MODIFIERS_ATTRIBUTE in namespace:
            return dict(namespace[MODIFIERS_ATTRIBUTE])
        if namespace.get("flow_definition") is not None:
            return None
    return None


def is_flow_generated(cls_or_obj: Any) -> bool:
    """Whether ``@generate_flow_definition`` applies to this class or instance."""
    return get_flow_modifiers(cls_or_obj) is not None
