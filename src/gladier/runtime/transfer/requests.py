"""Action bodies of the Transfer providers, checked and turned into plain specs.

Transfer bodies differ by URL generation (spec §11.2): the current
``https://transfer.actions.globus.org/transfer`` takes ``source_endpoint``,
``destination_endpoint`` and ``DATA``; the retired ``https://actions.globus.org/transfer/transfer``
takes ``source_endpoint_id``, ``destination_endpoint_id`` and ``transfer_items``. A body in the
other generation's shape is refused with a message that says which names to use, so that a flow
that runs here also runs on Globus. Delete, mkdir and ls accept both spellings.

Specs are JSON round-trippable (``to_json``/``from_json``) so an unfinished transfer can be
started again by another process from the store.

Example::

    spec = parse_transfer({"source_endpoint": "a", "destination_endpoint": "b",
                           "DATA": [{"source_path": "/x", "destination_path": "/y"}],
                           "sync_level": "checksum"}, legacy=False)
    spec.sync_level       # 3
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gladier.exc import ActionProviderError
from gladier.runtime.transfer.copy import check_algorithm, parse_sync_level

CURRENT_TRANSFER_URL = "https://transfer.actions.globus.org/transfer"
LEGACY_TRANSFER_URL = "https://actions.globus.org/transfer/transfer"

_SUBMISSION_FIELDS = frozenset(
    {
        "DATA_TYPE",
        "label",
        "sync_level",
        "verify_checksum",
        "preserve_timestamp",
        "encrypt_data",
        "deadline",
        "skip_source_errors",
        "fail_on_quota_errors",
        "delete_destination_extra",
        "recursive_symlinks",
        "notify_on_succeeded",
        "notify_on_failed",
        "notify_on_inactive",
        "filter_rules",
        "skip_activation_check",
        "store_base_path_info",
        "source_local_user",
        "destination_local_user",
        "submission_id",
        "priority",
    }
)
CURRENT_FIELDS = _SUBMISSION_FIELDS | {"source_endpoint", "destination_endpoint", "DATA"}
LEGACY_FIELDS = _SUBMISSION_FIELDS | {
    "source_endpoint_id",
    "destination_endpoint_id",
    "transfer_items",
}
ITEM_FIELDS = frozenset(
    {
        "DATA_TYPE",
        "source_path",
        "destination_path",
        "recursive",
        "external_checksum",
        "checksum_algorithm",
    }
)
_RENAMES = {
    "source_endpoint_id": "source_endpoint",
    "destination_endpoint_id": "destination_endpoint",
    "transfer_items": "DATA",
}


def _refuse(message: str) -> ActionProviderError:
    return ActionProviderError(message, {"code": "BadRequest", "description": message})


def _bool(body: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _refuse(f"{name} must be true or false, not {value!r}")
    return value


def _opt_str(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise _refuse(f"{name} must be a string, not {value!r}")
    return value


def _endpoint(body: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = body.get(name)
        if value is not None:
            if not isinstance(value, str) or not value:
                raise _refuse(f"{name} must be a collection id (a UUID), not {value!r}")
            return value
    raise _refuse(f"the body needs {' or '.join(names)} (the collection id)")


@dataclass(frozen=True)
class TransferItem:
    """One ``DATA`` (or ``transfer_items``) entry."""

    source_path: str
    destination_path: str
    #: None: decided by the type of the source (as the current Transfer API does).
    recursive: bool | None = None
    external_checksum: str | None = None
    checksum_algorithm: str | None = None


@dataclass(frozen=True)
class FilterRule:
    """A ``filter_rules`` entry: include or exclude entries whose name matches a glob."""

    method: str
    name: str
    type: str | None = None


@dataclass(frozen=True)
class TransferSpec:
    """A checked transfer request (collection ids not yet resolved)."""

    source_endpoint: str
    destination_endpoint: str
    items: tuple[TransferItem, ...]
    label: str | None = None
    sync_level: int | None = None
    verify_checksum: bool = False
    preserve_timestamp: bool = False
    delete_destination_extra: bool = False
    skip_source_errors: bool = False
    fail_on_quota_errors: bool = False
    encrypt_data: bool = False
    deadline: str | None = None
    filter_rules: tuple[FilterRule, ...] = field(default_factory=tuple)

    kind = "transfer"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransferSpec:
        values = {k: v for k, v in data.items() if k != "kind"}
        values["items"] = tuple(TransferItem(**i) for i in values["items"])
        values["filter_rules"] = tuple(FilterRule(**r) for r in values.get("filter_rules") or ())
        return cls(**values)


@dataclass(frozen=True)
class DeleteSpec:
    """A checked delete request."""

    endpoint: str
    paths: tuple[str, ...]
    recursive: bool = False
    ignore_missing: bool = False
    interpret_globs: bool = False
    label: str | None = None
    deadline: str | None = None

    kind = "delete"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeleteSpec:
        values = {k: v for k, v in data.items() if k != "kind"}
        values["paths"] = tuple(values["paths"])
        return cls(**values)


def spec_from_json(data: Mapping[str, Any]) -> TransferSpec | DeleteSpec:
    """Rebuild a stored spec."""
    if data.get("kind") == "delete":
        return DeleteSpec.from_json(data)
    return TransferSpec.from_json(data)


def _check_generation(body: Mapping[str, Any], legacy: bool) -> None:
    allowed = LEGACY_FIELDS if legacy else CURRENT_FIELDS
    unknown = sorted(set(body) - allowed)
    if not unknown:
        return
    if legacy:
        wrong = [k for k in unknown if k in _RENAMES.values()]
        if wrong:
            raise _refuse(
                f"{', '.join(wrong)} belong to the current provider {CURRENT_TRANSFER_URL}; "
                f"{LEGACY_TRANSFER_URL} takes source_endpoint_id, destination_endpoint_id and "
                "transfer_items. Change the ActionUrl (recommended) or rename the fields."
            )
    else:
        wrong = [k for k in unknown if k in _RENAMES]
        if wrong:
            renames = ", ".join(f"{k} -> {_RENAMES[k]}" for k in wrong)
            raise _refuse(
                f"{', '.join(wrong)} are field names of the retired provider "
                f"{LEGACY_TRANSFER_URL}; {CURRENT_TRANSFER_URL} takes source_endpoint, "
                f"destination_endpoint and DATA. Rename: {renames}."
            )
    raise _refuse(
        f"unknown field(s) {', '.join(unknown)} in the transfer body; "
        f"known fields: {', '.join(sorted(allowed))}"
    )


def _item(raw: Any, index: int, list_name: str) -> TransferItem:
    where = f"{list_name}[{index}]"
    if not isinstance(raw, Mapping):
        raise _refuse(f"{where} must be an object with source_path and destination_path")
    unknown = sorted(set(raw) - ITEM_FIELDS)
    if unknown:
        raise _refuse(
            f"unknown field(s) {', '.join(unknown)} in {where}; "
            f"known fields: {', '.join(sorted(ITEM_FIELDS))}"
        )
    paths = []
    for name in ("source_path", "destination_path"):
        value = raw.get(name)
        if not isinstance(value, str) or not value:
            raise _refuse(f"{where}.{name} must be a non-empty path string, not {value!r}")
        paths.append(value)
    recursive = raw.get("recursive")
    if recursive is not None and not isinstance(recursive, bool):
        raise _refuse(f"{where}.recursive must be true, false or null, not {recursive!r}")
    algorithm = _opt_str(raw, "checksum_algorithm")
    if algorithm is not None:
        try:
            check_algorithm(algorithm)
        except ValueError as err:
            raise _refuse(f"{where}.checksum_algorithm: {err}") from None
    return TransferItem(
        paths[0], paths[1], recursive, _opt_str(raw, "external_checksum"), algorithm
    )


def _filter_rules(value: Any) -> tuple[FilterRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _refuse("filter_rules must be a list of {method, name, type} objects")
    rules = []
    for index, raw in enumerate(value):
        if not isinstance(raw, Mapping):
            raise _refuse(f"filter_rules[{index}] must be an object")
        method = raw.get("method", "exclude")
        kind = raw.get("type")
        name = raw.get("name")
        if method not in ("include", "exclude") or kind not in (None, "file", "dir"):
            raise _refuse(
                f"filter_rules[{index}]: method must be include or exclude and type file, "
                "dir or absent"
            )
        if not isinstance(name, str) or not name:
            raise _refuse(f"filter_rules[{index}].name must be a glob pattern string")
        rules.append(FilterRule(method, name, kind))
    return tuple(rules)


def parse_transfer(body: Any, *, legacy: bool) -> TransferSpec:
    """Check a transfer body of either generation (``legacy`` selects which)."""
    if not isinstance(body, Mapping):
        raise _refuse("the transfer body must be an object")
    _check_generation(body, legacy)
    list_name = "transfer_items" if legacy else "DATA"
    raw_items = body.get(list_name)
    if not isinstance(raw_items, list) or not raw_items:
        raise _refuse(f"{list_name} must be a non-empty list of transfer items")
    items = tuple(_item(raw, i, list_name) for i, raw in enumerate(raw_items))
    suffix = "_id" if legacy else ""
    try:
        sync_level = parse_sync_level(body.get("sync_level"))
    except ValueError as err:
        raise _refuse(str(err)) from None
    return TransferSpec(
        source_endpoint=_endpoint(body, f"source_endpoint{suffix}"),
        destination_endpoint=_endpoint(body, f"destination_endpoint{suffix}"),
        items=items,
        label=_opt_str(body, "label"),
        sync_level=sync_level,
        verify_checksum=_bool(body, "verify_checksum"),
        preserve_timestamp=_bool(body, "preserve_timestamp"),
        delete_destination_extra=_bool(body, "delete_destination_extra"),
        skip_source_errors=_bool(body, "skip_source_errors"),
        fail_on_quota_errors=_bool(body, "fail_on_quota_errors"),
        encrypt_data=_bool(body, "encrypt_data"),
        deadline=_opt_str(body, "deadline"),
        filter_rules=_filter_rules(body.get("filter_rules")),
    )


DELETE_FIELDS = frozenset(
    {
        "DATA_TYPE",
        "endpoint",
        "endpoint_id",
        "DATA",
        "items",
        "recursive",
        "ignore_missing",
        "interpret_globs",
        "label",
        "deadline",
        "notify_on_succeeded",
        "notify_on_failed",
        "notify_on_inactive",
        "skip_activation_check",
        "submission_id",
        "local_user",
    }
)


def _check_fields(body: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _refuse(
            f"unknown field(s) {', '.join(unknown)} in the {what} body; "
            f"known fields: {', '.join(sorted(allowed))}"
        )


def parse_delete(body: Any) -> DeleteSpec:
    """Check a delete body: ``endpoint``/``endpoint_id`` and ``DATA``/``items``."""
    if not isinstance(body, Mapping):
        raise _refuse("the delete body must be an object")
    _check_fields(body, DELETE_FIELDS, "delete")
    raw = body.get("DATA", body.get("items"))
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise _refuse("DATA (or items) must be a non-empty list of paths to delete")
    paths = []
    for index, entry in enumerate(raw):
        path = entry.get("path") if isinstance(entry, Mapping) else entry
        if not isinstance(path, str) or not path:
            raise _refuse(f"delete item {index} must be a path or {{'path': ...}}, not {entry!r}")
        paths.append(path)
    return DeleteSpec(
        endpoint=_endpoint(body, "endpoint", "endpoint_id"),
        paths=tuple(paths),
        recursive=_bool(body, "recursive"),
        ignore_missing=_bool(body, "ignore_missing"),
        interpret_globs=_bool(body, "interpret_globs"),
        label=_opt_str(body, "label"),
        deadline=_opt_str(body, "deadline"),
    )


MKDIR_FIELDS = frozenset({"endpoint", "endpoint_id", "path", "local_user", "DATA_TYPE"})
LS_FIELDS = frozenset(
    {"endpoint", "endpoint_id", "path", "show_hidden", "limit", "offset", "path_only", "filter"}
)


def parse_mkdir(body: Any) -> tuple[str, str]:
    """``(collection id, path)`` of a mkdir body."""
    if not isinstance(body, Mapping):
        raise _refuse("the mkdir body must be an object")
    _check_fields(body, MKDIR_FIELDS, "mkdir")
    path = body.get("path")
    if not isinstance(path, str) or not path:
        raise _refuse("path must be a non-empty path string")
    return _endpoint(body, "endpoint_id", "endpoint"), path


@dataclass(frozen=True)
class LsSpec:
    endpoint: str
    path: str
    show_hidden: bool = True
    limit: int = 100_000
    offset: int = 0


def parse_ls(body: Any) -> LsSpec:
    """Check an ls body (``endpoint_id``, ``path`` default ``/~/``, ``show_hidden`` ...)."""
    if not isinstance(body, Mapping):
        raise _refuse("the ls body must be an object")
    _check_fields(body, LS_FIELDS, "ls")
    path = body.get("path", "/~/")
    if not isinstance(path, str) or not path:
        raise _refuse("path must be a non-empty path string")
    numbers = []
    for name, default in (("limit", 100_000), ("offset", 0)):
        value = body.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _refuse(f"{name} must be a non-negative integer, not {value!r}")
        numbers.append(value)
    return LsSpec(
        _endpoint(body, "endpoint_id", "endpoint"),
        path,
        _bool(body, "show_hidden", True),
        numbers[0],
        numbers[1],
    )
