"""The state-builder API: write flows as chained Python objects (Gladier 0.9+).

Example::

    from gladier import GladierClient
    from gladier.tools import ChoiceOption, ChoiceState, ComparisonRule, FailState, PassState

    check = ChoiceState(state_name="Check").choice(ChoiceOption(
        rule=ComparisonRule(Variable="$.input.n", NumericEquals=0),
        next=FailState(state_name="Zero", cause="n is 0"),
    ))
    check.set_default(PassState(state_name="Fine"))
    client = GladierClient(check.get_flow_definition())

Importing this package imports pydantic.
"""

from __future__ import annotations

from gladier.tools.builtins import (
    ActionState,
    AndRule,
    ChoiceOption,
    ChoiceRule,
    ChoiceState,
    ComparisonRule,
    ExpressionEvalState,
    FailState,
    NotRule,
    OrRule,
    PassState,
    WaitState,
)
from gladier.tools.globus import (
    Compute,
    ComputeFunctionType,
    SearchDelete,
    SearchDeleteByQuery,
    SearchIngest,
    Transfer,
    TransferDelete,
    TransferItem,
)
from gladier.tools.helpers import exclusive_validator_generator, validate_path_property
from gladier.tools.posix import ShellCmdState

__all__ = [
    "ActionState",
    "AndRule",
    "ChoiceOption",
    "ChoiceRule",
    "ChoiceState",
    "ComparisonRule",
    "Compute",
    "ComputeFunctionType",
    "ExpressionEvalState",
    "FailState",
    "NotRule",
    "OrRule",
    "PassState",
    "SearchDelete",
    "SearchDeleteByQuery",
    "SearchIngest",
    "ShellCmdState",
    "Transfer",
    "TransferDelete",
    "TransferItem",
    "WaitState",
    "exclusive_validator_generator",
    "validate_path_property",
]
