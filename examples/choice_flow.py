"""A branching flow written with the state-builder API and run by ``GladierClient``.

A ``Compute`` state averages some samples; a ``Choice`` state sends the run to a ``Fail`` state
when the average is too high, and to a ``Pass`` state otherwise. ``GladierClient`` registers the
function the ``Compute`` state calls and supplies its id as input::

    python examples/choice_flow.py 1 2 3        # SUCCEEDED through AllGood
    python examples/choice_flow.py 10 20 30     # FAILED at Alarm
"""

from __future__ import annotations

import sys

from gladier import GladierClient
from gladier.tools import (
    ChoiceOption,
    ChoiceState,
    ComparisonRule,
    Compute,
    FailState,
    PassState,
)


def average(samples):
    """Average the samples."""
    return sum(samples) / len(samples)


def build_flow() -> Compute:
    measure = Compute(
        state_name="Average",
        function_to_call=average,
        function_parameters={"samples.$": "$.input.samples"},
    )
    check = ChoiceState(state_name="TooHigh")
    check.choice(
        ChoiceOption(
            rule=ComparisonRule(
                Variable=measure.path_to_return_val(), NumericGreaterThanPath="$.input.limit"
            ),
            next=FailState(state_name="Alarm", error="TooHigh", cause="The average is too high"),
        )
    )
    check.set_default(PassState(state_name="AllGood"))
    measure.next(check)
    return measure


def main(argv: list[str]) -> int:
    samples = [float(value) for value in argv] or [1.0, 2.0, 3.0]
    client = GladierClient(build_flow().get_flow_definition())
    run = client.run_flow({"input": {"samples": samples, "limit": 10}}, label="choice")
    final = client.progress(run["run_id"])
    value = final["details"]["output"]["AverageResult"]["details"]["results"][0]["output"]
    print(f"average {value}: {final['status']}")
    expected = "FAILED" if value > 10 else "SUCCEEDED"
    return 0 if final["status"] == expected else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
