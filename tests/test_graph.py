"""gladier.graph: edges, rule labels, and the text, Mermaid, DOT and SVG renderers."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.graph import (
    END,
    START,
    GraphvizNotFound,
    describe_rule,
    edges,
    render,
    text_lines,
    to_dot,
    to_mermaid,
    to_text,
)
from tests.cli.conftest import BRANCHING

LOOP: dict[str, Any] = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "A"}],
            "Default": "C",
        },
        "C": {"Type": "ExpressionEval", "Parameters": {}, "ResultPath": "$.x", "End": True},
        "Orphan": {"Type": "Pass", "End": True},
    },
}


def test_edges_have_their_kind_and_label() -> None:
    found = {(e.source, e.target): (e.kind, e.label) for e in edges(BRANCHING)}
    choice = 'Good "enough"?'
    assert found[(START, "Measure")] == ("next", "")
    assert found[(choice, "Publish")] == ("choice", "$.m.mean <= 5")
    assert found[(choice, "Flag")] == ("default", "Default")
    assert found[("Publish", "Flag")] == ("catch", "Catch ActionFailedException, ActionTimeout")
    assert found[("Publish", END)] == ("next", "")
    assert not any(e.source == "Flag" for e in edges(BRANCHING))  # a Fail state ends the run


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.s", "StringEquals": "ok"}, '$.s == "ok"'),
        ({"Variable": "$.n", "NumericGreaterThanPath": "$.limit"}, "$.n > $.limit"),
        ({"Variable": "$.b", "BooleanEquals": False}, "$.b == false"),
        (
            {"Variable": "$.t", "TimestampLessThanEquals": "2026-01-01T00:00:00Z"},
            '$.t <= "2026-01-01T00:00:00Z"',
        ),
        ({"Variable": "$.f", "StringMatches": "*.h5"}, '$.f matches "*.h5"'),
        ({"Variable": "$.x", "IsPresent": False}, "$.x is absent"),
        ({"Variable": "$.x", "IsNull": True}, "$.x is null"),
        ({"Variable": "$.x", "IsNumeric": False}, "$.x is not numeric"),
        (
            {"Or": [{"Variable": "$.a", "IsString": True}, {"Variable": "$.a", "IsBoolean": True}]},
            "($.a is a string) or ($.a is a boolean)",
        ),
        ({"Not": {"Variable": "$.a", "IsTimestamp": True}}, "not $.a is a timestamp"),
        ({"Variable": "$.odd"}, "$.odd"),
    ],
)
def test_describe_rule(rule: dict[str, Any], text: str) -> None:
    assert describe_rule(rule) == text


def test_text_tree_expands_each_state_once_and_lists_unreachable_ones() -> None:
    assert to_text(LOOP).splitlines() == [
        "Start",
        "└─ A (Pass)",
        "   └─ B (Choice)",
        "      ├─ [$.n < 3] ↪ A",
        "      └─ [Default] C (ExpressionEval)",
        "         └─ End",
        "Unreachable:",
        "   Orphan (Pass)",
    ]


def test_text_lines_carry_the_status_of_each_state() -> None:
    lines = text_lines(LOOP, {"A": "SUCCEEDED", "B": "ACTIVE"})
    assert lines[1] == ("└─ ✓ A (Pass) SUCCEEDED", "SUCCEEDED")
    assert lines[2] == ("   └─ ▶ B (Choice) ACTIVE", "ACTIVE")


def test_a_next_to_a_missing_state_is_still_drawn() -> None:
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Ghost"}}}
    assert "Ghost (missing state!)" in to_text(broken)
    assert "s0 --> missing_Ghost" in to_mermaid(broken)
    assert '"A" -> "Ghost";' in to_dot(broken)


def test_mermaid_styles_statuses_and_catch_edges() -> None:
    text = to_mermaid(BRANCHING, {"Measure": "SUCCEEDED", "Publish": "CAUGHT", "Flag": "FAILED"})
    assert "    linkStyle 6 stroke:#c1121f,color:#c1121f" in text
    assert "    class s0 succeeded" in text
    assert "    class s2 caught" in text
    assert "    class s4 failed" in text
    assert '    s3{{"Settle"}}' in text


def test_dot_quotes_names_and_colours_statuses() -> None:
    text = to_dot(BRANCHING, {"Flag": "FAILED"})
    assert '"Good \\"enough\\"?" [label="Good \\"enough\\"?\\nChoice", shape=diamond];' in text
    assert 'fillcolor="#ffd6d6", color="#c1121f", penwidth=2, tooltip="Flag: FAILED"' in text


def test_render_text_formats_and_errors() -> None:
    assert render(LOOP, "text") == to_text(LOOP)
    assert render(LOOP, "mermaid") == to_mermaid(LOOP)
    assert render(LOOP, "dot") == to_dot(LOOP)
    with pytest.raises(ConfigException, match="Unknown graph format 'gif'"):
        render(LOOP, "gif")
    with pytest.raises(ConfigException, match="has no 'States' object"):
        to_text({"StartAt": "A"})


def test_render_svg_without_graphviz() -> None:
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        render(LOOP, "svg", dot_program="/nonexistent/dot")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg_is_valid_svg() -> None:
    svg = render(BRANCHING, "svg", {"Measure": "SUCCEEDED"})
    assert isinstance(svg, str)
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    assert {"Measure", "Publish", "Flag"} <= titles
    png = render(BRANCHING, "png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
