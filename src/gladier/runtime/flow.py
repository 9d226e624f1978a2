"""A flow definition compiled for execution: states parsed once, input schema checker built once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.exc import FlowInputError
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
        """Validate a run body against the input schema, listing every violation."""
        schema = self.input_schema
        if not schema:
            return
        if self._validator is None:
            import jsonschema

            cls = jsonschema.validators.validator_for(schema)
            self._validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        errors = sorted(self._validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if not errors:
            return
        detail = [
            {"loc": [_json_path(e.absolute_path)], "type": "InvalidActionInput", "msg": e.message}
            for e in errors
        ]
        count = len(detail)
        plural = "error" if count == 1 else "errors"
        raise FlowInputError(f"Input failed schema validation with {count} {plural}.", detail)


def _json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
