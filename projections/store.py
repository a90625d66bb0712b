"""SQL tables for the views, in the event store's own database.

Each view's tables exist in generations (``view_funds_ledger_g3``): the live
generation answers reads while a rebuild fills the next one, then a pointer
row swaps them in one transaction. A batch of events is applied through a
unit of work: rows are read once, changed in memory, and written with the
batch's tracking position in one transaction, so a view never shows half a
batch and a crash neither loses nor doubles an event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from projections.events import EventRecord
from projections.rows import Key, Row, Rows, Table, View

_DELETED: Row = {}
_SQL_TYPES = {
    "sqlite": {"text": "TEXT", "integer": "INTEGER", "json": "TEXT"},
    "postgres": {"text": "TEXT", "integer": "BIGINT", "json": "TEXT"},
}
GENERATIONS_TABLE = "view_generations"
MAX_KNOWN_ROWS = 20_000


class Database:
    """The view tables' side of the store: SQLite or PostgreSQL."""

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore) -> None:
        self.datastore = datastore
        self.dialect = "postgres" if isinstance(datastore, PostgresDatastore) else "sqlite"
        self.tracking: TrackingRecorder
        if isinstance(datastore, PostgresDatastore):
            self.tracking = PostgresTrackingRecorder(datastore, tracking_table_name="view_tracking")
            self.prefix = f'"{datastore.schema}".'
        else:
            self.tracking = SQLiteTrackingRecorder(datastore)
            self.prefix = ""
        self.tracking.create_table()
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.prefix}{GENERATIONS_TABLE} "
            "(view TEXT PRIMARY KEY, generation INTEGER NOT NULL)"
        )

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def execute(self, statement: str, params: Iterable[Any] = ()) -> None:
        with self.transaction(commit=True) as cursor:
            cursor.execute(self.sql(statement), tuple(params))

    def query(self, statement: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self.transaction(commit=False) as cursor:
            cursor.execute(self.sql(statement), tuple(params))
            return [dict(row) for row in cursor.fetchall()]

    def table_name(self, view: str, table: str, generation: int) -> str:
        return f"{self.prefix}view_{view}_{table}_g{generation}"

    def live_generation(self, view: str) -> int | None:
        rows = self.query(f"SELECT generation FROM {self.prefix}{GENERATIONS_TABLE} WHERE view = ?", [view])
        return int(rows[0]["generation"]) if rows else None


class ViewTables:
    """One generation of one view's tables."""

    def __init__(self, database: Database, view: View, generation: int) -> None:
        self.database = database
        self.view = view
        self.generation = generation
        self.tracking_name = f"{view.name}@{generation}"
        self.tables = {t.name: t for t in view.tables}
        # Rows as last written, kept between batches so that a busy view reads
        # each row once; emptied when full (bounded memory) or after a failure.
        self.known: dict[str, dict[Key, Row]] = {t.name: {} for t in view.tables}

    def name(self, table: str) -> str:
        return self.database.table_name(self.view.name, table, self.generation)

    def create(self) -> None:
        types = _SQL_TYPES[self.database.dialect]
        with self.database.transaction(commit=True) as cursor:
            for table in self.view.tables:
                columns = ", ".join(f"{c} {types[t]}" for c, t in table.columns.items())
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.name(table.name)} "
                    f"({columns}, PRIMARY KEY ({', '.join(table.key)}))"
                )
                for n, index in enumerate(table.indexes):
                    index_name = f"view_{self.view.name}_{table.name}_g{self.generation}_i{n}"
                    cursor.execute(
                        f"CREATE INDEX IF NOT EXISTS {index_name} "
                        f"ON {self.name(table.name)} ({', '.join(index)})"
                    )

    def drop(self) -> None:
        with self.database.transaction(commit=True) as cursor:
            for table in self.view.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name(table.name)}")

    def position(self) -> int:
        return self.database.tracking.max_tracking_id(self.tracking_name) or 0

    def apply(self, events: list[EventRecord]) -> None:
        """Applies a batch of events and records its last position, atomically."""
        if not events:
            return
        work = UnitOfWork(self)
        try:
            for event in events:
                self.view.handle(event, work)
            with self.database.transaction(commit=True) as cursor:
                work.flush(cursor)
                self.database.tracking._insert_tracking(  # type: ignore[attr-defined]
                    cursor, Tracking(self.tracking_name, events[-1].position)
                )
        except BaseException:
            self.forget()
            raise
        self.remember(work)

    def remember(self, work: UnitOfWork) -> None:
        for name, rows in work.cache.items():
            self.known[name].update(rows)
        if sum(map(len, self.known.values())) > MAX_KNOWN_ROWS:
            self.forget()

    def forget(self) -> None:
        self.known = {name: {} for name in self.tables}

    def rows(self, table: str) -> list[Row]:
        """Every row of a table, in key order (for digests and tests)."""
        spec = self.tables[table]
        rows = self.database.query(f"SELECT * FROM {self.name(table)} ORDER BY {', '.join(spec.key)}")
        return [decode(spec, row) for row in rows]


