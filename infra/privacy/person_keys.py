"""``person_keys``: each person's data key, wrapped with the master key, beside the events.

Keys are written and destroyed only in the transactions that record events: a
person's first event brings its new key, and ``Person.Erased`` its deletion
(each as a ``KeyChange`` on the stored event, which the recorder applies with
the events). So a key never outlives a recorded erasure, and an event never
refers to a key that was not committed with it.

Every row names the master key that wrapped it (``master_key_id``), so that a
process given another master key stops at once with a clear message rather
than failing on the first person it reads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from infra.privacy.crypto import master_key_id, new_data_key, unwrap, wrap
from infra.settings import SettingsError

KEYS_TABLE = "person_keys"


@dataclass(frozen=True)
class KeyChange:
    """A data key to record with an event, or (``wrapped`` None) to destroy with it."""

    person_id: str
    wrapped: bytes | None = None
    master_key_id: str = ""


@dataclass(frozen=True)
class KeyedStoredEvent(StoredEvent):
    """A stored event that brings a change to its person's key."""

    key_change: KeyChange | None = None


def key_changes(stored_events: Sequence[StoredEvent]) -> list[KeyChange]:
    return [e.key_change for e in stored_events if isinstance(e, KeyedStoredEvent) and e.key_change]


class PersonKeyTable(ABC):
    @abstractmethod
    def find(self, person_id: str) -> tuple[str, bytes] | None:
        """The master key id and wrapped key of a person, if the key exists."""

    @abstractmethod
    def any_master_key_id(self) -> str | None:
        """The master key id of one row (all are wrapped by one master key), if any."""

    @abstractmethod
    def write(self, cursor: Any, stored_events: Sequence[StoredEvent]) -> None:
        """Applies the events' key changes, in the transaction that records them."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


class SQLitePersonKeys(PersonKeyTable):
    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore

    @staticmethod
    def create_statements() -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} (person_id TEXT PRIMARY KEY, "
            "master_key_id TEXT NOT NULL, wrapped_key BLOB NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID"
        ]

    def find(self, person_id: str) -> tuple[str, bytes] | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT master_key_id, wrapped_key FROM {KEYS_TABLE} WHERE person_id = ?", (person_id,)
            )
            row = cursor.fetchone()
        return (row[0], bytes(row[1])) if row is not None else None

    def any_master_key_id(self) -> str | None:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT master_key_id FROM {KEYS_TABLE} LIMIT 1")
            row = cursor.fetchone()
        return str(row[0]) if row is not None else None

    def write(self, cursor: Any, stored_events: Sequence[StoredEvent]) -> None:
        changes = key_changes(stored_events)
        new = [(c.person_id, c.master_key_id, c.wrapped, _now()) for c in changes if c.wrapped]
        gone = [(c.person_id,) for c in changes if c.wrapped is None]
        if new:
            cursor.executemany(f"INSERT INTO {KEYS_TABLE} VALUES (?, ?, ?, ?)", new)
        if gone:
            # The deleted rows' bytes are overwritten rather than left in a free page (this
            # connection's other deletes keep the default).
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.executemany(f"DELETE FROM {KEYS_TABLE} WHERE person_id = ?", gone)
            cursor.execute("PRAGMA secure_delete = OFF")


class PostgresPersonKeys(PersonKeyTable):
    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore
        self.table = Identifier(datastore.schema, KEYS_TABLE)

    @staticmethod
    def create_statements(schema: str) -> list[Composed]:
        return [
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (person_id text PRIMARY KEY, master_key_id text NOT NULL, "
                "wrapped_key bytea NOT NULL, created_at text NOT NULL)"
            ).format(Identifier(schema, KEYS_TABLE))
        ]

    def _one(self, statement: Composed, params: Sequence[Any]) -> tuple[Any, ...] | None:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()

    def find(self, person_id: str) -> tuple[str, bytes] | None:
        row = self._one(
            SQL("SELECT master_key_id, wrapped_key FROM {0} WHERE person_id = %s").format(self.table),
            (person_id,),
        )
        return (row[0], bytes(row[1])) if row is not None else None

    def any_master_key_id(self) -> str | None:
        row = self._one(SQL("SELECT master_key_id FROM {0} LIMIT 1").format(self.table), ())
        return str(row[0]) if row is not None else None

    def write(self, cursor: Any, stored_events: Sequence[StoredEvent]) -> None:
        changes = key_changes(stored_events)
        new = [(c.person_id, c.master_key_id, c.wrapped, _now()) for c in changes if c.wrapped]
        gone = [c.person_id for c in changes if c.wrapped is None]
        if new:
            cursor.executemany(SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s)").format(self.table), new)
        if gone:
            cursor.execute(SQL("DELETE FROM {0} WHERE person_id = ANY(%s)").format(self.table), (gone,))


class KeyRing:
    """The people's data keys, as the master key opens them. Nothing is cached: each
    read asks the table, so a key destroyed by another process is gone here too."""

    def __init__(self, master_key: bytes, table: PersonKeyTable) -> None:
        self.master_key = master_key
        self.master_key_id = master_key_id(master_key)
        self.table = table

    def check(self) -> None:
        """Stops with a settings error when the keys in the store were wrapped by another master key."""
        stored = self.table.any_master_key_id()
        if stored is not None and stored != self.master_key_id:
            raise SettingsError(
                "GONGZHI_MASTER_KEY is not the master key of this store: its person keys were wrapped "
                f"by master key {stored}, and this one is {self.master_key_id}"
            )

    def data_key(self, person_id: str) -> bytes | None:
        """The person's data key; None once it was destroyed (the person was erased)."""
        found = self.table.find(person_id)
        if found is None:
            return None
        wrapped_by, wrapped = found
        if wrapped_by != self.master_key_id:
            raise SettingsError(
                f"GONGZHI_MASTER_KEY is not the master key that wrapped the key of person {person_id}"
            )
        return unwrap(self.master_key, person_id, wrapped)

    def new_key(self, person_id: str) -> tuple[bytes, KeyChange]:
        """A fresh data key, and the change that records it with the person's first event."""
        key = new_data_key()
        return key, KeyChange(person_id, wrap(self.master_key, person_id, key), self.master_key_id)


def person_id_text(originator_id: UUID | str) -> str:
    return str(originator_id) if isinstance(originator_id, UUID) else str(UUID(originator_id))
