"""Compute action bodies: V2, V3, the single-task form and the older spellings."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import ActionProviderError
from gladier.runtime.compute.bodies import TaskSpec, parse_body


def test_v2_tasks_with_args_and_kwargs() -> None:
    body = {
        "tasks": [
            {"endpoint": "e", "function": "f", "args": [1, 2], "kwargs": {"z": 3}},
            {"endpoint": "e", "function": "g"},
        ]
    }
    assert parse_body(body, "v2") == [
        TaskSpec("e", "f", [1, 2], {"z": 3}),
        TaskSpec("e", "g", [], {}),
    ]


def test_v2_payload_dict_is_kwargs_and_other_payloads_are_one_argument() -> None:
    tasks = [
        {"endpoint": "e", "func": "f", "payload": {"x": 1}},
        {"endpoint": "e", "function": "f", "payload": [1, 2]},
        {"endpoint": "e", "function": "f", "payload": "text"},
    ]
    assert parse_body({"tasks": tasks}, "v2") == [
        TaskSpec("e", "f", [], {"x": 1}),
        TaskSpec("e", "f", [[1, 2]], {}),
        TaskSpec("e", "f", ["text"], {}),
    ]


def test_v2_single_task_form_at_the_top_level() -> None:
    assert parse_body({"endpoint": "e", "function": "f", "payload": {"a": 1}}, "v2") == [
        TaskSpec("e", "f", [], {"a": 1})
    ]
    assert parse_body({"tasks": [], "endpoint": "e", "func": "f", "args": 5}, "v2") == [
        TaskSpec("e", "f", [5], {})
    ]


def test_args_and_kwargs_may_be_json_text() -> None:
    body = {"tasks": [{"endpoint": "e", "function": "f", "args": "[1, 2]", "kwargs": '{"a": 1}'}]}
    assert parse_body(body, "v2") == [TaskSpec("e", "f", [1, 2], {"a": 1})]
    plain = {"tasks": [{"endpoint": "e", "function": "f", "args": "hello"}]}
    assert parse_body(plain, "v2") == [TaskSpec("e", "f", ["hello"], {})]


def test_v3_body() -> None:
    body = {
        "endpoint_id": "e",
        "tasks": [{"function_id": "f", "args": [1]}, {"function_id": "g", "kwargs": {"k": 2}}],
        "task_group_id": "tg",
        "resource_specification": {"num_nodes": 1},
    }
    assert parse_body(body, "v3") == [TaskSpec("e", "f", [1], {}), TaskSpec("e", "g", [], {"k": 2})]


@pytest.mark.parametrize(
    ("body", "dialect", "message"),
    [
        ([], "v2", "must be an object"),
        ({}, "v2", "needs 'tasks'"),
        ({"tasks": "x"}, "v2", "must be a list"),
        ({"tasks": [1]}, "v2", r"tasks\[0\] must be an object"),
        ({"tasks": [{"function": "f"}]}, "v2", "'endpoint'"),
        ({"tasks": [{"endpoint": "e"}]}, "v2", "'function'"),
        ({"tasks": [{"endpoint": "e", "function": "f", "kwargs": 3}]}, "v2", "'kwargs' must"),
        ({"tasks": [{"endpoint": "e", "function": "f", "kwargs": "[1]"}]}, "v2", "'kwargs' must"),
        (
            {"tasks": [{"endpoint": "e", "function": "f", "payload": {}, "kwargs": {}}]},
            "v2",
            "not both",
        ),
        ({"tasks": [{"function_id": "f"}]}, "v3", "endpoint_id"),
        ({"endpoint_id": "e", "tasks": []}, "v3", "non-empty"),
        ({"endpoint_id": "e", "tasks": [{"function_id": "f", "payload": {}}]}, "v3", "payload"),
        ({"endpoint_id": "e", "tasks": [{}]}, "v3", "function_id"),
    ],
)
def test_bad_bodies_are_refused_with_a_reason(body: Any, dialect: str, message: str) -> None:
    with pytest.raises(ActionProviderError, match=message) as caught:
        parse_body(body, dialect)
    assert caught.value.body["code"] == "BadRequest"
