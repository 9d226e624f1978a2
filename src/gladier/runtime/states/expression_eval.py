"""The ExpressionEval state: render Parameters (with ``.=`` expressions) into the state (§6.6)."""

from __future__ import annotations

from gladier.runtime.language.parameters import compile_parameters
from gladier.runtime.states.base import Advance, Outcome, RunView, State, optional_path


class ExpressionEvalState(State):
    def compile(self) -> None:
        self.parameters = compile_parameters(self.raw.get("Parameters", {}))
        self.result_path = optional_path(self.raw.get("ResultPath"))

    def enter(self, run: RunView) -> Outcome:
        result = self.parameters.render(
            run.state, run.context, extra_functions=run.options.extra_expression_functions
        )
        return Advance(self.next, self.write_result(run.state, self.result_path, result))
