"""The log as JSON Lines, for auditors who verify it with no database.

Line 1 is a header: the range, and what a sub-range needs to chain on from
the past (the last checkpoint before it, and the hashes of the events between
that checkpoint and the range). Then one line per event (its stored state in
base64, byte for byte, its decoded payload and metadata for reading, its hash
and its stream's previous hash) with each checkpoint after the event at its
position.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import orjson

from infra.audit.chain import GENESIS
from infra.audit.checkpoint import GENESIS_RUNNING, Checkpoint
from infra.audit.queries import AuditTables
from infra.audit.rows import BEFORE_ALL, EventRow
from infra.audit.verify import BATCH_SIZE, paged_checkpoints
from projections.events import from_stored

FORMAT = "gongzhi.audit.export.v1"


def event_line(row: EventRow) -> dict[str, Any]:
    previous = GENESIS if row.version == 1 else row.previous
    line: dict[str, Any] = {
        "type": "event",
        "position": row.position,
        "aggregate_id": row.stream,
        "version": row.version,
        "topic": row.topic,
        "state": base64.b64encode(row.state).decode(),
        "hash": row.hash.hex() if row.hash is not None else None,
        "previous_hash": previous.hex() if previous is not None else None,
    }
    return line | readable(row.topic, row.stream, row.version, row.position, row.state)


def readable(topic: str, stream: str, version: int, position: int, state: bytes) -> dict[str, Any]:
    """The decoded event, for reading; what the hash covers is ``state``."""
    try:
        record = from_stored(topic, stream, version, position, state)
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return {"event_type": None, "recorded_at": None, "payload": None, "metadata": None}
    return {
        "event_type": record.type,
        "recorded_at": record.recorded_at,
        "payload": record.payload,
        "metadata": record.metadata,
    }


def checkpoint_line(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"type": "checkpoint", **checkpoint.to_json()}


def export_lines(
    tables: AuditTables,
    from_position: int | None = None,
    to_position: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[bytes]:
    """The lines of an export of [from_position, to_position], each ending in a newline."""
    upto = to_position if to_position is not None else tables.head()
    anchor = tables.last_checkpoint(before=from_position) if from_position is not None else None
    after = from_position - 1 if from_position is not None else BEFORE_ALL
    prefix = [] if anchor is None else _prefix(tables, anchor.position, after)
    yield _dump(
        {
            "type": "export",
            "format": FORMAT,
            "from_position": from_position,
            "to_position": upto,
            "genesis": GENESIS.hex(),
            "genesis_running": GENESIS_RUNNING.hex(),
            "anchor": anchor.to_json() if anchor else None,
            "prefix": prefix,
        }
    )
    checkpoints = paged_checkpoints(tables, anchor.position if anchor else BEFORE_ALL, upto)
    pending = next(checkpoints, None)
    while after < upto and (rows := tables.event_rows(after, upto, batch_size)):
        for row in rows:
            while pending is not None and pending.position < row.position:
                yield _dump(checkpoint_line(pending))
                pending = next(checkpoints, None)
            yield _dump(event_line(row))
        after = rows[-1].position
    while pending is not None:
        yield _dump(checkpoint_line(pending))
        pending = next(checkpoints, None)


def _prefix(tables: AuditTables, after: int, upto: int) -> list[list[Any]]:
    """Position and hash of the events between the anchor checkpoint and the range."""
    prefix: list[list[Any]] = []
    while after < upto and (rows := tables.event_rows(after, upto, BATCH_SIZE)):
        prefix.extend([row.position, row.hash.hex() if row.hash else None] for row in rows)
        after = rows[-1].position
    return prefix


def _dump(line: dict[str, Any]) -> bytes:
    return orjson.dumps(line) + b"\n"
