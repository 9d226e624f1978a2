"""``gladier endpoints``: list, show, create, map, unmap and remove."""

from __future__ import annotations

import json

from tests.cli.conftest import Invoke

CLOUD = "4b116d3c-1703-4f8f-9f6f-39921e5864df"


def test_endpoint_lifecycle(gladier: Invoke) -> None:
    listed = gladier("endpoints", "list")
    assert listed.exit_code == 0 and "default (default)" in listed.stdout

    created = gladier(
        "endpoints", "create", "big", "--executor", "thread", "--config", "workers=3", "--json"
    )
    assert created.exit_code == 0, created.output
    doc = json.loads(created.stdout)
    assert doc["executor"] == "thread" and doc["config"] == {"workers": 3}

    mapped = gladier("endpoints", "map", CLOUD, "big")
    assert mapped.stdout.strip() == f"Tasks for {CLOUD} now run on endpoint big."
    shown = gladier("endpoints", "show", CLOUD)
    assert "Name:" in shown.stdout and "big" in shown.stdout and CLOUD in shown.stdout

    assert gladier("endpoints", "unmap", CLOUD).exit_code == 0
    assert CLOUD not in gladier("endpoints", "show", "big").stdout

    removed = gladier("endpoints", "remove", "big")
    assert removed.exit_code == 0 and removed.stdout.startswith("Removed endpoint ")
    assert [e["name"] for e in json.loads(gladier("endpoints", "list", "--json").stdout)] == [
        "default"
    ]


def test_bad_endpoint_settings(gladier: Invoke) -> None:
    result = gladier("endpoints", "create", "x", "--config", "workers")
    assert result.exit_code == 2 and "is not key=value" in result.stderr
    missing = gladier("endpoints", "show", "nope")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: ")
