"""Flow graphs: a Globus Flows definition drawn as Mermaid, Graphviz DOT, SVG/PNG or a text tree.

Every renderer is a pure function of the definition and, optionally, the status of each state
(``{"Prepare": "SUCCEEDED", "Decrypt": "FAILED"}``, as :mod:`gladier.progress` computes it from a
run's log), which colours the states. Three kinds of edge are drawn distinctly:

* a ``Choice`` rule, labelled with the rule (``$.n > 10``), as a solid arrow;
* a ``Default`` branch, labelled ``Default``, as a dashed arrow;
* a ``Catch``, labelled with its ``ErrorEquals``, as a dashed red arrow.

Example::

    >>> definition = {
    ...     "StartAt": "Check",
    ...     "States": {
    ...         "Check": {"Type": "Choice", "Default": "Done",
    ...                   "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10,
    ...                                "Next": "Done"}]},
    ...         "Done": {"Type": "Pass", "End": True},
    ...     },
    ... }
    >>> print(to_text(definition))
    Start
    └─ Check (Choice)
       ├─ [$.n > 10] Done (Pass)
       │  └─ End
       └─ [Default] ↪ Done
    >>> print(to_mermaid(definition).splitlines()[0])
    flowchart TD

``render(definition, "svg")`` runs Graphviz's ``dot`` program and raises
:class:`GraphvizNotFound` when it is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from gladier.exc import ConfigException

__all__ = [
    "FORMATS",
    "Edge",
    "GraphvizNotFound",
    "describe_rule",
    "edges",
    "render",
    "text_lines",
    "to_dot",
    "to_mermaid",
    "to_text",
]

EdgeKind = Literal["next", "choice", "default", "catch"]
Format = Literal["text", "mermaid", "dot", "svg", "png"]

#: Every format :func:`render` accepts.
FORMATS: Final = ("text", "mermaid", "dot", "svg", "png")
#: Longest edge label before it is shortened with an ellipsis.
MAX_LABEL: Final = 48

START: Final = "__start__"
END: Final = "__end__"

#: Status → (fill, stroke) colours shared by Mermaid and DOT.
STATUS_COLOURS: Final[dict[str, tuple[str, str]]] = {
    "SUCCEEDED": ("#d8f3dc", "#2d6a4f"),
    "FAILED": ("#ffd6d6", "#c1121f"),
    "ACTIVE": ("#fff3bf", "#e0a800"),
    "INACTIVE": ("#ffe8cc", "#d9480f"),
    "CAUGHT": ("#ffe3e3", "#e8590c"),
    "CANCELED": ("#e9ecef", "#495057"),
}
#: Status → the mark shown in the text tree.
STATUS_MARKS: Final[dict[str, str]] = {
    "SUCCEEDED": "✓",
    "FAILED": "✗",
    "ACTIVE": "▶",
    "INACTIVE": "⏸",
    "CAUGHT": "!",
    "CANCELED": "■",
}
CATCH_COLOUR: Final = "#c1121f"


class GraphvizNotFound(ConfigException):
    """SVG or PNG was asked for, but Graphviz's ``dot`` program is not on ``PATH``.

    Example::

        try:
            render(definition, "svg")
        except GraphvizNotFound as err:
            print(err)            # Rendering SVG needs Graphviz's 'dot' program, ...
    """


@dataclass(frozen=True)
class Edge:
    """One arrow of the graph. ``source``/``target`` may be the pseudo-states START and END.

    Example::

        >>> Edge("Check", "Done", "default", "Default").kind
        'default'
    """

    source: str
    target: str
    kind: EdgeKind
    label: str = ""


# --------------------------------------------------------------------------- structure
def _states(definition: Mapping[str, Any]) -> Mapping[str, Any]:
    states = definition.get("States") if isinstance(definition, Mapping) else None
    if not isinstance(states, Mapping):
        raise ConfigException(
            "This is not a flow definition: it has no 'States' object. Pass the definition "
            'itself ({"StartAt": ..., "States": {...}}) or a flow document that contains one.'
        )
    return states


def _state_type(state: Any) -> str:
    return str(state.get("Type", "?")) if isinstance(state, Mapping) else "?"


def edges(definition: Mapping[str, Any]) -> list[Edge]:
    """Every arrow of the definition, in a stable order (start, then each state in order).

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> [(e.source, e.target, e.kind) for e in edges(d)]
        [('__start__', 'A', 'next'), ('A', '__end__', 'next')]
    """
    states = _states(definition)
    found = [Edge(START, str(definition.get("StartAt", "")), "next")]
    for name, state in states.items():
        found.extend(_state_edges(str(name), state))
    return found


def _state_edges(name: str, state: Any) -> Iterator[Edge]:
    if not isinstance(state, Mapping):
        return
    kind = _state_type(state)
    if kind == "Choice":
        for rule in state.get("Choices") or []:
            if isinstance(rule, Mapping) and "Next" in rule:
                yield Edge(name, str(rule["Next"]), "choice", _short(describe_rule(rule)))
        if "Default" in state:
            yield Edge(name, str(state["Default"]), "default", "Default")
    elif kind != "Fail":
        if "Next" in state:
            yield Edge(name, str(state["Next"]), "next")
        elif state.get("End"):
            yield Edge(name, END, "next")
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, Mapping) and "Next" in catcher:
            errors = catcher.get("ErrorEquals") or []
            label = "Catch " + ", ".join(str(e) for e in errors)
            yield Edge(name, str(catcher["Next"]), "catch", _short(label))


def _short(text: str) -> str:
    """``text``, its middle cut out when too long (the operator and value stay readable).

    Example::

        >>> _short("$.VerifyRoundTrip.details.results[0].output.match == true")
        '$.VerifyRoundTrip.d…ults[0].output.match == true'
    """
    if len(text) <= MAX_LABEL:
        return text
    head = (MAX_LABEL - 1) // 2 - 4
    tail = MAX_LABEL - 1 - head
    return text[:head] + "…" + text[-tail:]


_COMPARISON = re.compile(
    r"^(String|Numeric|Boolean|Timestamp)"
    r"(Equals|LessThanEquals|GreaterThanEquals|LessThan|GreaterThan)(Path)?$"
)
_SYMBOLS: Final = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_TYPE_WORDS: Final = {
    "IsNull": "null",
    "IsNumeric": "numeric",
    "IsString": "a string",
    "IsBoolean": "a boolean",
    "IsTimestamp": "a timestamp",
}


def describe_rule(rule: Mapping[str, Any]) -> str:
    """A short, readable form of a Choice rule.

    Example::

        >>> describe_rule({"Variable": "$.n", "NumericGreaterThanEquals": 3})
        '$.n >= 3'
        >>> describe_rule({"Not": {"Variable": "$.s", "StringEquals": "ok"}})
        'not $.s == "ok"'
        >>> describe_rule({"And": [{"Variable": "$.a", "IsPresent": True},
        ...                        {"Variable": "$.b", "BooleanEqualsPath": "$.c"}]})
        '($.a is present) and ($.b == $.c)'
    """
    if "And" in rule or "Or" in rule:
        word = "and" if "And" in rule else "or"
        parts = rule.get("And") or rule.get("Or") or []
        return f" {word} ".join(f"({describe_rule(p)})" for p in parts if isinstance(p, Mapping))
    if "Not" in rule:
        inner = rule["Not"]
        return "not " + (describe_rule(inner) if isinstance(inner, Mapping) else "?")
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        match = _COMPARISON.match(key)
        if match:
            operand = str(value) if match.group(3) else json.dumps(value)
            return f"{variable} {_SYMBOLS[match.group(2)]} {operand}"
        if key == "StringMatches":
            return f"{variable} matches {json.dumps(value)}"
        if key == "IsPresent":
            return f"{variable} is {'present' if value else 'absent'}"
        if key in _TYPE_WORDS:
            return f"{variable} is {'' if value else 'not '}{_TYPE_WORDS[key]}"
    return variable


# --------------------------------------------------------------------------- text
def text_lines(
    definition: Mapping[str, Any], statuses: Mapping[str, str] | None = None
) -> list[tuple[str, str | None]]:
    """The text tree as ``(line, status)`` pairs, so a terminal can colour each line.

    Each state is expanded once, depth first from ``StartAt``; a state reached again is shown
    as ``↪ Name``. Unreachable states are listed at the end.

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> text_lines(d, {"A": "SUCCEEDED"})
        [('Start', None), ('└─ ✓ A (Pass) SUCCEEDED', 'SUCCEEDED'), ('   └─ End', None)]
    """
    states = _states(definition)
    statuses = statuses or {}
    outgoing: dict[str, list[Edge]] = {}
    for edge in edges(definition):
        outgoing.setdefault(edge.source, []).append(edge)
    lines: list[tuple[str, str | None]] = [("Start", None)]
    expanded: set[str] = set()

    def label(edge: Edge) -> str:
        return f"[{edge.label}] " if edge.label else ""

    def visit(edge: Edge, prefix: str, last: bool) -> None:
        branch = "└─ " if last else "├─ "
        child_prefix = prefix + ("   " if last else "│  ")
        target = edge.target
        if target == END:
            lines.append((f"{prefix}{branch}{label(edge)}End", None))
            return
        if target not in states:
            lines.append((f"{prefix}{branch}{label(edge)}{target} (missing state!)", None))
            return
        if target in expanded:
            lines.append((f"{prefix}{branch}{label(edge)}↪ {target}", None))
            return
        expanded.add(target)
        status = statuses.get(target)
        mark = f"{STATUS_MARKS.get(status, '·')} " if status else ""
        suffix = f" {status}" if status else ""
        kind = _state_type(states[target])
        lines.append((f"{prefix}{branch}{label(edge)}{mark}{target} ({kind}){suffix}", status))
        children = outgoing.get(target, [])
        for index, child in enumerate(children):
            visit(child, child_prefix, index == len(children) - 1)

    start = outgoing.get(START, [])
    for index, edge in enumerate(start):
        visit(edge, "", index == len(start) - 1)
    unreachable = [name for name in states if name not in expanded]
    if unreachable:
        lines.append(("Unreachable:", None))
        for name in unreachable:
            status = statuses.get(name)
            lines.append((f"   {name} ({_state_type(states[name])})", status))
    return lines


def to_text(definition: Mapping[str, Any], statuses: Mapping[str, str] | None = None) -> str:
    """The definition as an indented tree, for a terminal (see :func:`text_lines`).

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> print(to_text(d))
        Start
        └─ A (Pass)
           └─ End
    """
    return "\n".join(line for line, _ in text_lines(definition, statuses))


# --------------------------------------------------------------------------- mermaid
_MERMAID_SHAPES: Final = {
    "Action": ('["', '"]'),
    "Pass": ('("', '")'),
    "Choice": ('{"', '"}'),
    "Wait": ('{{"', '"}}'),
    "ExpressionEval": ('[["', '"]]'),
    "Fail": ('((("', '")))'),
}


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def _node_ids(states: Mapping[str, Any]) -> dict[str, str]:
    ids = {name: f"s{index}" for index, name in enumerate(states)}
    ids[START] = "start"
    ids[END] = "finish"
    return ids


def to_mermaid(definition: Mapping[str, Any], statuses: Mapping[str, str] | None = None) -> str:
    """The definition as a Mermaid ``flowchart`` (paste it into Markdown or mermaid.live).

    Nodes are named ``s0``, ``s1``… in definition order, with the state name as label; the
    shape tells the type (Choice a rhombus, Fail a double circle, Wait a hexagon…).

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> print(to_mermaid(d, {"A": "SUCCEEDED"}))
        flowchart TD
            start(((Start)))
            s0("A")
            finish(((End)))
            start --> s0
            s0 --> finish
            classDef succeeded fill:#d8f3dc,stroke:#2d6a4f,color:#000
            class s0 succeeded
    """
    states = _states(definition)
    statuses = statuses or {}
    ids = _node_ids(states)
    out = ["flowchart TD", "    start(((Start)))"]
    for name, state in states.items():
        left, right = _MERMAID_SHAPES.get(_state_type(state), ('["', '"]'))
        out.append(f"    {ids[name]}{left}{_mermaid_text(name)}{right}")
    all_edges = edges(definition)
    if any(e.target == END for e in all_edges):
        out.append("    finish(((End)))")
    catch_links: list[int] = []
    for index, edge in enumerate(all_edges):
        source = ids.get(edge.source, _mermaid_id(edge.source))
        target = ids.get(edge.target, _mermaid_id(edge.target))
        text = _mermaid_text(edge.label)
        if edge.kind == "choice":
            out.append(f'    {source} -->|"{text}"| {target}')
        elif edge.kind in ("default", "catch"):
            out.append(f'    {source} -.->|"{text}"| {target}')
            if edge.kind == "catch":
                catch_links.append(index)
        else:
            out.append(f"    {source} --> {target}")
    if catch_links:
        joined = ",".join(str(i) for i in catch_links)
        out.append(f"    linkStyle {joined} stroke:{CATCH_COLOUR},color:{CATCH_COLOUR}")
    used = sorted({s for n, s in statuses.items() if n in states and s in STATUS_COLOURS})
    for status in used:
        fill, stroke = STATUS_COLOURS[status]
        out.append(f"    classDef {status.lower()} fill:{fill},stroke:{stroke},color:#000")
    for status in used:
        members = ",".join(ids[n] for n in states if statuses.get(n) == status)
        out.append(f"    class {members} {status.lower()}")
    return "\n".join(out)


def _mermaid_id(name: str) -> str:
    """An id for a Next that names no state (an invalid definition, still drawn)."""
    return "missing_" + re.sub(r"\W", "_", name)


# --------------------------------------------------------------------------- dot
_DOT_SHAPES: Final = {
    "Action": "box",
    "Pass": "box",
    "Choice": "diamond",
    "Wait": "hexagon",
    "ExpressionEval": "component",
    "Fail": "doubleoctagon",
}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(definition: Mapping[str, Any], statuses: Mapping[str, str] | None = None) -> str:
    """The definition as a Graphviz ``digraph`` (``dot -Tsvg`` turns it into a picture).

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> "A" in to_dot(d) and to_dot(d).startswith("digraph flow {")
        True
    """
    states = _states(definition)
    statuses = statuses or {}
    title = str(definition.get("Comment") or "flow")
    out = [
        "digraph flow {",
        f"    label={_dot_quote(title)};",
        "    labelloc=t;",
        '    graph [fontname="Helvetica", rankdir=TB];',
        '    node [fontname="Helvetica", fontsize=11, style="rounded,filled", '
        'fillcolor="#ffffff", color="#343a40"];',
        '    edge [fontname="Helvetica", fontsize=10, color="#343a40"];',
        f'    {_dot_quote(START)} [label="Start", shape=circle, fillcolor="#343a40", '
        'fontcolor="#ffffff", width=0.6];',
    ]
    for name, state in states.items():
        kind = _state_type(state)
        label = f"{name}\n{kind}"
        attrs = [f"label={_dot_quote(label)}", f"shape={_DOT_SHAPES.get(kind, 'box')}"]
        status = statuses.get(name)
        if status in STATUS_COLOURS:
            fill, stroke = STATUS_COLOURS[status]
            attrs += [f'fillcolor="{fill}"', f'color="{stroke}"', "penwidth=2"]
            tooltip = f"{name}: {status}"
            attrs.append(f"tooltip={_dot_quote(tooltip)}")
        out.append(f"    {_dot_quote(name)} [{', '.join(attrs)}];")
    all_edges = edges(definition)
    if any(e.target == END for e in all_edges):
        out.append(
            f'    {_dot_quote(END)} [label="End", shape=doublecircle, fillcolor="#343a40", '
            'fontcolor="#ffffff", width=0.5];'
        )
    for edge in all_edges:
        attrs = []
        if edge.label:
            attrs.append(f"label={_dot_quote(edge.label)}")
        if edge.kind == "default":
            attrs.append("style=dashed")
        elif edge.kind == "catch":
            attrs += ["style=dashed", f'color="{CATCH_COLOUR}"', f'fontcolor="{CATCH_COLOUR}"']
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"    {_dot_quote(edge.source)} -> {_dot_quote(edge.target)}{suffix};")
    out.append("}")
    return "\n".join(out)


# --------------------------------------------------------------------------- render
def render(
    definition: Mapping[str, Any],
    fmt: str,
    statuses: Mapping[str, str] | None = None,
    *,
    dot_program: str | None = None,
) -> str | bytes:
    """Render in ``fmt`` (one of :data:`FORMATS`): text for text/mermaid/dot/svg, bytes for png.

    ``svg`` and ``png`` run Graphviz's ``dot`` (``dot_program`` or the one on ``PATH``) and raise
    :class:`GraphvizNotFound` when it is missing, with what to install.

    Example::

        >>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> render(d, "text").splitlines()[1]
        '└─ A (Pass)'
    """
    if fmt == "text":
        return to_text(definition, statuses)
    if fmt == "mermaid":
        return to_mermaid(definition, statuses)
    if fmt == "dot":
        return to_dot(definition, statuses)
    if fmt in ("svg", "png"):
        data = _run_dot(to_dot(definition, statuses), fmt, dot_program)
        return data.decode("utf-8") if fmt == "svg" else data
    raise ConfigException(f"Unknown graph format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def _run_dot(source: str, fmt: str, dot_program: str | None) -> bytes:
    program = dot_program or shutil.which("dot")
    if program is None or shutil.which(program) is None:
        raise GraphvizNotFound(
            f"Rendering {fmt.upper()} needs Graphviz's 'dot' program, which is not installed "
            "(or not on PATH). Install Graphviz (apt-get install graphviz, brew install "
            "graphviz, conda install graphviz), or use --format dot, mermaid or text."
        )
    done = subprocess.run(
        [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ConfigException(f"Graphviz could not draw the flow: {message}")
    return done.stdout
