"""flat_pack / flat_unpack: tokens by resource server <-> INI options."""

from __future__ import annotations

from gladier.storage.serialization import (
    default_fetch_key,
    default_name_key,
    flat_pack,
    flat_unpack,
)

TOKENS = {
    "auth.globus.org": {
        "scope": "openid profile",
        "access_token": "a1",
        "refresh_token": None,
        "token_type": "Bearer",
        "expires_at_seconds": 1539984535,
        "resource_server": "auth.globus.org",
    },
    "funcx_service": {
        "scope": "https://auth.globus.org/scopes/facd7ccc-c5f4-42aa-916b-a0e270e2c2a9/all",
        "access_token": "c1",
        "resource_server": "funcx_service",
        "expires_at_seconds": 1,
    },
}


def test_pack_flattens_with_resource_server_prefixes() -> None:
    flat = flat_pack(TOKENS)
    assert flat["auth_globus_org__refresh_token"] == ""
    assert flat["auth_globus_org__expires_at_seconds"] == "1539984535"
    assert flat["funcx_service__access_token"] == "c1"


def test_unpack_restores_types_and_names() -> None:
    assert flat_unpack(flat_pack(TOKENS)) == TOKENS


def test_unpack_ignores_other_options_and_empty_input() -> None:
    assert flat_unpack({}) == {}
    assert flat_unpack({"not_a_token": "x"}) == {}


def test_key_helpers() -> None:
    assert default_name_key("flows.globus.org", "scope") == "flows_globus_org__scope"
    assert default_fetch_key("flows_globus_org__scope") == ("flows.globus.org", "scope")
