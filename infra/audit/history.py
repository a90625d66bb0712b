"""One aggregate's stream as an auditor reads it: every event with its store
position, recorded time, business date, actor, correlation id and hashes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from infra.audit.as_of import prefix_as_of
from infra.audit.hashes import stream_hashes
from projections.events import EventRecord, from_stored

READ_BATCH = 1000
BUSINESS_DATES = ("joined_on", "received_on", "paid_on")
"""Payload fields holding the date something happened in the world (chosen by the
caller), as opposed to the time it was recorded."""


@dataclass(frozen=True)
class StreamEvent:
    event: EventRecord
    hash: str | None = None
    previous_hash: str | None = None

    @property
    def business_date(self) -> str | None:
        return next((self.event.payload[f] for f in BUSINESS_DATES if f in self.event.payload), None)

    @property
    def actor(self) -> str | None:
        return (self.event.metadata or {}).get("actor")

    @property
    def correlation_id(self) -> str | None:
        return (self.event.metadata or {}).get("correlation_id")

    @property
    def on_behalf_of(self) -> str | None:
        return (self.event.metadata or {}).get("on_behalf_of")


@dataclass(frozen=True)
class StreamHead:
    """What a stream is and how far it goes."""

    aggregate_type: str
    """``Fund``, ``Organisation``, ``Person`` or ``Project``."""
    version: int


def head(recorder: ApplicationRecorder, aggregate_id: UUID) -> StreamHead | None:
    """The stream's type and last version, or None when nothing was ever recorded for it."""
    last = recorder.select_events(aggregate_id, desc=True, limit=1)
    if not last:
        return None
    kind = last[0].topic.rpartition(":")[2].split(".", 1)[0]
    return StreamHead(kind, last[0].originator_version)


def events(recorder: ApplicationRecorder, aggregate_id: UUID, after: int, limit: int) -> list[StreamEvent]:
    """Up to ``limit`` events of the stream past version ``after``, with their hashes."""
    found = _select(recorder, aggregate_id, after, limit)
    if not found:
        return []
    chain = hashes_of(recorder, aggregate_id)
    return [StreamEvent(e, *chain.get(e.version, (None, None))) for e in found]


def events_as_of(recorder: ApplicationRecorder, aggregate_id: UUID, moment: datetime) -> list[EventRecord]:
    """The stream's events that count as of ``moment`` (see ``infra.audit.as_of``)."""
    return prefix_as_of(list(stream(recorder, aggregate_id)), moment)


def hashes_of(recorder: ApplicationRecorder, aggregate_id: UUID) -> dict[int, tuple[str, str | None]]:
    """Each version's (hash, previous hash) from the store's hash chain; a version
    missing from it shows null hashes (``GET /audit/verify`` says why)."""
    return stream_hashes(recorder, aggregate_id)


def stream(recorder: ApplicationRecorder, aggregate_id: UUID) -> Iterator[EventRecord]:
    """Every event of the stream, in version order, read in batches."""
    after = 0
    while batch := _select(recorder, aggregate_id, after, READ_BATCH):
        yield from batch
        after = batch[-1].version


def _select(recorder: ApplicationRecorder, aggregate_id: UUID, after: int, limit: int) -> list[EventRecord]:
    """Events in version order, each with its position (the library's own reads leave it out)."""
    if isinstance(recorder, PostgresApplicationRecorder):
        rows = _postgres(recorder, aggregate_id, after, limit)
    else:
        rows = _sqlite(recorder, aggregate_id, after, limit)
    return [
        from_stored(r["topic"], aggregate_id, r["version"], r["position"], bytes(r["state"])) for r in rows
    ]


def _sqlite(recorder: Any, aggregate_id: UUID, after: int, limit: int) -> list[Any]:
    statement = (
        f"SELECT rowid AS position, originator_version AS version, topic, state "
        f"FROM {recorder.events_table_name} WHERE originator_id = ? AND originator_version > ? "
        "ORDER BY originator_version LIMIT ?"
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement, (aggregate_id.hex, after, limit))
        return list(cursor.fetchall())


def _postgres(recorder: PostgresApplicationRecorder, aggregate_id: UUID, after: int, limit: int) -> list[Any]:
    statement = SQL(
        "SELECT notification_id AS position, originator_version AS version, topic, state "
        "FROM {}.{} WHERE originator_id = %s AND originator_version > %s "
        "ORDER BY originator_version LIMIT %s"
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as connection, connection.cursor() as cursor:
        cursor.execute(statement, (aggregate_id, after, limit))
        return list(cursor.fetchall())
