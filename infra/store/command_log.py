"""Application recorders that remember idempotency keys with the events.

The key, the request's fingerprint and the command's result are written in
the same transaction as the events, so a crash can never leave events
without their key (a retry would record them twice) or a key without its
events. The store position of a remembered command is read back from the
events table, where it is the notification id of the command's last event.

The audit hashes are written in that transaction too, and so are the person
keys that the events make or destroy (``infra.privacy.person_keys``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import RecordConflictError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.context import IdempotencyClaim, RecordedCommand
from infra.audit.chain import Link
from infra.audit.postgres_tables import PostgresAuditTables
from infra.audit.recording import LINKS_KWARG, ChainWriter
from infra.audit.sqlite_tables import SQLiteAuditTables
from infra.privacy.person_keys import PostgresPersonKeys, SQLitePersonKeys
from infra.store.record_reading import PostgresRecordReading, SQLiteRecordReading

COMMAND_LOG_TABLE = "command_log"


def _log_row(claim: IdempotencyClaim, extra: dict[str, Any], last: StoredEvent) -> tuple[Any, ...]:
    return (
        claim.scope,
        claim.key,
        claim.fingerprint,
        _id_text(last.originator_id),
        last.originator_version,
        orjson.dumps(extra).decode(),
        datetime.now(UTC).isoformat(),
    )


def _id_text(originator_id: UUID | str) -> str:
    """As the SQLite recorder stores it (hex); PostgreSQL casts either form."""
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


Claims = list[tuple[IdempotencyClaim, dict[str, Any], StoredEvent]]


def _claims_of(kwargs: dict[str, Any]) -> Claims:
    """Each claim with the command's result and the last event it recorded."""
    claims: Claims = kwargs.get("idempotency") or []
    return claims


def _recorded(row: Any) -> RecordedCommand:
    return RecordedCommand(
        fingerprint=row["fingerprint"],
        aggregate_id=UUID(str(row["aggregate_id"])),
        version=row["version"],
        position=row["position"],
        extra=orjson.loads(row["extra"]),
    )


class _ChainCommitted:
    """Tells the hash chain which links were committed, once the events' transaction has."""

    chain: ChainWriter

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        links: list[Link] = []
        positions: Sequence[int] | None = super().insert_events(  # type: ignore[misc]
            stored_events, **{LINKS_KWARG: links, **kwargs}
        )
        self.chain.committed(links)
        return positions


class SQLiteCommandRecorder(_ChainCommitted, SQLiteRecordReading):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.find_command_statement = (
            "SELECT l.fingerprint, l.aggregate_id, l.version, l.extra, e.rowid AS position "
            f"FROM {COMMAND_LOG_TABLE} l JOIN {self.events_table_name} e "
            "ON e.originator_id = l.aggregate_id AND e.originator_version = l.version "
            "WHERE l.scope = ? AND l.key = ?"
        )
        self.chain = ChainWriter(SQLiteAuditTables(self))
        self.person_keys = SQLitePersonKeys(datastore)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *SQLiteAuditTables.create_statements(),
            *SQLitePersonKeys.create_statements(),
            f"CREATE TABLE IF NOT EXISTS {COMMAND_LOG_TABLE} ("
            "scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, extra TEXT NOT NULL, "
            "recorded_at TEXT NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        for claim in _claims_of(kwargs):
            c.execute(f"INSERT INTO {COMMAND_LOG_TABLE} VALUES (?,?,?,?,?,?,?)", _log_row(*claim))
        self.person_keys.write(c, stored_events)
        positions = super()._insert_events(c, stored_events, **kwargs)
        self.chain.record(c, stored_events, positions, **kwargs)
        return positions

    def find_command(self, scope: str, key: str) -> RecordedCommand | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.find_command_statement, (scope, key))
            row = c.fetchone()
        return _recorded(row) if row is not None else None


class PostgresCommandRecorder(_ChainCommitted, PostgresRecordReading):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        log_table = Identifier(self.datastore.schema, COMMAND_LOG_TABLE)
        events_table = Identifier(self.datastore.schema, self.events_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "scope text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, "
                "aggregate_id text NOT NULL, version bigint NOT NULL, extra text NOT NULL, "
                "recorded_at text NOT NULL, PRIMARY KEY (scope, key))"
            ).format(log_table)
        )
        self.claim_commands_statement = SQL(
            "INSERT INTO {0} SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::bigint[], %s::text[], %s::text[]) ON CONFLICT DO NOTHING RETURNING key"
        ).format(log_table)
        self.find_command_statement = SQL(
            "SELECT l.fingerprint, l.aggregate_id, l.version, l.extra, "
            "e.notification_id AS position FROM {0} l JOIN {1} e "
            "ON e.originator_id = l.aggregate_id::{2} AND e.originator_version = l.version "
            "WHERE l.scope = %s AND l.key = %s"
        ).format(log_table, events_table, SQL(self.datastore.originator_id_type))
        if self.datastore.enable_db_functions:
            raise ValueError("audit hashes need the plain insert path: unset POSTGRES_ENABLE_DB_FUNCTIONS")
        self.sql_create_statements.extend(
            PostgresAuditTables.create_statements(self.datastore.schema, self.datastore.originator_id_type)
        )
        self.chain = ChainWriter(PostgresAuditTables(self))
        self.sql_create_statements.extend(PostgresPersonKeys.create_statements(self.datastore.schema))
        self.person_keys = PostgresPersonKeys(self.datastore)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Still in the events' transaction (and under their table lock): the positions are known."""
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        with curs.connection.cursor() as cursor:
            self.chain.record(cursor, stored_events, positions, **kwargs)
        return positions

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        self._claim_commands(curs, _claims_of(kwargs))
        self.person_keys.write(curs, stored_events)

    def _claim_commands(self, curs: Cursor[DictRow], claims: Claims) -> None:
        """Writes the commands' keys, or refuses the transaction if one is taken.

        A key already taken is found by the insert's answer, not by a unique violation:
        an error inside psycopg's pipeline can leave the connection believing in a
        prepared statement the server never made. Every writer claims its keys under the
        events table's write lock, so nobody can take a key between the check and the
        commit."""
        if not claims:
            return
        self._lock_table(curs)
        columns = [list(column) for column in zip(*(_log_row(*claim) for claim in claims), strict=True)]
        curs.execute(self.claim_commands_statement, columns)
        if len(curs.fetchall()) < len(claims):
            raise RecordConflictError("an idempotency key of this transaction is already recorded")

    def find_command(self, scope: str, key: str) -> RecordedCommand | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.find_command_statement, (scope, key))
            row = curs.fetchone()
        return _recorded(row) if row is not None else None
