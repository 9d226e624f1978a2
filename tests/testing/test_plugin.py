"""The pytest plugin: its fixtures in a user's project, loaded by entry point, loaded twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

USER_TESTS = """
import os
from pathlib import Path

from gladier import GladierBaseClient
from gladier.testing import run_client


class Greeter(GladierBaseClient):
    flow_definition = {
        "StartAt": "Greet",
        "States": {"Greet": {"Type": "Pass", "Parameters": {"hi.$": "$.input.name"},
                             "ResultPath": "$.greeting", "End": True}},
    }


SEEN = []


def test_home(gladier_home):
    assert os.environ["GLADIER_HOME"] == str(gladier_home)
    assert gladier_home.name == "gladier-home" and gladier_home.is_dir()
    SEEN.append(str(gladier_home))


def test_runtime(gladier_runtime, gladier_home):
    assert gladier_runtime.home == gladier_home.resolve()
    result = run_client(Greeter, {"input": {"name": "you"}})
    assert result.output("Greet")["greeting"] == {"hi": "you"}
    assert gladier_runtime.get_run(result.run_id)["status"] == "SUCCEEDED"


def test_the_home_is_gone_after_its_test():
    assert SEEN and os.environ.get("GLADIER_HOME") != SEEN[0]
"""


def test_the_fixtures_work_in_a_project_that_loads_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    before = os.environ.get("GLADIER_HOME")
    result = pytester.runpytest("-p", "gladier.testing.plugin")
    result.assert_outcomes(passed=3)
    assert os.environ.get("GLADIER_HOME") == before


def test_listing_the_plugin_again_in_a_conftest_is_harmless(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["gladier.testing.plugin"]\n')
    pytester.makepyfile(test_user=USER_TESTS)
    pytester.runpytest("-p", "gladier.testing.plugin").assert_outcomes(passed=3)


def _fake_distribution(site: Path) -> None:
    """A distribution that declares the entry point as pyproject.toml does."""
    dist = site / "gladier_entry_point_probe-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: gladier-entry-point-probe\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[pytest11]\ngladier.testing.plugin = gladier.testing.plugin\n"
    )


def test_the_entry_point_loads_the_plugin_and_a_conftest_may_list_it_too(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    declared = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert declared["project"]["entry-points"]["pytest11"] == {
        "gladier.testing.plugin": "gladier.testing.plugin"
    }
    site = tmp_path / "site"
    _fake_distribution(site)
    pytester.makeconftest('pytest_plugins = ["gladier.testing.plugin"]\n')
    pytester.makepyfile(
        test_user=USER_TESTS
        + """

def test_loaded_by_its_entry_point(pytestconfig):
    manager = pytestconfig.pluginmanager
    names = [dist.project_name for _, dist in manager.list_plugin_distinfo()]
    assert "gladier-entry-point-probe" in names
    assert manager.get_plugin("gladier.testing.plugin") is not None
"""
    )
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=4)
    disabled = pytester.runpytest_subprocess("-p", "no:gladier.testing.plugin", "-k", "test_home")
    assert "fixture 'gladier_home' not found" in disabled.stdout.str()


def test_importing_the_plugin_loads_neither_the_runtime_nor_the_sdk() -> None:
    code = (
        "import json, sys, gladier.testing.plugin; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('gladier'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [
        "gladier",
        "gladier.testing",
        "gladier.testing.plugin",
        "gladier.version",
    ]


def test_run_client_without_a_throw_away_home_is_refused(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test that forgets ``gladier_home`` does not write into the user's own ~/.gladier."""
    user_home = tmp_path / "user"
    user_home.mkdir()
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.delenv("GLADIER_HOME", raising=False)
    pytester.makepyfile(
        test_user=USER_TESTS.split("SEEN = []")[0]
        + """
def test_forgot_the_fixture():
    run_client(Greeter, {"input": {"name": "you"}})
"""
    )
    result = pytester.runpytest_subprocess("-p", "gladier.testing.plugin")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*without a throw-away runtime home*gladier_home fixture*"])
    assert not (user_home / ".gladier").exists()
