"""Built-in providers are installed on first use, per family, and serve the catalog's URLs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime
from gladier.runtime.compute.constants import COMPUTE_V2_URL
from gladier.runtime.providers import ActionProvider, action_status
from gladier.runtime.providers.catalog import FAMILIES, family_of


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_each_family_serves_exactly_its_catalog_urls(tmp_path: Path, family: Any) -> None:
    rt = Runtime(home=tmp_path / "home")
    try:
        assert rt.providers.installed() == {}
        rt.providers.install_family(family.name)
        assert sorted(rt.providers.installed()) == sorted(family.urls)
        assert all(family_of(url) == family.name for url in family.urls)
    finally:
        rt.close()


def test_every_builtin_url_is_listed_before_anything_is_installed(tmp_path: Path) -> None:
    rt = Runtime(home=tmp_path / "home")
    try:
        urls = rt.action_provider_urls()
        assert rt.providers.installed() == {}
        assert sorted(url for family in FAMILIES for url in family.urls) == urls
    finally:
        rt.close()


class Echo(ActionProvider):
    def run(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return action_status("echo-1", "SUCCEEDED", {"mine": True}, request)


def test_a_provider_the_user_registered_first_keeps_its_url(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        mine = rt.add_action_provider(COMPUTE_V2_URL + "/", Echo())
        # Another URL of the family installs the family; the user's URL stays the user's.
        assert rt.providers.get("https://compute.actions.globus.org/v3") is not None
        assert rt.providers.get(COMPUTE_V2_URL) is mine
        flow = rt.create_flow(
            "mine",
            {
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Action",
                        "ActionUrl": COMPUTE_V2_URL,
                        "End": True,
                        "Parameters": {},
                    }
                },
            },
        )
        done = rt.wait(rt.run_flow(flow["id"], {})["run_id"], timeout=30)
        assert done["status"] == "SUCCEEDED"
        assert done["details"]["output"]["details"] == {"mine": True}


PROBE = """
import json, sys
from gladier.runtime import Runtime
rt = Runtime(home=sys.argv[1])
after_init = sorted(m for m in sys.modules if m.endswith('.provider'))
with rt:
    def inc(x):
        return x + 1
    fid = rt.register_function(inc)
    flow = rt.create_flow('one', {'StartAt': 'A', 'States': {'A': {
        'Type': 'Action', 'ActionUrl': 'https://compute.actions.globus.org', 'End': True,
        'Parameters': {'tasks': [{'endpoint': 'default', 'function': fid, 'kwargs': {'x': 1}}]}}}})
    done = rt.wait(rt.run_flow(flow['id'], {})['run_id'], timeout=60)
    after_run = sorted(m for m in sys.modules if m.endswith('.provider'))
    collections = rt.list_collections()
    after_transfer = sorted(m for m in sys.modules if m.endswith('.provider'))
print(json.dumps([after_init, done['details']['output']['details']['result'], after_run,
                  after_transfer]))
"""


def test_creating_a_runtime_imports_no_provider_and_compute_only_its_own(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    after_init, result, after_run, after_transfer = json.loads(out.stdout.strip().splitlines()[-1])
    assert after_init == []
    assert result == [2]
    assert after_run == ["gladier.runtime.compute.provider"]
    assert "gladier.runtime.transfer.provider" in after_transfer
    assert "gladier.runtime.search.provider" not in after_transfer
