"""Globus Transfer states: ``Transfer`` (with ``TransferItem``) and ``TransferDelete``.

They target the Transfer action providers at ``https://actions.globus.org/transfer/...`` with
their ``source_endpoint_id``/``transfer_items`` body, as Gladier 0.11 does.

Example::

    >>> move = Transfer(transfer_items=[TransferItem(source_path="/a", destination_path="/b")])
    >>> move.get_flow_state_dict()["Parameters"]["transfer_items"]
    [{'source_path': '/a', 'destination_path': '/b'}]
"""

from __future__ import annotations

from pydantic import Field

from gladier.tools.builtins.action import ActionState
from gladier.utils.pydantic_models import GladierModel

__all__ = ["Transfer", "TransferDelete", "TransferItem"]


class TransferItem(GladierModel):
    """One file or folder to transfer."""

    source_path: str = "$.input.source_transfer_path"
    destination_path: str = "$.input.destination_transfer_path"
    recursive: bool | str | None = None


class Transfer(ActionState):
    """Transfer items from one collection to another."""

    action_url: str = "https://actions.globus.org/transfer/transfer"
    source_endpoint_id: str = "$.input.transfer_source_endpoint_id"
    destination_endpoint_id: str = "$.input.transfer_destination_endpoint_id"
    transfer_items: list[TransferItem] | str = Field(default_factory=lambda: [TransferItem()])
    notify_on_succeeded: bool | str | None = None
    notify_on_failed: bool | str | None = None
    notify_on_inactive: bool | str | None = None


class TransferDelete(ActionState):
    """Delete files or folders on a collection."""

    action_url: str = "https://actions.globus.org/transfer/delete"
    endpoint_id: str = "$.input.transfer_delete_endpoint_id"
    ignore_missing: bool | str | None = None
    interpret_globs: bool | str | None = None
    items: list[str] | str = "$.input.transfer_delete_items"
    label: str | None = None
    notify_on_succeeded: bool | str | None = None
    notify_on_failed: bool | str | None = None
    notify_on_inactive: bool | str | None = None
    recursive: bool | None = None
