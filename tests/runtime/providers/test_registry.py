"""ProviderRegistry: URLs, lazy built-in families, binding and commit hooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gladier.exc import ConfigException
from gladier.runtime.providers import ActionProvider, CallableProvider, action_status
from gladier.runtime.providers.builtin import EXPRESSION_EVAL_URL, HELLO_WORLD_URL
from gladier.runtime.providers.catalog import FAMILIES
from gladier.runtime.providers.registry import ProviderRegistry, normalise_url


class Echo(ActionProvider):
    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return action_status("echo-1", "SUCCEEDED", request.get("body"), request)


def test_urls_are_normalised() -> None:
    assert normalise_url("  https://example.org/echo/ ") == "https://example.org/echo"
    registry = ProviderRegistry()
    mine = registry.add("https://example.org/echo/", Echo())
    assert registry.get("https://example.org/echo") is mine
    assert mine.hooks is not None and mine.hooks.url == "https://example.org/echo"


def test_a_function_is_wrapped_and_anything_else_refused() -> None:
    registry = ProviderRegistry()
    assert isinstance(registry.add("https://example.org/f", lambda body: body), CallableProvider)
    with pytest.raises(ConfigException, match="ActionProvider or a callable"):
        registry.add("https://example.org/g", 42)  # type: ignore[arg-type]
    registry.close()


def test_built_in_urls_are_listed_and_installed_on_first_lookup() -> None:
    registry = ProviderRegistry()
    assert registry.urls() == sorted(url for f in FAMILIES for url in f.urls)
    assert registry.installed() == {}
    assert registry.get(EXPRESSION_EVAL_URL) is not None
    assert sorted(registry.installed()) == sorted([HELLO_WORLD_URL, EXPRESSION_EVAL_URL])
    assert registry.get("https://example.org/nobody") is None


def test_a_url_the_user_took_first_stays_the_users() -> None:
    registry = ProviderRegistry()
    mine = registry.add(HELLO_WORLD_URL, Echo())
    registry.install_family("builtin")
    assert registry.get(HELLO_WORLD_URL) is mine
    assert registry.get(EXPRESSION_EVAL_URL) is not mine


def test_commit_hooks_are_kept_once_each() -> None:
    registry = ProviderRegistry()
    hook = object()
    registry.add_commit_hook(hook)  # type: ignore[arg-type]
    registry.add_commit_hook(hook)  # type: ignore[arg-type]
    assert registry.commit_hooks == [hook]


def test_families_that_need_services_say_so_without_them() -> None:
    registry = ProviderRegistry()
    with pytest.raises(ConfigException, match="no services"):
        registry.get("https://actions.globus.org/search/ingest")
