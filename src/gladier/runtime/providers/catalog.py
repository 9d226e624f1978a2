"""The built-in action providers a ``Runtime`` serves, by family, without importing them.

A family (``builtin``, ``compute``, ``transfer``, ``search``) is imported and installed the
first time one of its URLs is asked for, so creating a ``Runtime`` costs no provider imports
and a process that only runs compute flows never loads Transfer or Search. The URLs are
listed here, beside the module that serves them; ``tests/runtime/test_provider_catalog.py``
checks that every family serves exactly the URLs listed.

Example::

    family_of("https://compute.actions.globus.org")   # 'compute'
"""

from __future__ import annotations

from dataclasses import dataclass

#: The Compute URLs (:data:`gladier.runtime.compute.constants.COMPUTE_URLS`, listed again so
#: that the providers package imports nothing of the services it installs).
_COMPUTE_URLS = (
    "https://compute.actions.globus.org",
    "https://compute.actions.globus.org/v3",
    "https://automate.funcx.org",
    "https://dev.funcx.org/automate",
    "https://api.funcx.org/automate",
    "https://compute.actions.globus.org/fxap",
    "https://compute2.dev.funcx.org/fxap",
)

_TRANSFER_BASES = (
    "https://transfer.actions.globus.org",
    "https://actions.globus.org/transfer",
    "https://actions.automate.globus.org/transfer",
)
_TRANSFER_OPERATIONS = ("transfer", "delete", "mkdir", "ls")


@dataclass(frozen=True)
class Family:
    """A group of providers installed together by ``module.install(registry)``."""

    name: str
    module: str
    urls: tuple[str, ...]


FAMILIES: tuple[Family, ...] = (
    Family(
        "builtin",
        "gladier.runtime.providers.builtin",
        ("https://actions.globus.org/hello_world", "https://actions.globus.org/expression_eval"),
    ),
    Family("compute", "gladier.runtime.compute.provider", _COMPUTE_URLS),
    Family(
        "transfer",
        "gladier.runtime.transfer.provider",
        tuple(f"{base}/{op}" for op in _TRANSFER_OPERATIONS for base in _TRANSFER_BASES),
    ),
    Family(
        "search",
        "gladier.runtime.search.provider",
        ("https://actions.globus.org/search/ingest", "https://actions.globus.org/search/delete"),
    ),
)

BY_URL: dict[str, str] = {url: family.name for family in FAMILIES for url in family.urls}
BY_NAME: dict[str, Family] = {family.name: family for family in FAMILIES}


def family_of(url: str) -> str | None:
    """The family serving ``url`` (already normalised: no trailing slash), if any."""
    return BY_URL.get(url)
