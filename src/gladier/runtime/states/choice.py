"""The Choice state: the first true rule picks the next state (§6.3)."""

from __future__ import annotations

from gladier.exc import FlowRunError
from gladier.runtime.language.choice import compile_choice
from gladier.runtime.states.base import Advance, Outcome, Raise, RunView, State


class ChoiceState(State):
    def compile(self) -> None:
        self.choice = compile_choice(self.raw)

    def enter(self, run: RunView) -> Outcome:
        target = self.choice.choose(run.state, run.context)
        if target is None:
            return Raise(
                FlowRunError(
                    "States.NoChoiceMatched",
                    f"No choice rule of state {self.name!r} matched and it has no Default; "
                    "add a Default state or a rule that covers this input.",
                    state_name=self.name,
                )
            )
        return Advance(target, run.state, output={"next": target})
