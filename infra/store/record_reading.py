"""The notification log read straight into event records, for the projections.

The library's ``select_notifications`` makes a ``Notification`` with a ``UUID``
for every row, which the projections then turn back into text. A rebuild reads
millions of rows, so the recorders also offer ``select_records``: the same rows,
the same order and the same filters, made directly into ``EventRecord``s.

``select_records`` reads a closed range of positions rather than a number of
rows: with a topic filter, ``ORDER BY … LIMIT`` over the rest of the log lets
PostgreSQL's planner, without fresh statistics, fetch and sort everything up to
the head for each batch; a bounded range is an index range scan whatever the
statistics say.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from projections.events import EventRecord, from_stored


def _dashed(hex_id: str) -> str:
    """``0f3c…`` (how SQLite stores a UUID) → ``0f3c…-…`` (its usual text form)."""
    if len(hex_id) != 32:
        return hex_id
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


def _topic_filter(topics: Sequence[str], placeholder: str) -> str:
    return f" AND topic IN ({', '.join(placeholder for _ in topics)})" if topics else ""


class SQLiteRecordReading(SQLiteApplicationRecorder):
    def select_records(self, start: int, stop: int, topics: Sequence[str]) -> list[EventRecord]:
        """Events after ``start`` up to ``stop``, of these topics (all if none), in order."""
        statement = (
            "SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} WHERE rowid > ? AND rowid <= ?"
            f"{_topic_filter(topics, '?')} ORDER BY rowid"
        )
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [start, stop, *topics])
            rows: list[Any] = cursor.fetchall()
        return [from_stored(row[3], _dashed(row[1]), row[2], row[0], row[4]) for row in rows]


class PostgresRecordReading(PostgresApplicationRecorder):
    def select_records(self, start: int, stop: int, topics: Sequence[str]) -> list[EventRecord]:
        """Events after ``start`` up to ``stop``, of these topics (all if none), in order."""
        statement = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            "FROM {0}.{1} WHERE notification_id > %s AND notification_id <= %s"
            + (" AND topic = ANY(%s)" if topics else "")
            + " ORDER BY notification_id"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        params: list[Any] = [start, stop, *([list(topics)] if topics else [])]
        with (
            self.datastore.get_connection() as connection,
            connection.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(statement, params, prepare=True)
            rows = cursor.fetchall()
        return [from_stored(row[3], row[1], row[2], row[0], bytes(row[4])) for row in rows]
