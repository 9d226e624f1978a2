"""What starting a run writes and hands to the scheduler: its ``runs`` row and its live run.

Shared by :meth:`~gladier.runtime.Runtime.run_flow`, reruns from a state
(:meth:`~gladier.runtime.Runtime.run_flow_from`) and batches
(:meth:`~gladier.runtime.Runtime.start_runs`), so the three start runs the same way.

Example::

    store_definition(conn, flow)
    conn.execute(INSERT_RUN, run_row(run_id, flow_id, flow.definition_id, None, meta_json,
                                     state_col, state_id, "Start", owner, start))
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gladier.exc import FlowValidationError, LimitExceeded
from gladier.runtime.language.json_values import is_plain_json, json_problems
from gladier.runtime.live import LiveRun, dumps
from gladier.runtime.run_log import ValueWriter, stored_state

if TYPE_CHECKING:
    from gladier.runtime.flow import CompiledFlow
    from gladier.runtime.options import RuntimeOptions
    from gladier.runtime.prepared import PreparedFlow

#: The description of every ``FlowStarted`` event.
STARTED = "The Flow Instance started execution"

#: Inserts one new run; its values come from :func:`run_row`.
INSERT_RUN = (
    "INSERT INTO runs(run_id, flow_id, definition_id, status, label, meta, state, "
    "state_id, current, phase, owner, attempt, event_seq, start_time) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


# What live.dumps and json.loads do, without making an encoder for each call.
_encode = json.JSONEncoder(separators=(",", ":")).encode
_decode = json.JSONDecoder().decode

# Byte maps that set a random UUID's version (4) and variant (RFC 4122) bits.
_VERSION_4 = bytes((b & 0x0F) | 0x40 for b in range(256))
_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))


def new_run_ids(count: int) -> list[str]:
    """``count`` new run ids: random UUIDs (version 4) as :func:`uuid.uuid4` makes them, from
    one read of the system's random source.

    Example::

        >>> [len(i) for i in new_run_ids(2)], new_run_ids(1)[0][14]
        ([36, 36], '4')
    """
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_VERSION_4)
    raw[8::16] = raw[8::16].translate(_VARIANT)
    text = raw.hex()
    return [
        f"{text[i : i + 8]}-{text[i + 8 : i + 12]}-{text[i + 12 : i + 16]}-"
        f"{text[i + 16 : i + 20]}-{text[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def check_label(label: str | None, options: RuntimeOptions) -> None:
    """Refuse a run label that is not a string of at most ``max_label_length`` characters."""
    if label is not None and (not isinstance(label, str) or len(label) > options.max_label_length):
        raise LimitExceeded(
            f"The run label must be a string of at most {options.max_label_length} "
            f"characters; this one has {len(str(label))}. Shorten it."
        )


def checked_body(
    compiled: CompiledFlow,
    body: Any,
    options: RuntimeOptions,
    valid: set[str] | None = None,
) -> tuple[Any, str]:
    """A checked copy of ``body`` and its JSON, as every way of starting a run checks it:
    a JSON object (``FlowValidationError`` naming each place otherwise), valid against the
    input schema, within ``max_run_state_bytes``.

    ``valid`` holds the JSON of bodies already found valid against this flow's input schema
    (a batch checks each distinct body once); a body that passes is added to it.
    """
    if type(body) is not dict and not isinstance(body, Mapping):
        raise LimitExceeded(
            f"The run body must be a JSON object, not {type(body).__name__}.",
            code="FLOW_INPUT_ERROR",
            http_status=400,
        )
    if not isinstance(body, dict):
        body = dict(body)
    if not is_plain_json(body):
        problems = json_problems(body, ("body",))
        if problems:
            raise FlowValidationError(problems)
    state_json = _encode(body)
    copy = _decode(state_json)
    if valid is None:
        compiled.check_input(copy)
    elif state_json not in valid:
        compiled.check_input(copy)
        valid.add(state_json)
    if len(state_json) > options.max_run_state_bytes:
        raise LimitExceeded(
            f"The run body is {len(state_json)} bytes, over the limit of "
            f"{options.max_run_state_bytes} bytes; pass large data as files."
        )
    return copy, state_json


def store_definition(conn: sqlite3.Connection, flow: PreparedFlow) -> None:
    """Store the flow revision's definition, the first time a run of it starts."""
    if flow.to_store is not None:
        conn.execute(
            "INSERT OR IGNORE INTO definitions(id, definition, input_schema) VALUES (?,?,?)",
            (flow.definition_id, *flow.to_store),
        )


def run_row(
    run_id: str,
    flow_id: str,
    definition_id: str,
    label: str | None,
    meta_json: str,
    state_col: str | None,
    state_id: int | None,
    current: str,
    owner: str,
    start: str,
) -> tuple[Any, ...]:
    """The values of :data:`INSERT_RUN` for a new ACTIVE run, ready at state ``current``."""
    return (
        run_id,
        flow_id,
        definition_id,
        "ACTIVE",
        label,
        meta_json,
        state_col,
        state_id,
        current,
        "ready",
        owner,
        1,
        1,
        start,
    )


def stored_run_meta(meta: dict[str, Any], input_id: int) -> str:
    """The ``meta`` column of a run whose input is the stored value ``input_id``."""
    return dumps({**{k: v for k, v in meta.items() if k != "input"}, "input_id": input_id})


def insert_run(
    conn: sqlite3.Connection,
    values: ValueWriter,
    run_id: str,
    flow_id: str,
    flow: PreparedFlow,
    label: str | None,
    meta: dict[str, Any],
    state_json: str,
    current: str,
    owner: str,
    start: str,
) -> int | None:
    """Write the row of one new run (its state stored once, see :func:`stored_state`); return
    the id of its stored state value, or None when the row holds the state itself."""
    state_col, state_id = stored_state(values, run_id, state_json)
    meta_json = dumps(meta) if state_id is None else stored_run_meta(meta, state_id)
    conn.execute(
        INSERT_RUN,
        run_row(
            run_id,
            flow_id,
            flow.definition_id,
            label,
            meta_json,
            state_col,
            state_id,
            current,
            owner,
            start,
        ),
    )
    return state_id


def new_live_run(
    *,
    run_id: str,
    flow_id: str,
    flow: PreparedFlow,
    state: Any,
    state_json: str,
    state_id: int | None,
    current: str,
    label: str | None,
    run_managers: Sequence[str],
    run_monitors: Sequence[str],
    context: dict[str, Any],
    options: RuntimeOptions,
    clock_now: Callable[[], float],
) -> LiveRun:
    """The scheduler's view of a run just written by :data:`INSERT_RUN`."""
    return LiveRun(
        run_id=run_id,
        flow_id=flow_id,
        definition_id=flow.definition_id,
        flow=flow.compiled,
        state=state,
        state_json=state_json,
        current=current,
        phase="ready",
        status="ACTIVE",
        attempt=1,
        event_seq=1,
        context=context,
        options=options,
        label=label,
        run_managers=list(run_managers),
        run_monitors=list(run_monitors),
        clock_now=clock_now,
        stored_value=None if state_id is None else (state_json, state_id),
        stored_status=("ACTIVE", None),
    )