def decode(table: Table, row: dict[str, Any]) -> Row:
    for column, kind in table.columns.items():
        if kind == "json" and row.get(column) is not None:
            row[column] = orjson.loads(row[column])
    return row


def _encode(table: Table, row: Row) -> tuple[Any, ...]:
    return tuple(
        orjson.dumps(row[c]).decode() if kind == "json" and row[c] is not None else row[c]
        for c, kind in table.columns.items()
    )


class UnitOfWork(Rows):
    """Rows of one batch: read once, changed in memory, written at the end."""

    def __init__(self, tables: ViewTables) -> None:
        self.tables = tables
        self.cache: dict[str, dict[Key, Row]] = {name: {} for name in tables.tables}
        self.dirty: dict[str, set[Key]] = {name: set() for name in tables.tables}

    def get(self, table: str, key: Key) -> Row | None:
        cached = self.cache[table]
        if key not in cached and key in self.tables.known[table]:
            cached[key] = self.tables.known[table][key]
        if key not in cached:
            spec = self.tables.tables[table]
            where = " AND ".join(f"{c} = ?" for c in spec.key)
            found = self.tables.database.query(f"SELECT * FROM {self.tables.name(table)} WHERE {where}", key)
            cached[key] = decode(spec, found[0]) if found else _DELETED
        row = cached[key]
        return None if row is _DELETED else row

    def put(self, table: str, row: Row) -> None:
        key = tuple(row[c] for c in self.tables.tables[table].key)
        self.cache[table][key] = row
        self.dirty[table].add(key)

    def delete(self, table: str, key: Key) -> None:
        self.cache[table][key] = _DELETED
        self.dirty[table].add(key)

    def flush(self, cursor: Any) -> None:
        sql = self.tables.database.sql
        for name, keys in self.dirty.items():
            if not keys:
                continue
            spec = self.tables.tables[name]
            table = self.tables.name(name)
            upserts = [
                _encode(spec, self.cache[name][k]) for k in keys if self.cache[name][k] is not _DELETED
            ]
            deletes = [k for k in keys if self.cache[name][k] is _DELETED]
            if deletes:
                where = " AND ".join(f"{c} = ?" for c in spec.key)
                cursor.executemany(sql(f"DELETE FROM {table} WHERE {where}"), deletes)
            if upserts:
                columns = list(spec.columns)
                updates = [c for c in columns if c not in spec.key]
                conflict = (
                    "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates)
                    if updates
                    else "DO NOTHING"
                )
                cursor.executemany(
                    sql(
                        f"INSERT INTO {table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' for _ in columns)}) "
                        f"ON CONFLICT ({', '.join(spec.key)}) {conflict}"
                    ),
                    upserts,
                )
