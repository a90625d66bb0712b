"""One generation of one view's tables, and the units of work batches change them through.

Rows are read once, changed in memory, and written at the end of a batch (see
``infra.viewstore.batch``), with the batch's position, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from infra.database import Database
from infra.viewstore import positions
from infra.viewstore.cache import DELETED, MAX_KNOWN_ROWS, KeyFilter, TableRows
from infra.viewstore.positions import Generation
from infra.viewstore.statements import SQL_TYPES, Statement, decode, postgres_writes, sqlite_writes
from projections.events import EventRecord
from projections.rows import Key, Row, Rows, View


class ViewTables:
    """One generation of one view's tables."""

    def __init__(self, database: Database, view: View, generation: int, *, exclusive: bool = False) -> None:
        """``exclusive``: this process creates these tables empty and is their only
        writer (a rebuild), so rows it never wrote do not exist."""
        self.database = database
        self.view = view
        self.generation = generation
        self.exclusive = exclusive
        self.key: Generation = (view.name, generation)
        self.tables = {t.name: t for t in view.tables}
        self.cursor: Any | None = None
        """Set while a batch reads and writes in one transaction."""
        self.batches: int | None = None
        """The view's batch count after this process's last batch (None: unknown), so
        what it remembers of the rows holds only while the count is still that."""
        evicted = KeyFilter() if exclusive else None
        self.rows_of = {t.name: TableRows(t, self.name(t.name), evicted) for t in view.tables}

    def name(self, table: str) -> str:
        return f"{self.database.prefix}view_{self.view.name}_{table}_g{self.generation}"

    def create(self, *, indexes: bool = True) -> None:
        """Creates the tables, at position 0; their secondary ``indexes`` too unless told
        to wait (a rebuild builds them once filled: faster than row by row)."""
        types = SQL_TYPES[self.database.dialect]
        positions.create_positions_table(self.database)
        with self.database.transaction(commit=True) as cursor:
            positions.start(cursor, self.database, self.key)
            for table in self.view.tables:
                columns = ", ".join(f"{c} {types[t]}" for c, t in table.columns.items())
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.name(table.name)} "
                    f"({columns}, PRIMARY KEY ({', '.join(table.key)}))"
                )
        if indexes:
            self.create_indexes()

    def create_indexes(self) -> None:
        with self.database.transaction(commit=True) as cursor:
            for table in self.view.tables:
                for n, index in enumerate(table.indexes):
                    index_name = f"view_{self.view.name}_{table.name}_g{self.generation}_i{n}"
                    cursor.execute(
                        f"CREATE INDEX IF NOT EXISTS {index_name} "
                        f"ON {self.name(table.name)} ({', '.join(index)})"
                    )

    def drop(self) -> None:
        """Drops the tables and their position (so that tables made again under this
        generation start from the first event, even after a failed rebuild)."""
        with self.database.transaction(commit=True) as cursor:
            # A write first: SQLite cannot turn a transaction that has only read (tables
            # absent) into a writing one after another connection's commit.
            positions.forget(cursor, self.database, self.key)
            for table in self.view.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name(table.name)}")

    def position(self) -> int:
        return positions.read(self.database, [self.key]).get(self.key, 0)

    def handle(self, events: list[EventRecord]) -> UnitOfWork:
        """The changes the view makes for these events, not yet written."""
        work = UnitOfWork(self)
        handle, wanted = self.view.handle, self.view.events
        for event in events:
            if event.type in wanted:
                handle(event, work)
        return work

    def load(self, table: TableRows, key: Key) -> Row:
        """A committed row from the database, or ``DELETED``."""
        if table.certainly_absent(key):
            row = DELETED
        else:
            where = " AND ".join(f"{c} = ?" for c in table.spec.key)
            statement = f"SELECT * FROM {table.sql_name} WHERE {where}"
            found = self.database.query(statement, key, cursor=self.cursor)
            row = decode(table.spec, found[0]) if found else DELETED
        table.known[key] = row
        return row

    def handle_reading_ahead(self, events: list[EventRecord]) -> UnitOfWork:
        """``handle``, reading the rows the events read that this process does not know
        in one statement a table rather than one a row. The handlers run first as though
        those rows were absent, noting their keys; if the database has none of them
        either, that pass is the batch's; otherwise (or if a handler failed) they run
        again with the rows read."""
        probe = Probe(self)
        handle, wanted = self.view.handle, self.view.events
        failed = False
        for event in events:
            if event.type in wanted:
                try:
                    handle(event, probe)
                except Exception:  # perhaps for a row the probe lacks; the real pass reads it
                    failed = True
        found = False
        for name, keys in probe.missing.items():
            if keys:
                table = self.rows_of[name]
                self.load_many(table, list(keys))
                found = found or any(table.known[key] is not DELETED for key in keys)
        if failed or found:
            return self.handle(events)
        work = UnitOfWork(self)
        work.changes = probe.changes
        return work

    def prefetch(self, table: str, keys: Iterable[Key]) -> None:
        """Reads at once the rows of these keys this process does not know (one
        statement, not one a key)."""
        rows = self.rows_of[table]
        unknown = [key for key in set(keys) if rows.cached(key) is None]
        if unknown:
            self.load_many(rows, unknown)

    def load_many(self, table: TableRows, keys: list[Key]) -> None:
        """Committed rows (or their absence) for these keys, read together: PostgreSQL
        takes each key column as an array, SQLite all the keys as one JSON array."""
        absent = [key for key in keys if table.certainly_absent(key)]
        if absent:
            keys = [key for key in keys if not table.certainly_absent(key)]
            table.known.update(dict.fromkeys(absent, DELETED))
        if not keys:
            return
        spec = table.spec
        if self.database.dialect == "postgres":
            types = SQL_TYPES["postgres"]
            arrays = ", ".join(f"%b::{types[spec.columns[c]]}[]" for c in spec.key)
            where = f"({', '.join(spec.key)}) IN (SELECT * FROM unnest({arrays}))"
            params: list[Any] = [list(column) for column in zip(*keys, strict=True)]
        else:
            columns = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(len(spec.key)))
            where = f"({', '.join(spec.key)}) IN (SELECT {columns} FROM json_each(?))"
            params = [orjson.dumps(keys).decode()]
        found = self.database.query(
            f"SELECT * FROM {table.sql_name} WHERE {where}", params, cursor=self.cursor
        )
        for key in keys:
            table.known[key] = DELETED
        for row in found:
            decoded = decode(spec, row)
            table.known[table.key_of(decoded)] = decoded

    def remember(self, work: UnitOfWork) -> None:
        for name, changes in work.changes.items():
            self.rows_of[name].known.update(changes)
        if sum(len(t.known) for t in self.rows_of.values()) > MAX_KNOWN_ROWS // 2:
            for table in self.rows_of.values():
                table.age()

    def forget(self) -> None:
        for table in self.rows_of.values():
            table.forget()

    def rows(self, table: str) -> list[Row]:
        """Every row of a table, in key order (for digests and tests)."""
        spec = self.tables[table]
        rows = self.database.query(f"SELECT * FROM {self.name(table)} ORDER BY {', '.join(spec.key)}")
        return [decode(spec, row) for row in rows]


