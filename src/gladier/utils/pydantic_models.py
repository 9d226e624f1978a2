"""The pydantic base of the state-builder API: keyword models that accept extra fields.

Gladier 0.11 used pydantic's v1 API, where a subclass could override a field with a plain class
attribute (``action_url = "https://..."``) or add one without an annotation
(``delete_by = "subject"``). Pydantic v2 refuses both, so :class:`GladierModel` gives such
attributes an annotation before pydantic sees the class: the overridden field's annotation, or
``Any`` for a new one. Existing state subclasses therefore keep working.

Importing this module imports pydantic; ``import gladier`` never does.

Example::

    >>> class Greeting(GladierModel):
    ...     text: str = "hi"
    >>> class Loud(Greeting):
    ...     text = "HI"
    ...     volume = 11
    >>> Loud(extra_field=1).model_dump()
    {'text': 'HI', 'volume': 11, 'extra_field': 1}
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from pydantic._internal._model_construction import ModelMetaclass as _PydanticMeta
else:
    _PydanticMeta = type(BaseModel)

__all__ = ["GladierModel"]
_DESCRIPTORS = (staticmethod, classmethod, property, types.FunctionType, types.MethodType)


def _base_fields(bases: tuple[type, ...]) -> tuple[dict[str, Any], set[str]]:
    """Annotations of the fields the bases define, and the names they keep as class vars."""
    fields: dict[str, Any] = {}
    class_vars: set[str] = set()
    for base in bases:
        for klass in reversed(base.__mro__):
            for name, info in (getattr(klass, "__pydantic_fields__", None) or {}).items():
                fields[name] = info.annotation
            class_vars.update(getattr(klass, "__class_vars__", None) or ())
    return fields, class_vars


def _plain_attributes(
    namespace: dict[str, Any], annotated: set[str], fields: dict[str, Any], class_vars: set[str]
) -> dict[str, Any]:
    """The class attributes without annotation that pydantic v1 would have made fields."""
    extra: dict[str, Any] = {}
    for name, value in namespace.items():
        if name.startswith("_") or name in annotated or name in class_vars:
            continue
        if name == "model_config":
            continue
        if name in fields:
            extra[name] = fields[name]
        elif not isinstance(value, _DESCRIPTORS) and not callable(value):
            extra[name] = Any
    return extra


class _GladierModelMeta(_PydanticMeta):
    """Annotate v1-style plain attributes before pydantic builds the model."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> Any:
        fields, class_vars = _base_fields(bases)
        annotations = namespace.get("__annotations__")
        annotate: Callable[[int], dict[str, Any]] | None = namespace.get("__annotate__")
        if isinstance(annotations, dict):
            annotated = set(annotations)
        elif annotate is not None:  # Python 3.14+: annotations are evaluated lazily
            annotated = set(annotate(1))
        else:
            annotated = set()
        extra = _plain_attributes(namespace, annotated, fields, class_vars)
        if extra:
            if isinstance(annotations, dict):
                annotations.update(extra)
            elif annotate is not None:
                original = annotate

                def merged(format: int) -> dict[str, Any]:
                    return {**original(format), **extra}

                namespace["__annotate__"] = merged
            else:
                namespace["__annotations__"] = dict(extra)
        return super().__new__(mcs, name, bases, namespace, **kwargs)


class GladierModel(BaseModel, metaclass=_GladierModelMeta):
    """Keyword-argument model with extra fields allowed (the v1 ``Extra.allow`` of 0.11)."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
