"""benchmarks/peers.py works: a quick run of the floors and this runtime, no peers needed.

The benchmark itself is not part of the test suite (its numbers are never asserted); this
only proves the script runs end to end on the project's own environment and reports every
workload, so it is known to work when someone runs the full comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "peers.py"


@pytest.mark.timeout(600)
def test_a_quick_run_of_the_floors_and_the_runtime_reports_every_workload(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    docs = ROOT / "docs" / "benchmarks.md"
    before = docs.read_bytes() if docs.exists() else None
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--systems", "gladier,floors", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=580,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    by_name = {s["name"]: s for s in results["systems"]}
    assert set(by_name) == {"gladier", "inline", "pool", "pool-sqlite"}
    for summary in by_name.values():
        for workload in "ABC":
            assert summary[workload].get("median_s", 0) > 0, (summary["name"], summary[workload])
        assert summary["D"].get("peak_bytes", 0) > 0 or summary["name"] == "inline"
    assert by_name["gladier"]["B"]["runs"] == 200
    assert "| **Gladier runtime** |" in done.stdout
    floor_target = [t for t in results["targets"] if "durable floor" in t["target"]]
    assert floor_target and floor_target[0]["status"] in {"met", "missed"}
    # A partial run never rewrites the docs.
    assert (docs.read_bytes() if docs.exists() else None) == before


def test_the_docs_section_is_replaced_and_the_other_sections_kept(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from peerbench.report import BEGIN, END, update_docs
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n## Runtime\n\nours\n\n## Transfer\n\ntheirs\n")
    update_docs(docs, f"{BEGIN}\nOLD-TABLE\n{END}")
    update_docs(docs, f"{BEGIN}\nNEW-TABLE\n{END}")
    text = docs.read_text()
    assert "## Runtime\n\nours" in text and "## Transfer\n\ntheirs" in text
    assert text.count("## Peers") == 1 and "NEW-TABLE" in text and "OLD-TABLE" not in text

    docs.write_text("# B\n\n## Peers\n\nprose kept\n\n## Later\n\nkept too\n")
    update_docs(docs, f"{BEGIN}\nnew\n{END}")
    text = docs.read_text()
    assert text.index("prose kept") < text.index("new") < text.index("## Later")
    assert "kept too" in text
