"""The Pass state: copy, reshape or inject data (spec §6.2)."""

from __future__ import annotations

from gladier.runtime.language.parameters import Parameters, compile_parameters
from gladier.runtime.states.base import Advance, Outcome, RunView, State, clone, optional_path


class PassState(State):
    def compile(self) -> None:
        self.input_path = optional_path(self.raw.get("InputPath"))
        self.result_path = optional_path(self.raw.get("ResultPath"))
        self.has_result = "Result" in self.raw
        self.result = self.raw.get("Result")
        params = self.raw.get("Parameters")
        self.parameters: Parameters | None = None if params is None else compile_parameters(params)

    def enter(self, run: RunView) -> Outcome:
        state = run.state
        effective = state if self.input_path is None else self.input_path.read(state, run.context)
        if self.has_result:
            result = clone(self.result)
        elif self.parameters is not None:
            result = self.parameters.render(
                effective, run.context, extra_functions=run.options.extra_expression_functions
            )
        else:
            result = clone(effective)
        moves = (
            run.options.pass_inputpath_moves
            and self.result_path is not None
            and not self.result_path.is_root
            and not self.has_result
            and self.parameters is None
        )
        if moves:
            if self.input_path is None or self.input_path.is_root:
                state = {}
            else:
                state = _remove(state, self.input_path.text)
        return Advance(self.next, self.write_result(state, self.result_path, result))


def _remove(state: object, path_text: str) -> object:
    """Remove the key a simple ``$.a.b`` path names (the 'move' reading of Pass)."""
    parts = path_text[2:].split(".")
    node = state
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            return state
        node = node[part]
    if isinstance(node, dict):
        node.pop(parts[-1], None)
    return state
