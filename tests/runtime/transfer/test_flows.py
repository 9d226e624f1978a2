"""Transfer (and publish) flows on the Runtime, as Gladier tools write them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gladier.runtime import Runtime

from .conftest import make_tree

#: gladier_tools.globus.Transfer (gladier-tools 0.5.4), written out literally.
GLADIER_TOOLS_TRANSFER: dict[str, Any] = {
    "Comment": "Transfer a file or directory in Globus",
    "StartAt": "Transfer",
    "States": {
        "Transfer": {
            "Comment": "Transfer a file or directory in Globus",
            "Type": "Action",
            "ActionUrl": "https://transfer.actions.globus.org/transfer/",
            "Parameters": {
                "source_endpoint.$": "$.input.transfer_source_endpoint_id",
                "destination_endpoint.$": "$.input.transfer_destination_endpoint_id",
                "DATA": [
                    {
                        "source_path.$": "$.input.transfer_source_path",
                        "destination_path.$": "$.input.transfer_destination_path",
                        "recursive.$": "$.input.transfer_recursive",
                    }
                ],
            },
            "ResultPath": "$.Transfer",
            "WaitTime": 600,
            "End": True,
        }
    },
}


@pytest.fixture
def rt(tmp_path: Path) -> Iterator[Runtime]:
    with Runtime(home=tmp_path / "home", options={"poll_initial_interval": 0.01}) as runtime:
        yield runtime


def run(rt: Runtime, definition: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    flow = rt.create_flow("transfer test", definition)
    started = rt.run_flow(flow["id"], body)
    return rt.wait(started["run_id"], timeout=60)


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_gladier_tools_transfer_moves_a_tree_between_collections(
    rt: Runtime, tmp_path: Path
) -> None:
    make_tree(tmp_path / "beamline" / "scan1")
    for i in range(50):
        (tmp_path / "beamline" / "scan1" / "frames" / f"f{i:03d}.raw").parent.mkdir(exist_ok=True)
        (tmp_path / "beamline" / "scan1" / "frames" / f"f{i:03d}.raw").write_bytes(
            os.urandom(1000 + i)
        )
    (tmp_path / "analysis").mkdir()
    src = rt.create_collection(tmp_path / "beamline")["id"]
    dst = rt.create_collection(tmp_path / "analysis")["id"]
    done = run(
        rt,
        GLADIER_TOOLS_TRANSFER,
        {
            "input": {
                "transfer_source_endpoint_id": src,
                "transfer_destination_endpoint_id": dst,
                "transfer_source_path": "/~/scan1",
                "transfer_destination_path": "/incoming/scan1",
                "transfer_recursive": True,
            }
        },
    )
    assert done["status"] == "SUCCEEDED", done["details"]
    result = done["details"]["output"]["Transfer"]
    assert result["status"] == "SUCCEEDED" and result["state_name"] == "Transfer"
    assert result["details"]["files_transferred"] == 54
    assert result["details"]["label"] == f"For Action id {result['action_id']}"
    assert digests(tmp_path / "analysis" / "incoming" / "scan1") == digests(
        tmp_path / "beamline" / "scan1"
    )
    assert (tmp_path / "analysis" / "incoming" / "scan1" / "empty-dir").is_dir()


LEGACY_TRANSFER: dict[str, Any] = {
    "StartAt": "Transfer",
    "States": {
        "Transfer": {
            "Type": "Action",
            "ActionUrl": "https://actions.automate.globus.org/transfer/transfer",
            "Parameters": {
                "source_endpoint_id.$": "$.src",
                "destination_endpoint_id.$": "$.dst",
                "sync_level": "checksum",
                "transfer_items": [{"source_path": "/f", "destination_path": "/g"}],
            },
            "ResultPath": "$.Transfer",
            "End": True,
        }
    },
}


def test_retired_transfer_url_and_generation_mixups(rt: Runtime, tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "f").write_text("legacy")
    src = rt.create_collection(tmp_path / "s")["id"]
    dst = rt.create_collection(tmp_path / "s")["id"]
    done = run(rt, LEGACY_TRANSFER, {"src": src, "dst": dst})
    assert done["status"] == "SUCCEEDED", done["details"]
    assert (tmp_path / "s" / "g").read_text() == "legacy"
    assert done["details"]["output"]["Transfer"]["details"]["sync_level"] == 3
    mixed = {
        "StartAt": "Transfer",
        "States": {
            "Transfer": {
                **LEGACY_TRANSFER["States"]["Transfer"],
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
            }
        },
    }
    done = run(rt, mixed, {"src": src, "dst": dst})
    assert done["status"] == "FAILED"
    assert "transfer_items -> DATA" in str(done["details"])


def test_escape_attempt_fails_the_run_and_writes_nothing(rt: Runtime, tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "d").mkdir()
    (tmp_path / "s" / "f").write_text("x")
    src = rt.create_collection(tmp_path / "s")["id"]
    dst = rt.create_collection(tmp_path / "d")["id"]
    done = run(
        rt,
        GLADIER_TOOLS_TRANSFER,
        {
            "input": {
                "transfer_source_endpoint_id": src,
                "transfer_destination_endpoint_id": dst,
                "transfer_source_path": "/f",
                "transfer_destination_path": "/../s/overwritten",
                "transfer_recursive": False,
            }
        },
    )
    assert done["status"] == "FAILED"
    text = str(done["details"])
    assert "ActionUnableToRun" in text and "climbs above the collection root" in text
    assert "/../s/overwritten" in text and dst in text
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["f"]
    assert list((tmp_path / "d").iterdir()) == []


def test_mkdir_ls_delete_states(rt: Runtime, tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    cid = rt.create_collection(tmp_path / "c")["id"]
    definition = {
        "StartAt": "Mkdir",
        "States": {
            "Mkdir": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/mkdir",
                "Parameters": {"endpoint_id.$": "$.c", "path": "/~/results"},
                "ResultPath": "$.Mkdir",
                "Next": "Ls",
            },
            "Ls": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/transfer/ls",
                "Parameters": {"endpoint_id.$": "$.c", "path": "/"},
                "ResultPath": "$.Ls",
                "Next": "Delete",
            },
            "Delete": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/transfer/delete",
                "Parameters": {"endpoint_id.$": "$.c", "items": ["/results"], "recursive": True},
                "ResultPath": "$.Delete",
                "End": True,
            },
        },
    }
    done = run(rt, definition, {"c": cid})
    assert done["status"] == "SUCCEEDED", done["details"]
    output = done["details"]["output"]
    assert output["Mkdir"]["details"]["code"] == "DirectoryCreated"
    assert [e["name"] for e in output["Ls"]["details"]["DATA"]] == ["results"]
    assert output["Delete"]["details"]["directories"] == 1
    assert list((tmp_path / "c").iterdir()) == []


def gather_metadata(body: Mapping[str, Any]) -> dict[str, Any]:
    """What a publish tool's compute function does: describe the dataset, plan the copy."""
    dataset = Path(body["dataset_local_path"])
    files = sorted(p for p in dataset.rglob("*") if p.is_file())
    destination = f"/published/{dataset.name}"
    return {
        "search": {
            "search_index": body["index"],
            "subject": f"globus://{body['destination_collection']}{destination}",
            "visible_to": ["public"],
            "id": "metadata",
            "content": {
                "title": f"Dataset {dataset.name}",
                "keywords": body["keywords"],
                "files": [
                    {"filename": p.name, "length": p.stat().st_size, "md5": _md5(p)} for p in files
                ],
            },
        },
        "transfer": {
            "source_endpoint_id": body["source_collection"],
            "destination_endpoint_id": body["destination_collection"],
            "transfer_items": [
                {"source_path": f"/{dataset.name}", "destination_path": destination}
            ],
        },
    }


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


