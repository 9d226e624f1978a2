"""Per-state-type checks of flow validation (spec §1.4, §6, §7).

Internal to :mod:`gladier.runtime.language.validation`. :func:`check_state` checks one entry of
``States`` and appends what it finds to the shared :class:`~.validation_fields.Problems`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from gladier.runtime.language.validation_choice import check_choice
from gladier.runtime.language.validation_fields import (
    UNSUPPORTED_STATE_FIELDS,
    Context,
    Loc,
    check_closed,
    check_json,
    check_parameters,
    check_path,
    check_target,
    check_timestamp,
    check_type,
    describe,
    did_you_mean,
    is_integer,
    show,
)

#: The six state types Globus Flows accepts.
STATE_TYPES = ("Action", "Choice", "ExpressionEval", "Fail", "Pass", "Wait")

#: ASL types Globus refuses, with what to use instead.
UNSUPPORTED_TYPES: Mapping[str, str] = {
    "Task": "use an 'Action' state with an 'ActionUrl' (or 'Handler') to call a service",
    "Parallel": "run the branches one after another as separate states, or start other flows "
    "from an Action state",
    "Map": "loop over the items with Choice and ExpressionEval states, or pass the whole list to "
    "one action (for example a Globus Compute task list)",
    "Succeed": "use a 'Pass' state with \"End\": true",
}

_NEXT_END = ("Next", "End")
_ALLOWED: Mapping[str, frozenset[str]] = {
    "Action": frozenset(
        {
            "Type",
            "Comment",
            *_NEXT_END,
            "ActionUrl",
            "ActionScope",
            "Handler",
            "Parameters",
            "InputPath",
            "ResultPath",
            "WaitTime",
            "ExceptionOnActionFailure",
            "RunAs",
            "Catch",
        }
    ),
    "Pass": frozenset(
        {"Type", "Comment", *_NEXT_END, "InputPath", "Parameters", "Result", "ResultPath"}
    ),
    "Choice": frozenset({"Type", "Comment", "Choices", "Default"}),
    "Wait": frozenset(
        {"Type", "Comment", *_NEXT_END, "Seconds", "SecondsPath", "Timestamp", "TimestampPath"}
    ),
    "Fail": frozenset({"Type", "Comment", "Error", "Cause", "ErrorPath", "CausePath"}),
    "ExpressionEval": frozenset({"Type", "Comment", *_NEXT_END, "Parameters", "ResultPath"}),
}

#: Longest an Action state may wait for its action ('WaitTime', seconds; about 68 years).
MAX_ACTION_WAIT_TIME = 2**31 - 1
#: Longest Wait, in seconds (one year, the service's limit for 'Seconds').
MAX_WAIT_SECONDS = 31_536_000
_WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")


def check_state(ctx: Context, name: str, state: Any) -> None:
    """Check one state definition; ``name`` is its key in ``States``."""
    loc: Loc = ("definition", "States", name)
    problems = ctx.problems
    if not isinstance(state, dict):
        problems.error(
            loc,
            f"The state {name!r} must be an object with a 'Type' (one of "
            f"{', '.join(STATE_TYPES)}); got {describe(state)}",
            "type_error.dict",
        )
        return
    if "Type" not in state:
        problems.error(
            (*loc, "Type"),
            f"The state {name!r} has no 'Type'; add one of: {', '.join(STATE_TYPES)}",
            "value_error.missing",
        )
        return
    type_: Any = state["Type"]
    if not check_type(problems, type_, (*loc, "Type"), "'Type'", "string"):
        return
    if type_ in UNSUPPORTED_TYPES:
        problems.error(
            (*loc, "Type"),
            f"Globus Flows does not support states of type {type_!r}; {UNSUPPORTED_TYPES[type_]}",
        )
        return
    if type_ not in _ALLOWED:
        problems.error(
            (*loc, "Type"),
            f"Unknown state type {show(type_)}{did_you_mean(type_, STATE_TYPES)}; "
            f"use one of: {', '.join(STATE_TYPES)}",
        )
        return
    check_closed(
        problems, state, loc, _ALLOWED[type_], f"a state of type {type_!r}", _special_fields(type_)
    )
    if "Comment" in state:
        check_type(problems, state["Comment"], (*loc, "Comment"), "'Comment'", "string_or_null")
    if "Next" in _ALLOWED[type_]:
        _check_next_end(ctx, state, loc, type_)
    _CHECKERS[type_](ctx, state, loc)


def _special_fields(type_: str) -> dict[str, str]:
    special = dict(UNSUPPORTED_STATE_FIELDS)
    if type_ != "Action":
        special["Catch"] = (
            f"'Catch' is only allowed on Action states; errors in a state of type {type_!r} "
            "cannot be caught. Remove it"
        )
    if type_ == "Choice":
        special["Next"] = (
            "A Choice state must not have 'Next'; put 'Next' on each rule in 'Choices' and use "
            "'Default' for the fallback"
        )
        special["End"] = (
            "A Choice state cannot end the run; remove 'End' and send 'Default' (or a rule's "
            "'Next') to a Pass state with \"End\": true"
        )
    if type_ == "Fail":
        special["Next"] = "A Fail state ends the run and must not have 'Next'; remove it"
        special["End"] = "A Fail state ends the run by itself and must not have 'End'; remove it"
    if type_ == "ExpressionEval":
        special["InputPath"] = (
            "'InputPath' is not allowed on ExpressionEval states, which always read the whole run "
            "state; remove it and select values with '.$' or '.=' keys in 'Parameters'"
        )
    return special


def _check_next_end(ctx: Context, state: dict[str, Any], loc: Loc, type_: str) -> None:
    base = (
        f'A state of type {type_!r} must be defined as either terminal ("End": true) or '
        f'transitional ("Next": "NextStateId")'
    )
    has_next = "Next" in state
    end = state.get("End")
    if "End" in state:
        check_type(ctx.problems, end, (*loc, "End"), "'End'", "boolean")
    if has_next:
        check_target(ctx, state["Next"], (*loc, "Next"), "'Next'")
    if has_next and end is True:
        ctx.problems.error(loc, base + "; it has both, so remove one of them")
    elif not has_next and end is not True:
        extra = "" if "End" not in state else '; "End" is not true here'
        ctx.problems.error(loc, base + extra)


def _check_action(ctx: Context, state: dict[str, Any], loc: Loc) -> None:
    problems = ctx.problems
    _check_input(ctx, state, loc, "Action", required=True)
    if "ResultPath" in state:
        check_path(problems, state["ResultPath"], (*loc, "ResultPath"), "'ResultPath'", result=True)
    has_url, has_handler = "ActionUrl" in state, "Handler" in state
    if not has_url and not has_handler:
        problems.error(
            (*loc, "ActionUrl"),
            "An Action state needs 'ActionUrl' (the action provider URL, "
            "e.g. 'https://transfer.actions.globus.org/transfer') or a 'Handler'; add one",
            "value_error.missing",
        )
    elif has_url and has_handler:
        problems.error(loc, "'ActionUrl' and 'Handler' are alternatives; keep only one of them")
    if has_url:
        _check_url(ctx, state["ActionUrl"], (*loc, "ActionUrl"))
    if has_handler:
        _check_handler(ctx, state["Handler"], (*loc, "Handler"))
    if "WaitTime" in state:
        wait = state["WaitTime"]
        if not is_integer(wait) or not 0 < wait <= MAX_ACTION_WAIT_TIME:
            problems.error(
                (*loc, "WaitTime"),
                "'WaitTime' must be a positive whole number of seconds up to "
                f"{MAX_ACTION_WAIT_TIME:,} (the default is 300); got {show(wait)}",
                "value_error.number",
            )
    if "ExceptionOnActionFailure" in state:
        check_type(
            problems,
            state["ExceptionOnActionFailure"],
            (*loc, "ExceptionOnActionFailure"),
            "'ExceptionOnActionFailure'",
            "boolean",
        )
    for key in ("RunAs", "ActionScope"):
        if (
            key in state
            and check_type(problems, state[key], (*loc, key), f"'{key}'", "string")
            and not state[key].strip()
        ):
            problems.error((*loc, key), f"'{key}' must not be empty; remove it or fill it in")
    if "Catch" in state:
        _check_catch(ctx, state["Catch"], (*loc, "Catch"))


def _check_input(
    ctx: Context, state: dict[str, Any], loc: Loc, type_: str, *, required: bool
) -> None:
    has_params, has_input = "Parameters" in state, "InputPath" in state
    if required and has_params and has_input:
        ctx.problems.error(
            loc,
            f"A state of type {type_!r} must have exactly one of 'Parameters' or 'InputPath', "
            "not both; remove one of them",
        )
    elif required and not has_params and not has_input:
        ctx.problems.error(
            loc,
            f"A state of type {type_!r} must have exactly one of 'Parameters' (a template for "
            "the request body) or 'InputPath' (a path to the body); add one",
        )
    if has_params:
        check_parameters(ctx.problems, state["Parameters"], (*loc, "Parameters"))
    if has_input:
        check_path(ctx.problems, state["InputPath"], (*loc, "InputPath"), "'InputPath'")


def _check_url(ctx: Context, url: Any, loc: Loc) -> None:
    if not check_type(ctx.problems, url, loc, "'ActionUrl'", "string"):
        return
    try:
        parts = urlsplit(url)
        good = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        good = False
    if not good or any(c.isspace() for c in url):
        ctx.problems.error(
            loc,
            "'ActionUrl' must be an http(s) URL with a host, such as "
            f"'https://transfer.actions.globus.org/transfer'; got {show(url)}",
            "value_error.url",
        )


def _check_handler(ctx: Context, handler: Any, loc: Loc) -> None:
    problems = ctx.problems
    hint = (
        "a URN such as 'urn:globus:flows:handle:globus:<service>.<route>' or an object "
        '{"Type": "RegisteredAPI", "Id": "<registered API id>"}'
    )
    if isinstance(handler, str):
        if not handler.startswith("urn:") or len(handler) <= 4:
            problems.error(loc, f"'Handler' must be {hint}; got {show(handler)}")
        return
    if not isinstance(handler, dict):
        problems.error(loc, f"'Handler' must be {hint}; got {describe(handler)}", "type_error")
        return
    check_closed(problems, handler, loc, ("Type", "Id"), "'Handler'")
    for key in ("Type", "Id"):
        if key not in handler:
            problems.error(
                (*loc, key), f"'Handler' needs {key!r}; it must be {hint}", "value_error.missing"
            )
        elif (
            check_type(problems, handler[key], (*loc, key), f"'Handler.{key}'", "string")
            and not handler[key]
        ):
            problems.error((*loc, key), f"'Handler.{key}' must not be empty")


def _check_catch(ctx: Context, catch: Any, loc: Loc) -> None:
    problems = ctx.problems
    if not check_type(problems, catch, loc, "'Catch'", "list"):
        return
    if not catch:
        problems.error(
            loc,
            "'Catch' must list at least one handler such as {\"ErrorEquals\": "
            '["States.ALL"], "Next": "HandleError", "ResultPath": "$.error"}; add one '
            "or remove 'Catch'",
        )
    for index, entry in enumerate(catch):
        where = (*loc, index)
        if not check_type(problems, entry, where, "Each 'Catch' entry", "object"):
            continue
        check_closed(problems, entry, where, ("ErrorEquals", "Next", "ResultPath"), "a Catch entry")
        if "ErrorEquals" not in entry:
            problems.error(
                (*where, "ErrorEquals"),
                "A Catch entry needs 'ErrorEquals': the error names it "
                'handles, e.g. ["ActionFailedException"] or ["States.ALL"]',
                "value_error.missing",
            )
        else:
            _check_error_names(ctx, entry["ErrorEquals"], (*where, "ErrorEquals"))
        if "Next" not in entry:
            problems.error(
                (*where, "Next"),
                "A Catch entry needs 'Next': the state that handles the error",
                "value_error.missing",
            )
        else:
            check_target(ctx, entry["Next"], (*where, "Next"), "'Catch' 'Next'")
        if "ResultPath" in entry:
            check_path(
                problems, entry["ResultPath"], (*where, "ResultPath"), "'ResultPath'", result=True
            )


def _check_error_names(ctx: Context, names: Any, loc: Loc) -> None:
    problems = ctx.problems
    if not check_type(problems, names, loc, "'ErrorEquals'", "list"):
        return
    if not names:
        problems.error(
            loc,
            "'ErrorEquals' must name at least one error, e.g. [\"ActionFailedException\"] "
            'or ["States.ALL"]',
        )
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not check_type(problems, name, (*loc, index), "Each 'ErrorEquals' entry", "string"):
            continue
        if name in seen:
            problems.error((*loc, index), f"'ErrorEquals' lists {name!r} twice; remove the copy")
        seen.add(name)


def _check_pass(ctx: Context, state: dict[str, Any], loc: Loc) -> None:
    _check_input(ctx, state, loc, "Pass", required=False)
    if "Result" in state:
        check_json(ctx.problems, state["Result"], (*loc, "Result"), "'Result'")
    if "ResultPath" in state:
        check_path(
            ctx.problems, state["ResultPath"], (*loc, "ResultPath"), "'ResultPath'", result=True
        )


def _check_expression_eval(ctx: Context, state: dict[str, Any], loc: Loc) -> None:
    problems = ctx.problems
    if "Parameters" in state:
        check_parameters(problems, state["Parameters"], (*loc, "Parameters"))
    else:
        problems.error(
            (*loc, "Parameters"),
            "An ExpressionEval state needs 'Parameters': the object to "
            "build, with '.=' keys for expressions and '.$' keys for paths",
            "value_error.missing",
        )
    if "ResultPath" in state:
        check_path(problems, state["ResultPath"], (*loc, "ResultPath"), "'ResultPath'", result=True)
    elif not ctx.options.expressioneval_default_resultpath:
        problems.error(
            (*loc, "ResultPath"),
            "An ExpressionEval state needs 'ResultPath': where to store "
            "the rendered Parameters, e.g. '$.result' (or turn on the runtime option "
            "expressioneval_default_resultpath to replace the whole run state)",
            "value_error.missing",
        )


def _check_wait(ctx: Context, state: dict[str, Any], loc: Loc) -> None:
    problems = ctx.problems
    present = [key for key in _WAIT_FIELDS if key in state]
    if not present:
        problems.error(
            loc,
            "A Wait state needs exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or "
            "'TimestampPath'; add one",
        )
    elif len(present) > 1:
        problems.error(
            loc,
            "A Wait state needs exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or "
            f"'TimestampPath'; it has {' and '.join(repr(k) for k in present)}, keep only one",
        )
    if "Seconds" in state:
        seconds = state["Seconds"]
        if not is_integer(seconds) or not 0 <= seconds <= MAX_WAIT_SECONDS:
            problems.error(
                (*loc, "Seconds"),
                "'Seconds' must be a whole number from 0 to "
                f"{MAX_WAIT_SECONDS} (one year); got {show(seconds)}",
                "value_error.number",
            )
    if "Timestamp" in state:
        check_timestamp(problems, state["Timestamp"], (*loc, "Timestamp"), "'Timestamp'")
    for key in ("SecondsPath", "TimestampPath"):
        if key in state:
            check_path(problems, state[key], (*loc, key), f"'{key}'")


def _check_fail(ctx: Context, state: dict[str, Any], loc: Loc) -> None:
    problems = ctx.problems
    for key in ("Error", "Cause"):
        if key in state and f"{key}Path" in state:
            problems.error(
                loc,
                f"A Fail state may have {key!r} or '{key}Path', not both; keep only one",
            )
        if key in state:
            check_type(problems, state[key], (*loc, key), f"{key!r}", "string")
        if f"{key}Path" in state:
            check_path(problems, state[f"{key}Path"], (*loc, f"{key}Path"), f"'{key}Path'")


_CHECKERS: Mapping[str, Callable[[Context, dict[str, Any], Loc], None]] = {
    "Action": _check_action,
    "Pass": _check_pass,
    "Choice": check_choice,
    "Wait": _check_wait,
    "Fail": _check_fail,
    "ExpressionEval": _check_expression_eval,
}
