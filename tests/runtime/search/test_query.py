"""Query strings (standard and advanced), their FTS5 form, filters and sort keys."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import ServiceError
from gladier.runtime.search.query import (
    All,
    Not,
    Or,
    Term,
    compile_filters,
    field_values,
    matches,
    parse,
    sort_key,
    to_fts,
    tokens,
)

DOC: dict[str, Any] = {
    "title": "The Quick Brown Fox",
    "year": 2021,
    "energy": 12.5,
    "tags": ["tomography", "battery"],
    "authors": [{"name": "Ada Lovelace"}, {"name": "Émile Zola"}],
    "published": True,
}


def test_tokens_fold_case_and_accents() -> None:
    assert tokens("Émile ZOLA, snake_case 3.5") == ["emile", "zola", "snake", "case", "3", "5"]


def test_field_values_walk_lists() -> None:
    assert field_values(DOC, "authors.name") == ["Ada Lovelace", "Émile Zola"]
    assert field_values(DOC, "tags") == ["tomography", "battery"]
    assert field_values(DOC, "missing.x") == []


def test_standard_queries() -> None:
    assert isinstance(parse("*"), All) and isinstance(parse("  "), All)
    node = parse('quick "brown fox" tomo*')
    assert isinstance(node, Or)
    assert to_fts(node) == '("quick" OR "brown fox" OR "tomo"*)'
    assert matches(node, DOC)
    assert matches(parse("zola"), DOC) and matches(parse("emile"), DOC)
    assert not matches(parse("wolf"), DOC)
    assert parse("title:fox") == Term("word", ("title", "fox"))  # no fields in standard syntax


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("title:fox", True),
        ("title:tomography", False),
        ("tags:battery AND year:2021", True),
        ("tags:battery AND NOT year:2021", False),
        ("tags:battery && !published:false", True),
        ("-title:fox", False),
        ("+title:fox", True),
        ('title:"brown fox"', True),
        ('title:"fox brown"', False),
        ("authors.name:lovelace", True),
        ("year:[2020 TO 2022]", True),
        ("year:{2021 TO 2022]", False),
        ("energy:>=12.5", True),
        ("energy:>12.5", False),
        ("energy:<100", True),
        ("title:(wolf OR fox)", True),
        ("(title:wolf OR title:dog) AND year:2021", False),
        ("title:qui*", True),
        ("missing:*", False),
        ("title:*", True),
        ("wolf fox", True),
        ("wolf dog", False),
    ],
)
def test_advanced_queries(q: str, expected: bool) -> None:
    assert matches(parse(q, advanced=True), DOC) is expected


def test_fts_translation_falls_back_when_needed() -> None:
    assert to_fts(parse("quick AND NOT fox", advanced=True)) == '(("quick") NOT "fox")'
    assert to_fts(parse("title:fox", advanced=True)) is None
    assert to_fts(parse("NOT fox", advanced=True)) is None
    assert to_fts(parse("fox OR NOT quick", advanced=True)) is None
    assert isinstance(parse("NOT fox", advanced=True), Not)


@pytest.mark.parametrize("q", ["(fox", "fox)", "year:[2020 2022]", "[1 TO 2]", "fox AND"])
def test_malformed_advanced_queries(q: str) -> None:
    with pytest.raises(ServiceError) as info:
        parse(q, advanced=True)
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"type": "match_any", "field_name": "tags", "values": ["battery", "x"]}], True),
        ([{"type": "match_all", "field_name": "tags", "values": ["battery", "x"]}], False),
        ([{"type": "match_any", "field_name": "year", "values": [2021]}], True),
        ([{"type": "range", "field_name": "year", "values": [{"from": 2022, "to": "*"}]}], False),
        ([{"type": "range", "field_name": "energy", "values": [{"from": "*", "to": 20}]}], True),
        ([{"type": "exists", "field_name": "authors.name"}], True),
        ([{"type": "not", "filter": {"type": "exists", "field_name": "nope"}}], True),
        (
            [
                {
                    "type": "or",
                    "filters": [
                        {"type": "match_any", "field_name": "tags", "values": ["x"]},
                        {"type": "match_any", "field_name": "published", "values": [True]},
                    ],
                }
            ],
            True,
        ),
        (None, True),
    ],
)
def test_filters(filters: Any, expected: bool) -> None:
    assert compile_filters(filters)(DOC) is expected


def test_bad_filters() -> None:
    for bad in ([{"type": "fuzzy", "field_name": "x", "values": []}], [{"type": "range"}], "x"):
        with pytest.raises(ServiceError):
            compile_filters(bad)


def test_sort_key_orders_numbers_text_and_missing() -> None:
    docs: list[dict[str, Any]] = [{"v": "b"}, {}, {"v": 10}, {"v": 2}, {"v": "a"}]
    assert [d.get("v") for d in sorted(docs, key=sort_key("v"))] == [2, 10, "a", "b", None]
