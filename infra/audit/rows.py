"""The rows of the audit tables, and how they read back.

``event_hashes`` holds one row per event (stream, version, position, hash),
written in the events' own transaction; ``audit_checkpoints`` the signed
checkpoints, one per sealed position. Whichever database a row comes from,
hashes and states read back as bytes and stream ids in the chain's form
(``stream_key``), so rows from SQLite and PostgreSQL compare alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from infra.audit.chain import stream_key
from infra.audit.checkpoint import Checkpoint

HASHES_TABLE = "event_hashes"
CHECKPOINTS_TABLE = "audit_checkpoints"
BEFORE_ALL = -(2**62)
"""A position below any event's (forged rows may take zero or negative positions)."""
CHECKPOINT_COLUMNS = ", ".join(
    [
        "position",
        "previous_position",
        "event_count",
        "runs",
        "previous_hash",
        "running_hash",
        "sealed_at",
        "key_id",
        "signature",
    ]
)


class EventRow(NamedTuple):
    position: int
    stream: str
    version: int
    topic: str
    state: bytes
    hash: bytes | None
    """The hash recorded for this stream and version, if any."""
    hash_position: int | None
    """The position that hash was recorded at."""
    previous: bytes | None
    """The hash recorded for the stream's previous version, if any."""


class HashRow(NamedTuple):
    position: int
    stream: str
    version: int
    hash: bytes


def event_row(row: Sequence[Any]) -> EventRow:
    """From (position, stream, version, topic, state, hash, hash position, previous hash)."""
    hashed, previous = row[5], row[7]
    return EventRow(
        row[0],
        stream_key(row[1]),
        row[2],
        row[3],
        bytes(row[4]),
        bytes(hashed) if hashed is not None else None,
        row[6],
        bytes(previous) if previous is not None else None,
    )


def hash_row(row: Sequence[Any]) -> HashRow:
    """From (position, stream, version, hash)."""
    return HashRow(row[0], stream_key(row[1]), row[2], bytes(row[3]))


def checkpoint_from_row(row: Sequence[Any]) -> Checkpoint:
    """From the ``CHECKPOINT_COLUMNS``, in their order."""
    return Checkpoint(
        position=row[0],
        previous_position=row[1],
        event_count=row[2],
        runs=[(a, b) for a, b in orjson.loads(row[3])],
        previous_hash=bytes(row[4]),
        running_hash=bytes(row[5]),
        sealed_at=row[6],
        key_id=row[7],
        signature=bytes(row[8]),
    )


def checkpoint_params(cp: Checkpoint) -> tuple[Any, ...]:
    """The ``CHECKPOINT_COLUMNS`` of a checkpoint, in their order, to insert."""
    return (
        cp.position,
        cp.previous_position,
        cp.event_count,
        orjson.dumps(cp.runs).decode(),
        cp.previous_hash,
        cp.running_hash,
        cp.sealed_at,
        cp.key_id,
        cp.signature,
    )