class Probe(Rows):
    """Rows that note the keys a handler asks for and this process does not know, as
    though absent, and change nothing that lasts (a first pass over a batch, for
    ``handle_reading_ahead``)."""

    def __init__(self, tables: ViewTables) -> None:
        self.tables = tables
        self.changes: dict[str, dict[Key, Row]] = {name: {} for name in tables.tables}
        self.missing: dict[str, set[Key]] = {name: set() for name in tables.tables}

    def get(self, table: str, key: Key) -> Row | None:
        row = self.changes[table].get(key)
        if row is None:
            row = self.tables.rows_of[table].cached(key)
            if row is None:
                self.missing[table].add(key)
                return None
        return None if row is DELETED else row

    def put(self, table: str, row: Row) -> None:
        self.changes[table][self.tables.rows_of[table].key_of(row)] = row

    def delete(self, table: str, key: Key) -> None:
        self.changes[table][key] = DELETED


class UnitOfWork(Rows):
    """The changes of one batch, kept in memory and written at the end."""

    def __init__(self, tables: ViewTables) -> None:
        self.tables = tables
        self.changes: dict[str, dict[Key, Row]] = {name: {} for name in tables.tables}

    def get(self, table: str, key: Key) -> Row | None:
        row = self.changes[table].get(key)
        if row is None:
            rows = self.tables.rows_of[table]
            row = rows.cached(key)
            if row is None:
                row = self.tables.load(rows, key)
        return None if row is DELETED else row

    def put(self, table: str, row: Row) -> None:
        self.changes[table][self.tables.rows_of[table].key_of(row)] = row

    def delete(self, table: str, key: Key) -> None:
        self.changes[table][key] = DELETED

    def statements(self) -> list[Statement]:
        """The SQL that writes this batch's changes."""
        statements: list[Statement] = []
        for name, changes in self.changes.items():
            if changes:
                rows = self.tables.rows_of[name]
                # PostgreSQL copies new rows in, far faster than an upsert; in SQLite,
                # in-process, the conflict check costs less than telling them apart.
                if self.tables.database.dialect == "postgres":
                    statements += postgres_writes(rows, rows.writes(changes, new_apart=True))
                else:
                    statements += sqlite_writes(rows, rows.writes(changes, new_apart=False))
        return statements
