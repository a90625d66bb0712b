"""The audit tables in the SQLite store's file.

Links are written through the cursor of the transaction that records their
events, so they commit with the events or not at all; the hash table's key is
(stream, version), so a version is hashed once. A checkpoint is inserted or
ignored in a transaction of its own: of two sealers racing for a position, one
inserts. Stream ids are stored as the events' are, uuids in hex.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from infra.audit.chain import Link
from infra.audit.checkpoint import Checkpoint
from infra.audit.queries import AuditTables
from infra.audit.rows import CHECKPOINT_COLUMNS, CHECKPOINTS_TABLE, HASHES_TABLE, checkpoint_params


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
            cursor.execute(statement + "(?,?,?,?,?,?,?,?,?)", checkpoint_params(checkpoint))
            inserted: bool = cursor.sqlite_cursor.rowcount == 1
        return inserted
