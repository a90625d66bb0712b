"""The audit tables next to the events, for SQLite and PostgreSQL.

``event_hashes`` holds one row per event (stream, version, position, hash),
written in the events' own transaction; ``audit_checkpoints`` the signed
checkpoints, one per sealed position. Readers here serve verification,
export and the sealer, a batch at a time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from infra.audit.chain import Link, stream_key
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


def _event_row(row: Sequence[Any]) -> EventRow:
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


def _hash_row(row: Sequence[Any]) -> HashRow:
    return HashRow(row[0], stream_key(row[1]), row[2], bytes(row[3]))


def _checkpoint(row: Sequence[Any]) -> Checkpoint:
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


def _checkpoint_params(cp: Checkpoint) -> tuple[Any, ...]:
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


class AuditTables(ABC):
    """Reads and writes of the audit tables; ``after``/``upto`` bound positions (after, upto]."""

    @abstractmethod
    def write_links(self, cursor: Any, links: Sequence[Link]) -> None: ...

    @abstractmethod
    def lookup(self, cursor: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]: ...

    @abstractmethod
    def query(self, statement: str, params: Sequence[Any]) -> list[Sequence[Any]]: ...

    @abstractmethod
    def insert_checkpoint(self, checkpoint: Checkpoint) -> bool:
        """False when a checkpoint at that position, or after that previous one, exists."""

    @abstractmethod
    def stream_param(self, stream: str) -> Any: ...

    events: str
    hashes: str
    checkpoints: str
    position: str

    def event_rows(self, after: int, upto: int, limit: int, with_previous: bool = True) -> list[EventRow]:
        """Events in (after, upto] in position order, each with its own hash and (unless
        told otherwise) its stream's previous one."""
        upto = min(upto, self.window_end(after, limit))
        statement = self.event_rows_statement(with_previous)
        return [_event_row(row) for row in self.query(statement, (after, upto, limit))]

    def window_end(self, after: int, limit: int) -> int:
        """The position of the ``limit``-th event after ``after`` (an index-only probe), so
        that a batch's query names a narrow range: with a wide one PostgreSQL may scan and
        sort everything after ``after`` for each batch."""
        p = self.position
        rows = self.query(
            f"SELECT {p} FROM {self.events} WHERE {p} > {self.mark} ORDER BY {p} LIMIT 1 OFFSET {self.mark}",
            (after, limit - 1),
        )
        return int(rows[0][0]) if rows else 2**62

    def event_rows_statement(self, with_previous: bool) -> str:
        e, h, p = self.events, self.hashes, self.position
        previous = (
            f"LEFT JOIN {h} b ON b.originator_id = e.originator_id "
            "AND b.originator_version = e.originator_version - 1 "
        )
        return (
            f"SELECT e.{p}, e.originator_id, e.originator_version, e.topic, e.state, "
            f"h.hash, h.position, {'b.hash' if with_previous else 'NULL'} "
            f"FROM {e} e LEFT JOIN {h} h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            f"{previous if with_previous else ''}"
            f"WHERE e.{p} > {self.mark} AND e.{p} <= {self.mark} ORDER BY e.{p} LIMIT {self.mark}"
        )

    @abstractmethod
    def read_hashes(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]:
        """The recorded hashes of these (stream, version) pairs, where there are any."""

    def plain_event_rows(self, after: int, upto: int, limit: int) -> list[EventRow]:
        """Events in (after, upto] in position order, without their hashes."""
        p, upto = self.position, min(upto, self.window_end(after, limit))
        rows = self.query(
            f"SELECT {p}, {self.id_text}, originator_version, topic, state FROM {self.events} "
            f"WHERE {p} > {self.mark} AND {p} <= {self.mark} ORDER BY {p} LIMIT {self.mark}",
            (after, upto, limit),
        )
        return [EventRow(r[0], stream_key(r[1]), r[2], r[3], bytes(r[4]), None, None, None) for r in rows]

    def read_link(self, stream: str, version: int) -> tuple[bytes, int] | None:
        """The hash recorded for a stream's version, and the position it was recorded at."""
        rows = self.query(
            f"SELECT hash, position FROM {self.hashes} "
            f"WHERE originator_id = {self.mark} AND originator_version = {self.mark}",
            (self.stream_param(stream), version),
        )
        return (bytes(rows[0][0]), int(rows[0][1])) if rows else None

    def hash_rows(self, after: int, upto: int) -> list[HashRow]:
        rows = self.query(
            f"SELECT position, {self.id_text}, originator_version, hash FROM {self.hashes} "
            f"WHERE position > {self.mark} AND position <= {self.mark} ORDER BY position",
            (after, upto),
        )
        return [_hash_row(row) for row in rows]

    def hash_count(self, after: int, upto: int) -> int:
        rows = self.query(
            f"SELECT COUNT(*) FROM {self.hashes} WHERE position > {self.mark} AND position <= {self.mark}",
            (after, upto),
        )
        return int(rows[0][0])

    def stream_event_rows(self, stream: str) -> list[EventRow]:
        e, h, p = self.events, self.hashes, self.position
        rows = self.query(
            f"SELECT e.{p}, e.originator_id, e.originator_version, e.topic, e.state, "
            "h.hash, h.position, b.hash "
            f"FROM {e} e LEFT JOIN {h} h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            f"LEFT JOIN {h} b ON b.originator_id = e.originator_id "
            "AND b.originator_version = e.originator_version - 1 "
            f"WHERE e.originator_id = {self.mark} ORDER BY e.originator_version",
            (self.stream_param(stream),),
        )
        return [_event_row(row) for row in rows]

    def stream_hash_rows(self, stream: str) -> list[HashRow]:
        rows = self.query(
            f"SELECT position, originator_id, originator_version, hash FROM {self.hashes} "
            f"WHERE originator_id = {self.mark} ORDER BY originator_version",
            (self.stream_param(stream),),
        )
        return [_hash_row(row) for row in rows]

    def max_version(self, stream: str) -> int | None:
        rows = self.query(
            f"SELECT MAX(originator_version) FROM {self.events} WHERE originator_id = {self.mark}",
            (self.stream_param(stream),),
        )
        return rows[0][0] if rows else None

    def head(self) -> int:
        rows = self.query(f"SELECT MAX({self.position}) FROM {self.events}", ())
        return (rows[0][0] or 0) if rows else 0

    def checkpoints_after(self, after: int, limit: int = 100) -> list[Checkpoint]:
        rows = self.query(
            f"SELECT {CHECKPOINT_COLUMNS} FROM {self.checkpoints} "
            f"WHERE position > {self.mark} ORDER BY position LIMIT {self.mark}",
            (after, limit),
        )
        return [_checkpoint(row) for row in rows]

    def last_checkpoint(self, before: int | None = None) -> Checkpoint | None:
        """The last checkpoint, or the last one at a position below ``before``."""
        rows = self.query(
            f"SELECT {CHECKPOINT_COLUMNS} FROM {self.checkpoints} "
            f"WHERE position < {self.mark} ORDER BY position DESC LIMIT 1",
            (before if before is not None else 2**62,),
        )
        return _checkpoint(rows[0]) if rows else None

    mark = "?"
    id_text = "originator_id"
    hashes_by_range = False
    """Whether verification reads hash rows by position range, or probes one per event."""


