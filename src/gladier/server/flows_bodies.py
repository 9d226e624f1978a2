"""The request bodies of the Flows router, checked before they reach the runtime.

The runtime validates definitions, schemas, run bodies and limits with its own messages; these
models only check the shape of the other fields (a list of strings is a list of strings), so
a wrong type is a 422 listing every problem, as the Flows service answers, never a 500.

Example::

    fields = checked(RunStart, {"body": {}, "tags": "not a list"})
    # HTTPError 422: [{"loc": ["body", "tags"], "msg": "Input should be a valid list", ...}]
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from gladier.server.errors import HTTPError

__all__ = ["FlowCreate", "FlowUpdate", "RunStart", "RunUpdate", "checked"]

StrList = list[StrictStr]


class _FlowFields(BaseModel):
    subtitle: StrictStr | None = None
    description: StrictStr | None = None
    keywords: StrList | None = None
    flow_viewers: StrList | None = None
    flow_starters: StrList | None = None
    flow_administrators: StrList | None = None
    run_managers: StrList | None = None
    run_monitors: StrList | None = None
    subscription_id: StrictStr | None = None
    authentication_policy_id: StrictStr | None = None


class FlowCreate(_FlowFields):
    """``POST /flows``; other fields are kept in the flow document."""

    model_config = ConfigDict(extra="allow")
    title: Any
    definition: Any
    input_schema: Any = None


class FlowUpdate(_FlowFields):
    """``PUT /flows/{id}``: only the fields given change."""

    model_config = ConfigDict(extra="forbid")
    title: Any = None
    definition: Any = None
    input_schema: Any = None
    flow_owner: StrictStr | None = None


class RunStart(BaseModel):
    """``POST /flows/{id}/run``; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    body: Any
    label: StrictStr | None = None
    tags: StrList | None = None
    run_managers: StrList | None = None
    run_monitors: StrList | None = None
    activity_notification_policy: dict[str, Any] | None = None


class RunUpdate(BaseModel):
    """``PUT /runs/{id}``."""

    model_config = ConfigDict(extra="forbid")
    label: StrictStr | None = None
    tags: StrList | None = None
    run_managers: StrList | None = None
    run_monitors: StrList | None = None


def checked(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``body`` that were given, after ``model`` checked their types."""
    try:
        parsed = model.model_validate(body)
    except ValidationError as err:
        detail = [
            {"loc": ["body", *e["loc"]], "msg": _message(model, e), "type": e["type"]}
            for e in err.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise HTTPError(422, "UNPROCESSABLE_ENTITY", detail) from None
    given = {name: getattr(parsed, name) for name in parsed.model_fields_set}
    given.update(parsed.model_extra or {})
    return given


def _message(model: type[BaseModel], error: Any) -> str:
    """A message that names the field (globus-sdk shows only the messages, not ``loc``)."""
    field = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"{field}: field required"
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(model.model_fields)
        return f"{field}: unknown field; the fields are {allowed}"
    return f"{field}: {error['msg']}"
