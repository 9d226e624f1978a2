"""``gladier collections`` and ``gladier search``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from gladier.runtime import Runtime
from tests.cli.conftest import Invoke


def test_collection_lifecycle(gladier: Invoke, tmp_path: Path) -> None:
    assert gladier("collections", "list").stdout.strip() == "No collections are mapped."
    created = gladier("collections", "create", str(tmp_path), "--name", "scratch", "--json")
    assert created.exit_code == 0, created.output
    collection_id = json.loads(created.stdout)["id"]
    assert collection_id in gladier("collections", "list").stdout
    shown = gladier("collections", "show", collection_id)
    assert f"Directory:  {tmp_path}" in shown.stdout
    removed = gladier("collections", "remove", collection_id)
    assert removed.exit_code == 0 and "is untouched" in removed.stdout
    assert tmp_path.is_dir()


def test_search(gladier: Invoke) -> None:
    assert gladier("search", "indexes").stdout.strip() == "No search indexes yet."
    with Runtime(home=os.environ["GLADIER_HOME"]) as rt:
        index = rt.create_search_index("results")["id"]
        rt.search_ingest(
            index,
            {"subject": "scan-1", "visible_to": ["public"], "content": {"title": "First scan"}},
        )
    assert "results" in gladier("search", "indexes").stdout
    found = gladier("search", "query", index, "first")
    assert found.exit_code == 0
    assert found.stdout.splitlines()[1].strip() == "scan-1  First scan"
    assert json.loads(gladier("search", "query", index, "--json").stdout)["total"] == 1