class SQLiteAuditTables(AuditTables):
    mark = "?"
    position = "rowid"
    id_text = "originator_id"
    hashes_by_range = False

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.events = recorder.events_table_name
        self.hashes = HASHES_TABLE
        self.checkpoints = CHECKPOINTS_TABLE

    @staticmethod
    def create_statements() -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {HASHES_TABLE} (originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, position INTEGER NOT NULL, hash BLOB NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID",
            f"CREATE INDEX IF NOT EXISTS {HASHES_TABLE}_position ON {HASHES_TABLE} (position)",
            f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS_TABLE} (position INTEGER PRIMARY KEY, "
            "previous_position INTEGER NOT NULL UNIQUE, event_count INTEGER NOT NULL, runs TEXT NOT NULL, "
            "previous_hash BLOB NOT NULL, running_hash BLOB NOT NULL, sealed_at TEXT NOT NULL, "
            "key_id TEXT NOT NULL, signature BLOB NOT NULL)",
        ]

    def stream_param(self, stream: str) -> Any:
        try:
            return UUID(stream).hex
        except ValueError:
            return stream

    def write_links(self, cursor: Any, links: Sequence[Link]) -> None:
        cursor.executemany(
            f"INSERT INTO {HASHES_TABLE} VALUES (?,?,?,?)",
            [(self.stream_param(k.stream), k.version, k.position, k.hash) for k in links],
        )

    def lookup(self, cursor: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]:
        found = {}
        for stream, version in keys:
            cursor.execute(
                f"SELECT hash FROM {HASHES_TABLE} WHERE originator_id = ? AND originator_version = ?",
                (self.stream_param(stream), version),
            )
            row = cursor.fetchone()
            if row is not None:
                found[stream, version] = bytes(row[0])
        return found

    def read_hashes(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]:
        with self.datastore.transaction(commit=False) as cursor:
            return self.lookup(cursor, keys)

    def query(self, statement: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return list(cursor.fetchall())

    def insert_checkpoint(self, checkpoint: Checkpoint) -> bool:
        with self.datastore.transaction(commit=True) as cursor:
            statement = f"INSERT OR IGNORE INTO {CHECKPOINTS_TABLE} ({CHECKPOINT_COLUMNS}) VALUES "
            cursor.execute(statement + "(?,?,?,?,?,?,?,?,?)", _checkpoint_params(checkpoint))
            inserted: bool = cursor.sqlite_cursor.rowcount == 1
        return inserted


class PostgresAuditTables(AuditTables):
    mark = "%s"
    position = "notification_id"
    id_text = "originator_id::text"
    hashes_by_range = True

    def __init__(self, recorder: Any) -> None:
        self.datastore: PostgresDatastore = recorder.datastore
        schema = self.datastore.schema
        self.id_type = self.datastore.originator_id_type
        self.events = f'"{schema}"."{recorder.events_table_name}"'
        self.hashes = f'"{schema}"."{HASHES_TABLE}"'
        self.checkpoints = f'"{schema}"."{CHECKPOINTS_TABLE}"'

    @staticmethod
    def create_statements(schema: str, id_type: str) -> list[Composed]:
        hashes, checkpoints = Identifier(schema, HASHES_TABLE), Identifier(schema, CHECKPOINTS_TABLE)
        return [
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (originator_id {1} NOT NULL, "
                "originator_version bigint NOT NULL, position bigint NOT NULL, hash bytea NOT NULL, "
                "PRIMARY KEY (originator_id, originator_version))"
            ).format(hashes, SQL(id_type)),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (position)").format(
                Identifier(f"{HASHES_TABLE}_position"), hashes
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (position bigint PRIMARY KEY, "
                "previous_position bigint NOT NULL UNIQUE, event_count bigint NOT NULL, runs text NOT NULL, "
                "previous_hash bytea NOT NULL, running_hash bytea NOT NULL, sealed_at text NOT NULL, "
                "key_id text NOT NULL, signature bytea NOT NULL)"
            ).format(checkpoints),
        ]

    def event_rows_statement(self, with_previous: bool) -> str:
        """Lateral lookups (LIMIT 1 keeps the planner from flattening them), so that a batch
        costs index probes rather than a hash join over the whole hash table; the id as
        text, canonical already."""
        e, h = self.events, self.hashes
        previous = (
            f"LEFT JOIN LATERAL (SELECT hash FROM {h} WHERE originator_id = e.originator_id "
            "AND originator_version = e.originator_version - 1 LIMIT 1) b ON true "
        )
        return (
            "SELECT e.notification_id, e.originator_id::text, e.originator_version, e.topic, e.state, "
            f"h.hash, h.position, {'b.hash' if with_previous else 'NULL::bytea'} "
            f"FROM (SELECT * FROM {e} WHERE notification_id > %s "
            "AND notification_id <= %s ORDER BY notification_id LIMIT %s) e "
            f"LEFT JOIN LATERAL (SELECT hash, position FROM {h} WHERE originator_id = e.originator_id "
            "AND originator_version = e.originator_version LIMIT 1) h ON true "
            f"{previous if with_previous else ''}"
            "ORDER BY e.notification_id"
        )

    def read_hashes(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]:
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            return self.lookup(cursor, keys)

    def stream_param(self, stream: str) -> Any:
        if self.id_type != "uuid":
            return stream
        try:
            return UUID(stream)
        except ValueError:
            return UUID(int=0)  # no such stream

    def write_links(self, cursor: Any, links: Sequence[Link]) -> None:
        cursor.execute(
            f"INSERT INTO {self.hashes} (originator_id, originator_version, position, hash) "
            f"SELECT * FROM unnest(%s::{self.id_type}[], %s::bigint[], %s::bigint[], %s::bytea[])",
            (
                [self.stream_param(k.stream) for k in links],
                [k.version for k in links],
                [k.position for k in links],
                [k.hash for k in links],
            ),
        )

    def lookup(self, cursor: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]:
        with cursor.connection.cursor(row_factory=tuple_row) as tuples:
            tuples.execute(
                f"SELECT h.originator_id, h.originator_version, h.hash FROM {self.hashes} h "
                f"JOIN unnest(%s::{self.id_type}[], %s::bigint[]) AS k(id, version) "
                "ON h.originator_id = k.id AND h.originator_version = k.version",
                ([self.stream_param(s) for s, _ in keys], [v for _, v in keys]),
            )
            return {(stream_key(r[0]), r[1]): bytes(r[2]) for r in tuples.fetchall()}

    def query(self, statement: str, params: Sequence[Any]) -> list[Sequence[Any]]:
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as cursor,
        ):
            cursor.execute(statement.encode(), params)  # type: ignore[call-overload]
            return list(cursor.fetchall())

    def insert_checkpoint(self, checkpoint: Checkpoint) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.checkpoints} ({CHECKPOINT_COLUMNS}) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING".encode(),
                _checkpoint_params(checkpoint),
            )
            return cursor.rowcount == 1


def audit_tables(recorder: ApplicationRecorder) -> AuditTables:
    datastore = recorder.datastore  # type: ignore[attr-defined]
    if isinstance(datastore, PostgresDatastore):
        return PostgresAuditTables(recorder)
    return SQLiteAuditTables(recorder)
