"""A flow definition compiled for execution: states parsed once, input schema checker built once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.runtime.language.schemas import InputChecker
from gladier.runtime.options import RuntimeOptions
from gladier.runtime.states import State, compile_state


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def definition_id(definition: Any, input_schema: Any) -> str:
    """Content hash naming one (definition, input schema) pair in the store."""
    text = canonical_json({"definition": definition, "input_schema": input_schema})
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class CompiledFlow:
    """The states of one definition, ready to run."""

    definition: Mapping[str, Any]
    input_schema: Any
    options: RuntimeOptions
    states: dict[str, State] = field(init=False)
    start_at: str = field(init=False)

    def __post_init__(self) -> None:
        self.start_at = str(self.definition["StartAt"])
        self.states = {
            name: compile_state(name, raw, self.options)
            for name, raw in self.definition["States"].items()
        }
        self._validator: Any = None

    def check_input(self, body: Any) -> None:
        """Validate a run body against the input schema, listing every violation.

        Validation is bounded in time; see :mod:`gladier.runtime.language.schemas`.
        """
        schema = self.input_schema
        if not schema:
            return
        if self._validator is None:
            self._validator = InputChecker(schema)
        self._validator.check(body)
