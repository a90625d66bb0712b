"""The audit tables in the PostgreSQL store's schema.

Links are written in one statement (arrays unnested) through the cursor of the
transaction that records their events, so they commit with the events or not at
all; the hash table's key is (stream, version), so a version is hashed once. A
checkpoint is inserted, or left out on conflict, in a transaction of its own: of
two sealers racing for a position, one inserts. Reads take binary tuples, and a
batch of events finds its hashes by index probes (lateral lookups), never by a
join over the whole hash table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from infra.audit.chain import Link, stream_key
from infra.audit.checkpoint import Checkpoint
from infra.audit.queries import AuditTables
from infra.audit.rows import CHECKPOINT_COLUMNS, CHECKPOINTS_TABLE, HASHES_TABLE, checkpoint_params


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
                checkpoint_params(checkpoint),
            )
            return cursor.rowcount == 1
