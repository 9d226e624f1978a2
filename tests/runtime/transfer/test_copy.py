"""Streaming copies through a temporary name, checksums and sync-level decisions."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime.transfer import copy
from gladier.runtime.transfer.copy import (
    ChecksumMismatch,
    CopyStopped,
    copy_file,
    file_checksum,
    is_part_file,
    new_hasher,
    parse_sync_level,
    should_copy,
)

DATA = os.urandom(3 * 1024 * 1024 + 17)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "src.bin"
    path.write_bytes(DATA)
    return path


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if is_part_file(p.name)]


def test_copy_streams_in_chunks_and_reports_progress(tmp_path: Path, src: Path) -> None:
    seen: list[int] = []
    stats = copy_file(src, tmp_path / "dst.bin", chunk_size=1 << 20, progress=seen.append)
    assert (tmp_path / "dst.bin").read_bytes() == DATA
    assert stats.bytes_copied == len(DATA) == sum(seen)
    assert len(seen) >= 3 and max(seen) <= 1 << 20
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("missing", ["copy_file_range", "sendfile"])
def test_falls_back_when_the_kernel_cannot_copy(
    tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    def refuse(*args: Any) -> int:
        raise OSError(18, "Invalid cross-device link")  # EXDEV

    monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    if missing == "sendfile":
        monkeypatch.setattr(os, "sendfile", refuse)
    copy_file(src, tmp_path / "dst.bin", chunk_size=1 << 20)
    assert (tmp_path / "dst.bin").read_bytes() == DATA


def test_verify_and_algorithms(tmp_path: Path, src: Path) -> None:
    stats = copy_file(src, tmp_path / "a", verify=True)
    assert stats.checksum == hashlib.md5(DATA).hexdigest()
    assert stats.bytes_checksummed == len(DATA)
    stats = copy_file(src, tmp_path / "b", verify=True, checksum_algorithm="SHA256")
    assert stats.checksum == hashlib.sha256(DATA).hexdigest()
    assert file_checksum(tmp_path / "b", "sha-256") == stats.checksum
    assert len(new_hasher("ADLER32").hexdigest()) == 8
    with pytest.raises(ValueError, match="unknown checksum algorithm"):
        new_hasher("nope")


def test_corruption_is_caught_and_the_destination_untouched(
    tmp_path: Path, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "dst.bin"
    target.write_bytes(b"previous version")
    real_write = copy._write_all

    def flip_a_byte(fd: int, data: memoryview) -> None:
        damaged = bytearray(data)
        damaged[0] ^= 0xFF
        real_write(fd, memoryview(damaged))

    monkeypatch.setattr(copy, "_write_all", flip_a_byte)
    with pytest.raises(ChecksumMismatch, match="MD5 checksum mismatch"):
        copy_file(src, target, verify=True)
    assert target.read_bytes() == b"previous version"
    assert leftovers(tmp_path) == []


def test_expected_checksum(tmp_path: Path, src: Path) -> None:
    good = hashlib.md5(DATA).hexdigest().upper()
    copy_file(src, tmp_path / "ok", expected_checksum=good)
    with pytest.raises(ChecksumMismatch, match="expected 0000"):
        copy_file(src, tmp_path / "bad", expected_checksum="0000")
    assert not (tmp_path / "bad").exists()
    assert leftovers(tmp_path) == []


def test_stop_removes_the_partial_file(tmp_path: Path, src: Path) -> None:
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(CopyStopped):
        copy_file(src, tmp_path / "dst.bin", chunk_size=1 << 20, should_stop=stop)
    assert not (tmp_path / "dst.bin").exists()
    assert leftovers(tmp_path) == []


def test_preserve_timestamp_and_mode(tmp_path: Path, src: Path) -> None:
    os.utime(src, ns=(1_000_000_000_123, 1_500_000_000_456_789_000))
    os.chmod(src, 0o640)
    copy_file(src, tmp_path / "a", preserve_timestamp=True)
    assert os.stat(tmp_path / "a").st_mtime_ns == 1_500_000_000_456_789_000
    assert os.stat(tmp_path / "a").st_mode & 0o777 == 0o640
    copy_file(src, tmp_path / "b")
    assert os.stat(tmp_path / "b").st_mtime_ns != 1_500_000_000_456_789_000


def test_directories_are_not_copied_as_files(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        copy_file(tmp_path, tmp_path / "x")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (None, None),
        (0, 0),
        (3, 3),
        ("exists", 0),
        ("SIZE", 1),
        ("mtime", 2),
        ("checksum", 3),
        ("2", 2),
    ],
)
def test_sync_level_names_and_numbers(value: object, level: int | None) -> None:
    assert parse_sync_level(value) == level


@pytest.mark.parametrize("value", [4, -1, True, "fast", 1.5])
def test_bad_sync_levels(value: object) -> None:
    with pytest.raises(ValueError, match="sync_level"):
        parse_sync_level(value)


def test_should_copy_at_each_level(tmp_path: Path) -> None:
    source = tmp_path / "s"
    source.write_bytes(b"0123456789")
    os.utime(source, (2_000_000_000, 2_000_000_000))
    info = os.stat(source)
    dest = tmp_path / "d"

    def decide(level: int | None) -> bool:
        return should_copy(info, dest, level, source_path=source)[0]

    assert decide(None) and decide(0) and decide(3)  # missing destination
    dest.write_bytes(b"0123456789")
    os.utime(dest, (1_000_000_000, 1_000_000_000))
    assert decide(None)
    assert not decide(0)
    assert not decide(1)  # same size
    assert decide(2)  # destination older
    assert not decide(3)  # same content
    os.utime(dest, (2_000_000_000, 2_000_000_000))
    assert not decide(2)
    dest.write_bytes(b"0123456780")  # same size, other content, newer
    os.utime(dest, (2_100_000_000, 2_100_000_000))
    assert not decide(1) and not decide(2) and decide(3)
    assert should_copy(info, dest, 3, source_path=source)[1] == 20
    dest.write_bytes(b"short")
    assert decide(1) and decide(3)
