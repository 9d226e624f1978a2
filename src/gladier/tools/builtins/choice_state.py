"""``ChoiceState`` and its rules: branch on the run's data.

Example::

    >>> from gladier.tools import PassState
    >>> done, retry = PassState(state_name="Done"), PassState(state_name="Retry")
    >>> choice = ChoiceState(state_name="Check").choice(
    ...     ChoiceOption(rule=ComparisonRule(Variable="$.input.ok", BooleanEquals=True), next=done)
    ... )
    >>> choice.set_default(retry).valid_state_name
    'Retry'
    >>> state = choice.get_flow_definition()["States"]["Check"]
    >>> state["Default"], state["Choices"]
    ('Retry', [{'Variable': '$.input.ok', 'BooleanEquals': True, 'Next': 'Done'}])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import PrivateAttr, model_validator

from gladier.exc import FlowGenException
from gladier.helpers import JSONObject
from gladier.state_models import BaseState
from gladier.tools.helpers import exclusive_validator_generator, validate_path_property
from gladier.utils.pydantic_models import GladierModel

__all__ = [
    "COMPARISON_OPERATORS",
    "AndRule",
    "ChoiceOption",
    "ChoiceRule",
    "ChoiceState",
    "ComparisonRule",
    "NotRule",
    "OrRule",
]


class ChoiceRule(GladierModel):
    """Base of choice rules; :meth:`flow_dict` renders a rule as Flows JSON."""

    def flow_dict(self) -> JSONObject:
        """The rule as it appears in a Choice state."""
        return self.model_dump(exclude_none=True, exclude_unset=True)


class ComparisonRule(ChoiceRule):
    """A data test: ``Variable`` (a ``$.`` path) and exactly one operator.

    Operators ending in ``Path`` compare with the value at another ``$.`` path.

    Example::

        >>> ComparisonRule(Variable="$.input.n", NumericGreaterThan=3).flow_dict()
        {'Variable': '$.input.n', 'NumericGreaterThan': 3.0}
    """

    Variable: str

    BooleanEquals: bool | None = None
    BooleanEqualsPath: str | None = None
    IsBoolean: bool | None = None
    IsNull: bool | None = None
    IsNumeric: bool | None = None
    IsPresent: bool | None = None
    IsString: bool | None = None
    IsTimestamp: bool | None = None
    NumericEquals: float | None = None
    NumericEqualsPath: str | None = None
    NumericGreaterThan: float | None = None
    NumericGreaterThanPath: str | None = None
    NumericGreaterThanEquals: float | None = None
    NumericGreaterThanEqualsPath: str | None = None
    NumericLessThan: float | None = None
    NumericLessThanPath: str | None = None
    NumericLessThanEquals: float | None = None
    NumericLessThanEqualsPath: str | None = None
    StringEquals: str | None = None
    StringEqualsPath: str | None = None
    StringGreaterThan: str | None = None
    StringGreaterThanPath: str | None = None
    StringGreaterThanEquals: str | None = None
    StringGreaterThanEqualsPath: str | None = None
    StringLessThan: str | None = None
    StringLessThanPath: str | None = None
    StringLessThanEquals: str | None = None
    StringLessThanEqualsPath: str | None = None
    StringMatches: str | None = None
    TimestampEquals: str | None = None
    TimestampEqualsPath: str | None = None
    TimestampGreaterThan: str | None = None
    TimestampGreaterThanPath: str | None = None
    TimestampGreaterThanEquals: str | None = None
    TimestampGreaterThanEqualsPath: str | None = None
    TimestampLessThan: str | None = None
    TimestampLessThanPath: str | None = None
    TimestampLessThanEquals: str | None = None
    TimestampLessThanEqualsPath: str | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> ComparisonRule:
        validate_path_property("VariablePath", self.Variable)
        values = {name: getattr(self, name) for name in COMPARISON_OPERATORS}
        _check_one_operator(values, type(self).__name__)
        for name, value in values.items():
            validate_path_property(name, value)
        return self


#: Every comparison operator of the Flows Choice state.
COMPARISON_OPERATORS = tuple(name for name in ComparisonRule.model_fields if name != "Variable")
_check_one_operator = exclusive_validator_generator(COMPARISON_OPERATORS, require_one_set=True)


class _CompoundRule(ChoiceRule):
    rules: list[ChoiceRule]
    _operator: ClassVar[str] = ""

    def __init__(self, rules: Sequence[ChoiceRule], **data: Any) -> None:
        super().__init__(rules=list(rules), **data)

    @model_validator(mode="after")
    def _not_empty(self) -> _CompoundRule:
        if not self.rules:
            raise ValueError(f"{type(self).__name__} needs at least one rule")
        return self

    def flow_dict(self) -> JSONObject:
        return {self._operator: [rule.flow_dict() for rule in self.rules]}


class AndRule(_CompoundRule):
    """True when every rule is true: ``{"And": [...]}``.

    Example::

        >>> AndRule([ComparisonRule(Variable="$.a", IsPresent=True)]).flow_dict()
        {'And': [{'Variable': '$.a', 'IsPresent': True}]}
    """

    _operator: ClassVar[str] = "And"


class OrRule(_CompoundRule):
    """True when any rule is true: ``{"Or": [...]}``.

    Example::

        >>> OrRule([ComparisonRule(Variable="$.a", IsNull=True)]).flow_dict()
        {'Or': [{'Variable': '$.a', 'IsNull': True}]}
    """

    _operator: ClassVar[str] = "Or"


class NotRule(ChoiceRule):
    """True when ``rule`` is false: ``{"Not": {...}}``.

    Example::

        >>> NotRule(ComparisonRule(Variable="$.a", IsNull=True)).flow_dict()
        {'Not': {'Variable': '$.a', 'IsNull': True}}
    """

    rule: ChoiceRule

    def __init__(self, rule: ChoiceRule, **data: Any) -> None:
        super().__init__(rule=rule, **data)

    def flow_dict(self) -> JSONObject:
        return {"Not": self.rule.flow_dict()}


class ChoiceOption(GladierModel):
    """One branch of a Choice state: go to ``next`` when ``rule`` is true."""

    rule: ChoiceRule
    next: BaseState

    def flow_dict(self) -> JSONObject:
        """The branch as it appears in the state's ``Choices``."""
        rendered = self.rule.flow_dict()
        rendered["Next"] = self.next.valid_state_name
        return rendered


class ChoiceState(BaseState):
    """A Choice state: the first option whose rule holds wins, else ``default``."""

    state_type: str = "Choice"
    rules: list[ChoiceRule] = []
    default: BaseState | None = None

    _choices: list[ChoiceOption] = PrivateAttr(default_factory=list)

    def choice(self, choice_option: ChoiceOption) -> ChoiceState:
        """Add a branch; returns ``self`` so calls can be chained."""
        self._choices.append(choice_option)
        return self

    def set_default(self, default_choice: BaseState) -> BaseState:
        """Set the state taken when no rule holds; returns that state."""
        self.default = default_choice
        return default_choice

    def get_child_states(self) -> list[BaseState]:
        children = [option.next for option in self._choices]
        if self.default is not None:
            children.append(self.default)
        return children

    def build_state(self) -> JSONObject:
        state = super().build_state()
        if not self._choices:
            raise FlowGenException(
                f'ChoiceState "{self.valid_state_name}" has no choices: add one with '
                ".choice(ChoiceOption(rule=..., next=...))"
            )
        if self.default is not None:
            state["Default"] = self.default.valid_state_name
        state["Choices"] = [option.flow_dict() for option in self._choices]
        return state

    def get_flow_definition(self) -> JSONObject:
        return super().get_flow_definition()