PUBLISH_FLOW: dict[str, Any] = {
    "StartAt": "PublishGatherMetadata",
    "States": {
        "PublishGatherMetadata": {
            "Type": "Action",
            "ActionUrl": "https://example.org/gather-metadata",
            "Parameters": {
                "dataset_local_path.$": "$.input.dataset_local_path",
                "index.$": "$.input.index",
                "keywords.$": "$.input.keywords",
                "source_collection.$": "$.input.source_collection",
                "destination_collection.$": "$.input.destination_collection",
            },
            "ResultPath": "$.PublishGatherMetadata",
            "Next": "PublishTransfer",
        },
        "PublishTransfer": {
            "Type": "Action",
            "ActionUrl": "https://actions.automate.globus.org/transfer/transfer",
            "InputPath": "$.PublishGatherMetadata.details.transfer",
            "ResultPath": "$.PublishTransfer",
            "WaitTime": 600,
            "Next": "PublishIngest",
        },
        "PublishIngest": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/search/ingest",
            "InputPath": "$.PublishGatherMetadata.details.search",
            "ResultPath": "$.PublishIngest",
            "WaitTime": 300,
            "End": True,
        },
    },
}


def test_publish_flow_metadata_transfer_ingest_query(rt: Runtime, tmp_path: Path) -> None:
    dataset = tmp_path / "lab" / "sample-42"
    make_tree(dataset)
    (tmp_path / "portal").mkdir()
    src = rt.create_collection(tmp_path / "lab")["id"]
    dst = rt.create_collection(tmp_path / "portal")["id"]
    rt.add_action_provider("https://example.org/gather-metadata", gather_metadata)
    index = rt.create_search_index("portal", "published datasets")["id"]
    done = run(
        rt,
        PUBLISH_FLOW,
        {
            "input": {
                "dataset_local_path": str(dataset),
                "index": index,
                "keywords": ["tomography", "battery"],
                "source_collection": src,
                "destination_collection": dst,
            }
        },
    )
    assert done["status"] == "SUCCEEDED", done["details"]
    output = done["details"]["output"]
    assert output["PublishIngest"]["details"]["state"] == "SUCCESS"
    assert output["PublishIngest"]["details"]["additional_details"] == {"num_documents_ingested": 1}
    published = tmp_path / "portal" / "published" / "sample-42"
    assert digests(published) == digests(dataset)

    found = rt.search_query(index, "battery")
    assert found["total"] == 1 and found["count"] == 1
    hit = found["gmeta"][0]
    assert hit["subject"] == f"globus://{dst}/published/sample-42"
    entry = hit["entries"][0]
    assert entry["entry_id"] == "metadata" and entry["matched_principal_sets"] == [["public"]]
    by_name = {f["filename"]: f for f in entry["content"]["files"]}
    assert by_name["a.txt"]["md5"] == _md5(published / "a.txt")
    assert rt.search_query(index, "nothing-like-this")["total"] == 0
