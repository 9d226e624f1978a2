"""Helpers for comparing generated definitions with the Gladier 0.11 reference fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gladier.flowgen import generated_client_definition, resolve_tools
from gladier.utils.tool_alias import StateSuffixVariablePrefix

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def reference(name: str) -> Any:
    """The parsed fixture ``name`` (without ``.json``)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def reference_text(name: str) -> str:
    """The fixture exactly as Gladier 0.11 wrote it."""
    return (FIXTURES / f"{name}.json").read_text()


def as_fixture_text(data: Any) -> str:
    """``data`` serialised like the fixtures, so equal text means equal keys in equal order."""
    return json.dumps(data, indent=2) + "\n"


class FakeClient:
    """Stands in for ``GladierBaseClient``: it has ``gladier_tools`` and resolves ``tools``."""

    gladier_tools: list[Any] = []
    alias_class = StateSuffixVariablePrefix

    @property
    def tools(self) -> list[Any]:
        return resolve_tools(self.gladier_tools, self.alias_class)


def client_definition(tools: list[Any], doc: str | None = None, modifiers: Any = None) -> Any:
    """The definition a decorated client with these tools generates."""
    from gladier.decorators import generate_flow_definition

    class Client(FakeClient):
        gladier_tools = tools

    Client.__doc__ = doc
    generate_flow_definition(modifiers=modifiers)(Client)
    return generated_client_definition(Client())
