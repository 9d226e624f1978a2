"""gladier.demo.pipeline and flow: the layout, the definition and the summary."""

from __future__ import annotations

import stat
from pathlib import Path

from gladier.demo.pipeline import DemoLayout, demo_client, start_run, summarise
from gladier.runtime import Runtime
from gladier.runtime.language.validation import validate_definition


def test_the_client_flow_is_valid_and_has_every_edge_kind(tmp_path: Path) -> None:
    with Runtime(home=tmp_path / "home") as rt:
        definition = demo_client(rt).get_flow_definition()
    report = validate_definition(definition)
    assert report.ok and not report.warnings
    states = definition["States"]
    assert states["RoundTripVerified?"]["Default"] == "RoundTripMismatch"
    assert states["PublishMetadata"]["Catch"][0]["Next"] == "PublishSkipped"
    assert states["DecryptArchive"]["ExceptionOnActionFailure"] is True
    assert states["RoundTripVerified"]["Next"] == "RecordMetadata"


def test_layout_keys_are_private(tmp_path: Path) -> None:
    layout = DemoLayout.create(tmp_path / "d")
    assert stat.S_IMODE(layout.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(layout.keys.stat().st_mode) == 0o700
    assert layout.key_file.read_text() == layout.archive_key_file.read_text()
    wrong = DemoLayout.create(tmp_path / "w", wrong_key=True)
    assert wrong.key_file.read_text() != wrong.archive_key_file.read_text()


def test_a_run_on_a_runtime(tmp_path: Path) -> None:
    layout = DemoLayout.create(tmp_path / "demo")
    with Runtime(home=layout.runtime_home) as rt:
        run = start_run(rt, layout, scan_count=2, frame_bytes=512)
        final = rt.wait(run["run_id"], timeout=120)
        hits = rt.search_query("gladier-demo", "*")
    summary = summarise(final, layout)
    assert summary["status"] == "SUCCEEDED"
    assert summary["verified"] is True and summary["files_checked"] == 2
    assert summary["published_to"] == "gladier-demo"
    assert hits["total"] == 1
    assert Path(summary["outputs"]["transferred"]).is_file()
    assert Path(summary["outputs"]["metadata"]).is_file()
    assert any(p.suffix == ".cfg" for p in layout.runtime_home.iterdir())  # the client's ids
