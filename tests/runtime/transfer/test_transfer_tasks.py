"""Transfer tasks end to end on the service: trees, sync levels, checksums, options, progress."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from gladier.exc import ActionProviderError
from gladier.runtime.transfer import copy
from gladier.runtime.transfer.copy import is_part_file
from gladier.runtime.transfer.requests import parse_transfer

from .conftest import Env, item, make_tree, tree_of


def details(doc: dict[str, object]) -> dict[str, object]:
    value = doc["details"]
    assert isinstance(value, dict)
    return value


def test_tree_is_copied_byte_for_byte(env: Env) -> None:
    files = make_tree(env.src_root / "run1")
    doc = env.transfer({"DATA": [item("/run1", "/copy/run1", recursive=True)]})
    assert doc["status"] == "SUCCEEDED", doc
    assert tree_of(env.dst_root / "copy" / "run1") == tree_of(env.src_root / "run1")
    d = details(doc)
    assert d["files"] == d["files_transferred"] == len(files)
    assert d["directories"] == 4  # run1, sub, sub/deeper, empty-dir
    assert d["bytes_transferred"] == sum(len(v) for v in files.values())
    assert d["status"] == "SUCCEEDED" and d["fatal_error"] is None and d["is_ok"] is True
    assert d["DATA_TYPE"] == "task" and d["type"] == "TRANSFER"
    assert d["label"] == f"For Action id {doc['action_id']}"
    assert d["source_endpoint_id"] == env.src and d["destination_endpoint_id"] == env.dst


def test_recursive_is_decided_by_the_source_when_absent(env: Env) -> None:
    make_tree(env.src_root / "t")
    assert env.transfer({"DATA": [item("/t", "/t")]})["status"] == "SUCCEEDED"
    assert env.transfer({"DATA": [item("/t/a.txt", "/~/nested/new/a.txt")]})["status"] == (
        "SUCCEEDED"
    )
    assert (env.dst_root / "nested" / "new" / "a.txt").read_bytes() == b"alpha\n"


def test_directory_without_recursive_fails(env: Env) -> None:
    make_tree(env.src_root / "t")
    doc = env.transfer({"DATA": [item("/t", "/t", recursive=False)]})
    assert doc["status"] == "FAILED"
    assert details(doc)["fatal_error"]["code"] == "IS_A_DIRECTORY"  # type: ignore[index]
    assert list(env.dst_root.iterdir()) == []


def test_file_onto_an_existing_directory_fails(env: Env) -> None:
    (env.src_root / "f").write_text("x")
    (env.dst_root / "d").mkdir()
    doc = env.transfer({"DATA": [item("/f", "/d")]})
    assert details(doc)["fatal_error"]["code"] == "IS_A_DIRECTORY"  # type: ignore[index]
    assert "/d/f" in details(doc)["fatal_error"]["description"]  # type: ignore[index]


def test_missing_source_fails_or_is_skipped(env: Env) -> None:
    (env.src_root / "here").write_text("x")
    doc = env.transfer({"DATA": [item("/nope", "/nope"), item("/here", "/here")]})
    fatal = details(doc)["fatal_error"]
    assert doc["status"] == "FAILED" and fatal["code"] == "FILE_NOT_FOUND"  # type: ignore[index]
    assert "/nope does not exist on collection" in fatal["description"]  # type: ignore[index]
    assert not (env.dst_root / "here").exists()  # planned first: nothing written
    doc = env.transfer(
        {"skip_source_errors": True, "DATA": [item("/nope", "/nope"), item("/here", "/here")]}
    )
    assert doc["status"] == "SUCCEEDED"
    assert details(doc)["subtasks_skipped_errors"] == 1 and details(doc)["faults"] == 1
    assert (env.dst_root / "here").read_text() == "x"


def prepare_sync(env: Env) -> None:
    """Destination: same, older, newer-but-different, different size, missing files."""
    src, dst = env.src_root / "s", env.dst_root / "s"
    src.mkdir()
    dst.mkdir()
    for name in ("same", "older", "newer_diff", "resized", "missing"):
        (src / name).write_bytes(b"source-" + name.encode())
        os.utime(src / name, (1_500_000_000, 1_500_000_000))
    (dst / "same").write_bytes(b"source-same")
    os.utime(dst / "same", (1_500_000_000, 1_500_000_000))
    (dst / "older").write_bytes(b"SOURCE-older")
    os.utime(dst / "older", (1_400_000_000, 1_400_000_000))
    (dst / "newer_diff").write_bytes(b"SOURCE-newer_diff")
    os.utime(dst / "newer_diff", (1_600_000_000, 1_600_000_000))
    (dst / "resized").write_bytes(b"tiny")
    os.utime(dst / "resized", (1_600_000_000, 1_600_000_000))


@pytest.mark.parametrize(
    ("level", "copied"),
    [
        (None, {"same", "older", "newer_diff", "resized", "missing"}),
        ("exists", {"missing"}),
        (0, {"missing"}),
        ("size", {"resized", "missing"}),
        (2, {"older", "missing"}),
        ("checksum", {"older", "newer_diff", "resized", "missing"}),
    ],
)
def test_sync_levels(env: Env, level: object, copied: set[str]) -> None:
    prepare_sync(env)
    body: dict[str, object] = {"DATA": [item("/s", "/s", recursive=True)]}
    if level is not None:
        body["sync_level"] = level
    doc = env.transfer(body)
    assert doc["status"] == "SUCCEEDED", doc
    names = {"same", "older", "newer_diff", "resized", "missing"}
    fresh = {n for n in names if (env.dst_root / "s" / n).read_bytes() == b"source-" + n.encode()}
    assert fresh - {"same"} == copied - {"same"}
    d = details(doc)
    assert d["files_transferred"] == len(copied) and d["files_skipped"] == 5 - len(copied)
    numbers = {None: None, "exists": 0, 0: 0, "size": 1, 2: 2, "checksum": 3}
    assert d["sync_level"] == numbers[level]  # type: ignore[index]


def test_checksum_mismatch_fails_and_leaves_no_partial_file(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env.src_root / "data.bin").write_bytes(os.urandom(300_000))
    (env.dst_root / "data.bin").write_bytes(b"the old version")
    real_write = copy._write_all

    def corrupt(fd: int, data: memoryview) -> None:
        damaged = bytearray(data)
        damaged[-1] ^= 1
        real_write(fd, memoryview(damaged))

    monkeypatch.setattr(copy, "_write_all", corrupt)
    doc = env.transfer({"verify_checksum": True, "DATA": [item("/data.bin", "/data.bin")]})
    fatal = details(doc)["fatal_error"]
    assert doc["status"] == "FAILED" and fatal["code"] == "CHECKSUM_MISMATCH"  # type: ignore[index]
    assert details(doc)["faults"] == 2  # the first mismatch is retried once
    assert (env.dst_root / "data.bin").read_bytes() == b"the old version"
    assert not [p for p in env.dst_root.iterdir() if is_part_file(p.name)]


def test_verified_copy_and_external_checksum(env: Env) -> None:
    data = os.urandom(200_000)
    (env.src_root / "d.bin").write_bytes(data)
    good = hashlib.sha256(data).hexdigest()
    doc = env.transfer(
        {
            "verify_checksum": True,
            "DATA": [
                item("/d.bin", "/ok.bin", external_checksum=good, checksum_algorithm="SHA256")
            ],
        }
    )
    assert doc["status"] == "SUCCEEDED"
    assert details(doc)["bytes_checksummed"] == len(data)
    doc = env.transfer({"DATA": [item("/d.bin", "/bad.bin", external_checksum="ab" * 16)]})
    assert details(doc)["fatal_error"]["code"] == "CHECKSUM_MISMATCH"  # type: ignore[index]
    assert details(doc)["faults"] == 1
    assert not (env.dst_root / "bad.bin").exists()


def test_preserve_timestamp_on_files_and_directories(env: Env) -> None:
    make_tree(env.src_root / "t")
    for path in [env.src_root / "t", *(env.src_root / "t").rglob("*")]:
        os.utime(path, (1_234_567_890, 1_234_567_890))
    doc = env.transfer({"preserve_timestamp": True, "DATA": [item("/t", "/t")]})
    assert doc["status"] == "SUCCEEDED"
    for path in [env.dst_root / "t", *(env.dst_root / "t").rglob("*")]:
        assert int(path.stat().st_mtime) == 1_234_567_890, path


def test_delete_destination_extra_and_filter_rules(env: Env) -> None:
    make_tree(env.src_root / "t")
    (env.src_root / "t" / "scratch.tmp").write_text("skip me")
    (env.dst_root / "t" / "sub").mkdir(parents=True)
    (env.dst_root / "t" / "stale.txt").write_text("old")
    (env.dst_root / "t" / "sub" / "stale-dir").mkdir()
    (env.dst_root / "t" / "keep.tmp").write_text("excluded names are left alone")
    doc = env.transfer(
        {
            "delete_destination_extra": True,
            "filter_rules": [{"method": "exclude", "name": "*.tmp", "type": "file"}],
            "DATA": [item("/t", "/t")],
        }
    )
    assert doc["status"] == "SUCCEEDED"
    names = set(tree_of(env.dst_root / "t"))
    assert "stale.txt" not in names and "sub/stale-dir" not in names
    assert "scratch.tmp" not in names and "keep.tmp" in names
    assert "sub/deeper/c.txt" in names and "empty-dir" in names


def test_unknown_collections_use_sandboxes(env: Env) -> None:
    (env.src_root / "f").write_text("to the sandbox")
    sandbox_id = "31ce9ba0-176d-45a5-add3-f37d233ba47d"
    body = {"source_endpoint": env.src, "destination_endpoint": sandbox_id}
    full = {**body, "DATA": [item("/f", "/~/in/f")]}
    doc = env.finish(env.service.submit({"body": full}, parse_transfer(full, legacy=False)))
    assert doc["status"] == "SUCCEEDED"
    assert (env.home / "collections" / sandbox_id / "in" / "f").read_text() == "to the sandbox"
    back = {"source_endpoint": "0000aaaa", "destination_endpoint": env.dst}
    full = {**back, "DATA": [item("/nothing", "/x")]}
    doc = env.finish(env.service.submit({"body": full}, parse_transfer(full, legacy=False)))
    fatal = details(doc)["fatal_error"]["description"]  # type: ignore[index]
    assert "not mapped to a directory" in fatal and "create_collection" in fatal


def test_request_id_never_starts_a_second_task(env: Env) -> None:
    (env.src_root / "f").write_text("once")
    first = env.transfer({"DATA": [item("/f", "/f")]}, request_id="run-1:Transfer:3")
    (env.dst_root / "f").unlink()
    again = env.transfer({"DATA": [item("/f", "/f")]}, request_id="run-1:Transfer:3")
    assert again["action_id"] == first["action_id"]
    assert not (env.dst_root / "f").exists()


def test_progress_is_visible_while_active_and_cancel_fails_the_task(env: Env) -> None:
    """A listener blocks the copy after its first chunk; the test looks, then cancels."""
    (env.src_root / "big.bin").write_bytes(os.urandom(5 << 20))
    first_chunk, release = threading.Event(), threading.Event()
    events: list[dict[str, object]] = []

    def listener(event: dict[str, object]) -> None:
        events.append(event)
        if event["status"] == "ACTIVE" and int(event["bytes_transferred"]) > 0:  # type: ignore[call-overload]
            first_chunk.set()
            release.wait(30)

    env.service.subscribe(listener)
    full = {"source_endpoint": env.src, "destination_endpoint": env.dst}
    full["DATA"] = [item("/big.bin", "/big.bin")]  # type: ignore[assignment]
    doc = env.service.submit({"body": full}, parse_transfer(full, legacy=False))
    assert first_chunk.wait(30)
    active = env.service.status(doc["action_id"])
    assert active["status"] == "ACTIVE" and active["completion_time"] is None
    progress = details(active)
    assert progress["files"] == 1 and progress["files_transferred"] == 0
    assert 0 < int(progress["bytes_transferred"]) < 5 << 20  # type: ignore[call-overload]
    assert progress["bytes_expected"] == 5 << 20 and progress["nice_status"] == "OK"
    env.service.cancel(doc["action_id"])
    release.set()
    final = env.finish(doc)
    assert final["status"] == "FAILED" and final["display_status"] == "CANCELED"
    assert not (env.dst_root / "big.bin").exists()
    assert not [p for p in env.dst_root.iterdir() if is_part_file(p.name)]
    assert events[-1]["status"] == "FAILED"


def test_paths_climbing_out_are_refused_before_the_task_starts(env: Env) -> None:
    (env.src_root / "f").write_text("x")
    for source, destination in (("/../outside/x", "/x"), ("/f", "/~/../../outside/f")):
        full = {"source_endpoint": env.src, "destination_endpoint": env.dst}
        full["DATA"] = [item(source, destination)]  # type: ignore[assignment]
        with pytest.raises(ActionProviderError) as info:
            env.service.submit({"body": full}, parse_transfer(full, legacy=False))
        assert "climbs above the collection root" in info.value.message
        assert env.src in info.value.message or env.dst in info.value.message
    assert list(env.outside.iterdir()) == [] and list(env.dst_root.iterdir()) == []
