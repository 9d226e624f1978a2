"""Validation helpers for state models.

Example::

    >>> check = exclusive_validator_generator(["seconds", "timestamp"])
    >>> check({"seconds": 3, "timestamp": None}, "WaitState")
    >>> validate_path_property("seconds_path", "$.input.wait")
    '$.input.wait'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["exclusive_validator_generator", "validate_path_property"]


def exclusive_validator_generator(
    exclusive_property_names: Sequence[str], require_one_set: bool = True
) -> Callable[[Mapping[str, Any], str], None]:
    """Return a check that at most one (or, by default, exactly one) of the names is set.

    The check takes the model's values and the model name, and raises :class:`ValueError`
    naming the properties that were found.
    """
    names = list(exclusive_property_names)

    def check(values: Mapping[str, Any], model_name: str = "model") -> None:
        found = [name for name in names if values.get(name) is not None]
        if len(found) == 1 or (not found and not require_one_set):
            return
        prefix = "Exactly" if require_one_set else "At most"
        raise ValueError(
            f"{prefix} one of {names} may be set for model class {model_name}, found values for "
            f"properties {found}"
        )

    return check


def validate_path_property(name: str, value: Any) -> Any:
    """Require a ``$.`` JSONPath for a property whose name ends with ``path``; return the value.

    Raises :class:`ValueError` otherwise. ``None`` is accepted.
    """
    if value is not None and name.lower().endswith("path") and not str(value).startswith("$."):
        raise ValueError(f"Field named {name} must have a JSONPath value, got {value}")
    return value
