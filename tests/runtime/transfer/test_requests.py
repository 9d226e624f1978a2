"""Transfer, delete, mkdir and ls bodies: both URL generations, and clear refusals."""

from __future__ import annotations

from typing import Any

import pytest

from gladier.exc import ActionProviderError
from gladier.runtime.transfer.requests import (
    DeleteSpec,
    TransferSpec,
    parse_delete,
    parse_ls,
    parse_mkdir,
    parse_transfer,
    spec_from_json,
)

ITEM = {"source_path": "/a", "destination_path": "/b", "recursive": True}
CURRENT = {"source_endpoint": "s", "destination_endpoint": "d", "DATA": [ITEM]}
LEGACY = {"source_endpoint_id": "s", "destination_endpoint_id": "d", "transfer_items": [ITEM]}


def test_both_generations_give_the_same_spec() -> None:
    current = parse_transfer({**CURRENT, "sync_level": "mtime"}, legacy=False)
    legacy = parse_transfer({**LEGACY, "sync_level": 2}, legacy=True)
    assert current == legacy
    assert current.sync_level == 2 and current.items[0].recursive is True


def test_every_option_is_read_and_round_trips() -> None:
    body: dict[str, Any] = {
        **CURRENT,
        "DATA_TYPE": "transfer",
        "label": "nightly",
        "sync_level": 3,
        "verify_checksum": True,
        "preserve_timestamp": True,
        "delete_destination_extra": True,
        "skip_source_errors": True,
        "fail_on_quota_errors": True,
        "encrypt_data": True,
        "deadline": "2030-01-01T00:00:00Z",
        "notify_on_succeeded": False,
        "filter_rules": [{"DATA_TYPE": "filter_rule", "method": "exclude", "name": "*.tmp"}],
        "DATA": [
            {
                **ITEM,
                "DATA_TYPE": "transfer_item",
                "external_checksum": "abc",
                "checksum_algorithm": "SHA256",
            }
        ],
    }
    body["filter_rules"][0].pop("DATA_TYPE")
    spec = parse_transfer(body, legacy=False)
    assert spec.label == "nightly" and spec.verify_checksum and spec.preserve_timestamp
    assert spec.filter_rules[0].name == "*.tmp"
    assert spec_from_json(spec.to_json()) == spec
    assert isinstance(spec_from_json(spec.to_json()), TransferSpec)


def test_legacy_names_on_the_current_url_say_what_to_rename() -> None:
    with pytest.raises(ActionProviderError) as info:
        parse_transfer(LEGACY, legacy=False)
    message = info.value.message
    assert "retired provider https://actions.globus.org/transfer/transfer" in message
    assert (
        "transfer_items -> DATA" in message and "source_endpoint_id -> source_endpoint" in message
    )


def test_current_names_on_the_legacy_url_are_refused() -> None:
    with pytest.raises(ActionProviderError, match="belong to the current provider"):
        parse_transfer(CURRENT, legacy=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sync_levl": 1}, "unknown field"),
        ({"DATA": []}, "non-empty list"),
        ({"DATA": "x"}, "non-empty list"),
        ({"DATA": [{"source_path": "/a"}]}, "destination_path"),
        ({"DATA": [{**ITEM, "recursive": "yes"}]}, "recursive"),
        ({"DATA": [{**ITEM, "extra": 1}]}, "unknown field"),
        ({"DATA": [{**ITEM, "checksum_algorithm": "ROT13"}]}, "checksum_algorithm"),
        ({"sync_level": 9}, "sync_level"),
        ({"verify_checksum": "yes"}, "verify_checksum"),
        ({"source_endpoint": None}, "source_endpoint"),
        ({"filter_rules": [{"method": "drop", "name": "*"}]}, "filter_rules"),
    ],
)
def test_bad_bodies(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ActionProviderError, match=message):
        parse_transfer({**CURRENT, **change}, legacy=False)


def test_delete_accepts_both_spellings() -> None:
    new = parse_delete({"endpoint": "e", "DATA": [{"DATA_TYPE": "delete_item", "path": "/x"}]})
    old = parse_delete({"endpoint_id": "e", "items": ["/x"], "recursive": True})
    assert new.paths == old.paths == ("/x",)
    assert old.recursive and not new.recursive
    assert spec_from_json(old.to_json()) == old
    assert isinstance(spec_from_json(old.to_json()), DeleteSpec)
    with pytest.raises(ActionProviderError, match="non-empty list"):
        parse_delete({"endpoint": "e", "DATA": []})
    with pytest.raises(ActionProviderError, match="unknown field"):
        parse_delete({"endpoint": "e", "DATA": ["/x"], "force": True})


def test_mkdir_and_ls_bodies() -> None:
    assert parse_mkdir({"endpoint_id": "e", "path": "/~/new"}) == ("e", "/~/new")
    assert parse_mkdir({"endpoint": "e", "path": "/x"}) == ("e", "/x")
    with pytest.raises(ActionProviderError, match="path"):
        parse_mkdir({"endpoint_id": "e"})
    spec = parse_ls({"endpoint_id": "e"})
    assert spec.path == "/~/" and spec.show_hidden
    with pytest.raises(ActionProviderError, match="limit"):
        parse_ls({"endpoint_id": "e", "limit": -1})
