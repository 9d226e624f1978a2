from __future__ import annotations

import collections

import pytest

from gladier.utils.dynamic_imports import import_string, parse_alias


def test_parse_alias() -> None:
    assert parse_alias("pkg.mod.Tool") == ("pkg.mod.Tool", None)
    assert parse_alias("pkg.mod.Tool:First") == ("pkg.mod.Tool", "First")
    assert parse_alias("pkg.mod.Tool:a:B") == ("pkg.mod.Tool:a", "B")


def test_import_string_ignores_the_alias() -> None:
    assert import_string("collections.OrderedDict") is collections.OrderedDict
    assert import_string("collections.OrderedDict:Alias") is collections.OrderedDict


@pytest.mark.parametrize("path", ["NoDots", ".Leading", "Trailing."])
def test_import_string_needs_a_dotted_path(path: str) -> None:
    with pytest.raises(ImportError, match="dotted path"):
        import_string(path)


def test_import_string_missing_module_and_attribute() -> None:
    with pytest.raises(ImportError):
        import_string("no_such_module_here.Tool")
    with pytest.raises(ImportError, match="has no attribute"):
        import_string("collections.NoSuchThing")
