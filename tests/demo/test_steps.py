"""gladier.demo.steps: the demo's compute functions, called directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gladier.demo import steps


@pytest.fixture
def made(tmp_path: Path) -> dict[str, str]:
    paths = {
        "scan_dir": str(tmp_path / "beam" / "raw"),
        "archive_path": str(tmp_path / "beam" / "archive" / "scans.tar.gz"),
        "encrypted_path": str(tmp_path / "beam" / "enc" / "scans.tar.gz.enc"),
        "restored_path": str(tmp_path / "site" / "restored" / "scans.tar.gz"),
        "extract_dir": str(tmp_path / "site" / "restored"),
        "key_file": str(tmp_path / "k1"),
        "metadata_path": str(tmp_path / "metadata.json"),
    }
    paths["archived_encrypted_path"] = paths["encrypted_path"]  # no transfer in these tests
    paths["archive_key_file"] = paths["key_file"]
    Path(paths["key_file"]).write_text("secret-one\n")
    return paths


def test_round_trip(made: dict[str, str]) -> None:
    scans = steps.generate_scans(scan_dir=made["scan_dir"], scan_count=3, frame_bytes=1000)
    assert scans["files"] == 3 and scans["bytes"] > 3000
    again = steps.generate_scans(scan_dir=made["scan_dir"], scan_count=3, frame_bytes=1000)
    assert again["sha256"] == scans["sha256"]  # deterministic
    archive = steps.tar_scans(**made)
    assert archive["members"] == 3
    encrypted = steps.encrypt_archive(**made)
    blob = Path(encrypted["encrypted"]).read_bytes()
    assert Path(made["archive_path"]).read_bytes() not in blob
    restored = steps.decrypt_archive(**made)
    assert restored["sha256"] == archive["sha256"]
    verified = steps.verify_round_trip(**made)
    assert verified == {
        "match": True,
        "archive_sha256": archive["sha256"],
        "restored_sha256": archive["sha256"],
        "files_checked": 3,
        "mismatches": [],
    }
    record = steps.record_metadata(**made)
    assert record["scans"] == 3 and record["archive"]["sha256"] == archive["sha256"]
    assert json.loads(Path(made["metadata_path"]).read_text()) == record


def test_wrong_key_or_tampering_is_refused(made: dict[str, str], tmp_path: Path) -> None:
    steps.generate_scans(scan_dir=made["scan_dir"], scan_count=1, frame_bytes=100)
    steps.tar_scans(**made)
    steps.encrypt_archive(**made)
    other = tmp_path / "k2"
    other.write_text("secret-two\n")
    with pytest.raises(ValueError, match=r"integrity check of scans\.tar\.gz\.enc failed"):
        steps.decrypt_archive(**{**made, "archive_key_file": str(other)})
    path = Path(made["encrypted_path"])
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="altered in transit"):
        steps.decrypt_archive(**made)
    path.write_bytes(b"nonsense")
    with pytest.raises(ValueError, match="is not an archive encrypted by this demo"):
        steps.decrypt_archive(**made)


def test_verify_reports_a_changed_scan(made: dict[str, str]) -> None:
    steps.generate_scans(scan_dir=made["scan_dir"], scan_count=2, frame_bytes=100)
    steps.tar_scans(**made)
    Path(made["restored_path"]).parent.mkdir(parents=True)
    Path(made["restored_path"]).write_bytes(Path(made["archive_path"]).read_bytes())
    (Path(made["scan_dir"]) / "scan_0002.dat").write_bytes(b"changed")
    result = steps.verify_round_trip(**made)
    assert result["match"] is False and result["mismatches"] == ["scan_0002.dat"]
