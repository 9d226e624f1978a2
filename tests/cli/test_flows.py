"""``gladier flows``: create, list, show, validate, run, graph (with snapshots) and delete."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import BRANCHING, SLOW, Invoke, created_flow

SNAPSHOTS = Path(__file__).parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    """Compare with tests/cli/snapshots/<name>; UPDATE_SNAPSHOTS=1 rewrites the file."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; run with UPDATE_SNAPSHOTS=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; UPDATE_SNAPSHOTS=1 to accept"


def test_create_list_show_delete(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING), "branching")

    listed = gladier("flows", "list")
    assert listed.exit_code == 0
    assert flow_id in listed.stdout and "branching" in listed.stdout
    assert json.loads(gladier("flows", "list", "--json").stdout)[0]["id"] == flow_id

    shown = gladier("flows", "show", flow_id)
    assert shown.exit_code == 0
    assert "Title:" in shown.stdout and "└─ Measure (Pass)" in shown.stdout
    assert json.loads(gladier("flows", "show", flow_id, "--json").stdout)["title"] == "branching"

    deleted = gladier("flows", "delete", flow_id)
    assert deleted.exit_code == 0 and "Deleted flow" in deleted.stdout
    missing = gladier("flows", "show", flow_id)
    assert missing.exit_code == 1
    assert missing.stderr.strip() == (
        f"Error: No flow with id {flow_id} exists in {os.environ['GLADIER_HOME']}; "
        "list flows with `gladier flows list`."
    )


def test_create_from_a_flow_document_with_schema(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    doc = {"definition": SLOW, "input_schema": {"type": "object", "required": ["x"]}}
    result = gladier("flows", "create", str(write_json("doc.json", doc)))
    assert result.exit_code == 0
    assert "Created flow" in result.stdout and "gladier flows run" in result.stdout


def test_validate_reports_every_problem(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    good = gladier("flows", "validate", str(write_json("good.json", BRANCHING)))
    assert good.exit_code == 0
    assert "is a valid flow definition (5 states)" in good.stdout
    as_json = json.loads(
        gladier("flows", "validate", str(write_json("g.json", BRANCHING)), "--json").stdout
    )
    assert as_json["valid"] is True

    bad = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Nope"}},
    }
    result = gladier("flows", "validate", str(write_json("bad.json", bad)))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: The flow definition is not valid (")
    assert any("Nowhere" in line for line in lines)
    assert lines[-1] == "Fix the definition, then check it with `gladier flows validate FILE`."


def test_validate_unreadable_json_is_a_usage_error(gladier: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = gladier("flows", "validate", str(path))
    assert result.exit_code == 2
    assert "is not valid JSON (line 1" in result.stderr


def test_run_waits_and_exits_with_the_run_status(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    ok = gladier("flows", "run", flow_id, "-i", "mean=3", "-i", "name=scan-1", "--label", "ok")
    assert ok.exit_code == 0, ok.output
    assert "Measure" in ok.stdout and "Publish" in ok.stdout and "SUCCEEDED" in ok.stdout

    flagged = gladier("flows", "run", flow_id, "-i", "mean=9", "-i", "name=scan-2")
    assert flagged.exit_code == 1
    assert "Failed at state Flag: TooNoisy: the scan needs another look" in flagged.stdout

    final = json.loads(
        gladier("flows", "run", flow_id, "-i", "mean=1", "-i", "name=x", "--json").stdout
    )
    assert final["status"] == "SUCCEEDED"
    assert final["details"]["output"]["published"]["details"]["hello"] == "x"


def test_run_no_wait_prints_the_run_id(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("slow.json", SLOW))
    result = gladier("flows", "run", flow_id, "--no-wait", "--tag", "a", "--tag", "b")
    assert result.exit_code == 0
    assert result.stdout.startswith("Started run ")
    started = json.loads(gladier("flows", "run", flow_id, "--no-wait", "--json").stdout)
    assert started["status"] == "ACTIVE"


def test_graph_mermaid_snapshot(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    result = gladier(
        "flows", "graph", str(write_json("flow.json", BRANCHING)), "--format", "mermaid"
    )
    assert result.exit_code == 0
    check_snapshot("branching.mmd", result.stdout)
    assert '-->|"$.m.mean <= 5"|' in result.stdout
    assert '-.->|"Default"|' in result.stdout
    assert '-.->|"Catch ActionFailedException, ActionTimeout"|' in result.stdout
    assert "#quot;enough#quot;" in result.stdout


def test_graph_dot_snapshot(gladier: Invoke, write_json: Callable[[str, Any], Path]) -> None:
    result = gladier("flows", "graph", str(write_json("flow.json", BRANCHING)), "--format", "dot")
    assert result.exit_code == 0
    check_snapshot("branching.dot", result.stdout)
    assert '[label="Default", style=dashed]' in result.stdout
    assert 'label="Catch ActionFailedException, ActionTimeout", style=dashed, color="#c1121f"' in (
        result.stdout
    )


def test_graph_text_of_a_stored_flow(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    result = gladier("flows", "graph", flow_id)
    assert result.exit_code == 0
    check_snapshot("branching.txt", result.stdout)


def test_graph_of_a_run_is_coloured_by_status(
    gladier: Invoke, write_json: Callable[[str, Any], Path]
) -> None:
    flow_id = created_flow(gladier, write_json("flow.json", BRANCHING))
    run = json.loads(
        gladier("flows", "run", flow_id, "-i", "mean=9", "-i", "name=n", "--json").stdout
    )
    text = gladier("flows", "graph", "--run", run["run_id"])
    assert "✓ Measure (Pass) SUCCEEDED" in text.stdout
    assert "✗ Flag (Fail) FAILED" in text.stdout
    mermaid = gladier("flows", "graph", "--run", run["run_id"], "--format", "mermaid").stdout
    assert "classDef failed fill:#ffd6d6" in mermaid
    assert "class s0,s1 succeeded" in mermaid


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graph_svg_is_valid_svg(
    gladier: Invoke, write_json: Callable[[str, Any], Path], tmp_path: Path
) -> None:
    target = tmp_path / "flow.svg"
    result = gladier(
        "flows",
        "graph",
        str(write_json("flow.json", BRANCHING)),
        "--format",
        "svg",
        "--output",
        str(target),
    )
    assert result.exit_code == 0
    assert f"Wrote the svg graph to {target}." in result.stderr
    root = ET.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Measure", "Publish", "Default"} <= texts

    png = gladier("flows", "graph", str(write_json("f2.json", BRANCHING)), "--format", "png")
    assert png.exit_code == 0
    assert png.stdout_bytes.startswith(b"\x89PNG")


def test_graph_needs_a_flow_or_a_run(gladier: Invoke) -> None:
    result = gladier("flows", "graph")
    assert result.exit_code == 2
    assert "Name a flow (an id or a JSON file), or a run with --run RUN_ID." in result.stderr


def test_graph_svg_without_graphviz_says_what_to_install(
    gladier: Invoke, write_json: Callable[[str, Any], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = gladier("flows", "graph", str(write_json("flow.json", BRANCHING)), "--format", "svg")
    assert result.exit_code == 1
    assert "needs Graphviz's 'dot' program" in result.stderr
    assert "use --format dot, mermaid or text" in result.stderr
