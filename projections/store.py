"""SQL tables for the views, in the event store's own database.

Each view's tables exist in generations (``view_funds_ledger_g3``): the live
generation answers reads while a rebuild fills the next one, then a pointer
row swaps them in one transaction. A batch of events is applied through a
unit of work: rows are read once, changed in memory, and written with the
batch's tracking position in one transaction, so a view never shows half a
batch and a crash neither loses nor doubles an event.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, NamedTuple

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
"""About the most rows a view keeps in memory between batches (see ``TableRows``)."""


class Busy(Exception):
    """Another process holds the store-wide lock asked for."""


class Database:
    """The view tables' side of the store: SQLite or PostgreSQL."""

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore) -> None:
        self.datastore = datastore
        self.dialect = "postgres" if isinstance(datastore, PostgresDatastore) else "sqlite"
        self.tracking: TrackingRecorder
        if isinstance(datastore, PostgresDatastore):
            self.tracking = PostgresTrackingRecorder(datastore, tracking_table_name="view_tracking")
            self.prefix = f'"{datastore.schema}".'
            self.tracking_table = f"{self.prefix}view_tracking"
        else:
            self.tracking = SQLiteTrackingRecorder(datastore)
            self.prefix = ""
            self.tracking_table = "tracking"
        self.tracking.create_table()
        self.execute(
            f"CREATE TABLE IF NOT EXISTS {self.prefix}{GENERATIONS_TABLE} "
            "(view TEXT PRIMARY KEY, generation INTEGER NOT NULL)"
        )

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement

    @contextmanager
    def exclusively(self, name: str, busy: str) -> Iterator[None]:
        """Holds the store-wide lock ``name`` (one holder among every process on the
        store) or raises ``Busy(busy)``. PostgreSQL: a session advisory lock keyed by
        schema and name; SQLite: a lock file beside the database. Either goes with the
        process that holds it, however it ends."""
        datastore = self.datastore
        if isinstance(datastore, PostgresDatastore):
            key = f"gongzhi {name} {datastore.schema}"
            with datastore.get_connection() as connection:
                taken = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS taken", [key])
                if not (taken.fetchone() or {}).get("taken"):
                    raise Busy(busy)
                try:
                    yield
                finally:
                    connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
        elif datastore.pool.is_sqlite_memory_mode:
            yield  # one process only
        else:
            with open(f"{datastore.pool.db_name}.{name}.lock", "w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise Busy(busy) from None
                yield

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def execute(self, statement: str, params: Iterable[Any] = ()) -> None:
        with self.transaction(commit=True) as cursor:
            cursor.execute(self.sql(statement), tuple(params))

    def query(
        self, statement: str, params: Iterable[Any] = (), cursor: Any | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a query, in a transaction of its own or in the given cursor's."""
        if cursor is not None:
            cursor.execute(self.sql(statement), tuple(params))
            return [dict(row) for row in cursor.fetchall()]
        with self.transaction(commit=False) as own:
            own.execute(self.sql(statement), tuple(params))
            return [dict(row) for row in own.fetchall()]

    def table_name(self, view: str, table: str, generation: int) -> str:
        return f"{self.prefix}view_{view}_{table}_g{generation}"

    def live_generation(self, view: str) -> int | None:
        rows = self.query(f"SELECT generation FROM {self.prefix}{GENERATIONS_TABLE} WHERE view = ?", [view])
        return int(rows[0]["generation"]) if rows else None


class Statement(NamedTuple):
    sql: str
    params: Sequence[Any]
    many: bool = False
    """Run once per item of ``params`` (``executemany``)."""
    copy_types: Sequence[str] = ()
    """The column types of a PostgreSQL ``COPY … FROM STDIN``, whose rows are ``params``."""

    def run(self, cursor: Any) -> None:
        if self.copy_types:
            with cursor.copy(self.sql) as copy:
                copy.set_types(self.copy_types)
                for row in self.params:
                    copy.write_row(row)
        elif self.many:
            cursor.executemany(self.sql, self.params)
        else:
            cursor.execute(self.sql, self.params)


class KeyFilter:
    """A Bloom filter of keys in fixed memory, one bit per key: "certainly never
    added" or "perhaps" (about one key in a hundred per million added)."""

    def __init__(self, bits: int = 1 << 26) -> None:
        self.mask = bits - 1
        self.bits = bytearray(bits // 8)

    def add(self, key: Hashable) -> None:
        bit = hash(key) & self.mask
        self.bits[bit >> 3] |= 1 << (bit & 7)

    def __contains__(self, key: Hashable) -> bool:
        bit = hash(key) & self.mask
        return bool(self.bits[bit >> 3] & (1 << (bit & 7)))


def _getter(columns: Sequence[str]) -> Callable[[Row], tuple[Any, ...]]:
    """Reads these columns of a row as a tuple (itemgetter, always a tuple)."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)


class Writes(NamedTuple):
    """One table's changes in a batch, as column values (``inserts``: rows the
    table certainly lacks; ``upserts``: rows it may hold) and keys."""

    inserts: list[tuple[Any, ...]]
    upserts: list[tuple[Any, ...]]
    deletes: list[Key]


class TableRows:
    """What one process knows of one table of one generation, between batches.

    Rows as last committed (``_DELETED`` for keys known to be absent) are kept in
    two generations so that a busy view reads each row once while memory stays
    bounded: rows go into ``known``; when the view holds too many, ``known``
    becomes ``older`` and the previous ``older`` is forgotten, and a row found in
    ``older`` moves back into ``known``. Rows in use every batch (a fund's
    totals) thus stay, and rows written once (a ledger line) go.

    A table this process created empty and alone writes (a rebuild's) is
    *complete*: a key never committed is absent without asking the database, and
    the keys of forgotten rows go to a Bloom filter so that only they are looked
    up again.
    """

    def __init__(self, spec: Table, sql_name: str, evicted: KeyFilter | None) -> None:
        self.spec = spec
        self.sql_name = sql_name
        self.key_of = _getter(spec.key)
        self.values_of = _getter(list(spec.columns))
        self.json_columns = [n for n, kind in enumerate(spec.columns.values()) if kind == "json"]
        self.known: dict[Key, Row] = {}
        self.older: dict[Key, Row] = {}
        self.evicted = evicted

    def cached(self, key: Key) -> Row | None:
        """The row as this process knows it (``_DELETED`` if absent), or None if it does not."""
        row = self.known.get(key)
        if row is None and self.older:
            row = self.older.pop(key, None)
            if row is not None:
                self.known[key] = row
        return row

    def age(self) -> None:
        """Forgets the rows not used since the last time, and starts a new generation."""
        self._evict(self.older)
        self.older, self.known = self.known, {}

    def forget(self) -> None:
        self._evict(self.older)
        self._evict(self.known)
        self.older, self.known = {}, {}

    def _evict(self, rows: dict[Key, Row]) -> None:
        if self.evicted is not None:
            add, name = self.evicted.add, self.spec.name
            for key, row in rows.items():
                if row is not _DELETED:
                    add((name, key))

    def certainly_absent(self, key: Key) -> bool:
        return self.evicted is not None and (self.spec.name, key) not in self.evicted

    def writes(self, changes: dict[Key, Row], *, new_apart: bool) -> Writes:
        """A batch's changes to this table: rows to insert or replace, keys to delete,
        and, set apart if asked, the rows the database certainly lacks (to insert
        without a conflict check)."""
        deletes = [key for key, row in changes.items() if row is _DELETED]
        if self.evicted is None or not new_apart:
            return Writes([], [self.encode(row) for row in changes.values() if row is not _DELETED], deletes)
        inserts: list[tuple[Any, ...]] = []
        upserts: list[tuple[Any, ...]] = []
        for key, row in changes.items():
            if row is not _DELETED:
                committed = self.known.get(key)
                if committed is None:
                    committed = self.older.get(key)
                new = committed is _DELETED if committed is not None else self.certainly_absent(key)
                (inserts if new else upserts).append(self.encode(row))
        return Writes(inserts, upserts, deletes)

    def encode(self, row: Row) -> tuple[Any, ...]:
        values = self.values_of(row)
        if not self.json_columns:
            return values
        encoded = list(values)
        for n in self.json_columns:
            if encoded[n] is not None:
                encoded[n] = orjson.dumps(encoded[n]).decode()
        return tuple(encoded)


class ViewTables:
    """One generation of one view's tables."""

    def __init__(self, database: Database, view: View, generation: int, *, exclusive: bool = False) -> None:
        """``exclusive``: this process creates these tables empty and is their only
        writer (a rebuild), so rows it never wrote do not exist."""
        self.database = database
        self.view = view
        self.generation = generation
        self.tracking_name = f"{view.name}@{generation}"
        self.tables = {t.name: t for t in view.tables}
        self.cursor: Any | None = None
        """Set while a batch reads and writes in one transaction (several writers)."""
        evicted = KeyFilter() if exclusive else None
        self.rows_of = {t.name: TableRows(t, self.name(t.name), evicted) for t in view.tables}

    def name(self, table: str) -> str:
        return self.database.table_name(self.view.name, table, self.generation)

    def create(self, *, indexes: bool = True) -> None:
        """Creates the tables; their secondary ``indexes`` too unless told to wait (a
        rebuild builds them once filled: faster than keeping them up row by row)."""
        types = _SQL_TYPES[self.database.dialect]
        with self.database.transaction(commit=True) as cursor:
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
        """Drops the tables and forgets their position (so that tables made again under
        this generation start from the first event, even after a failed rebuild)."""
        with self.database.transaction(commit=True) as cursor:
            # A write first: SQLite cannot turn a transaction that has only read (tables
            # absent) into a writing one after another connection's commit.
            cursor.execute(
                self.database.sql(f"DELETE FROM {self.database.tracking_table} WHERE application_name = ?"),
                (self.tracking_name,),
            )
            for table in self.view.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name(table.name)}")

    def position(self) -> int:
        return self.database.tracking.max_tracking_id(self.tracking_name) or 0

    def handle(self, events: list[EventRecord]) -> UnitOfWork:
        """The changes the view makes for these events, not yet written."""
        work = UnitOfWork(self)
        handle, wanted = self.view.handle, self.view.events
        for event in events:
            if event.type in wanted:
                handle(event, work)
        return work

    def apply(self, events: list[EventRecord]) -> None:
        """Applies a batch of events and records its last position, atomically."""
        if events:
            apply_together([self.handle(events)], events[-1].position)

    def load(self, table: TableRows, key: Key) -> Row:
        """A committed row from the database, or ``_DELETED``."""
        if table.certainly_absent(key):
            row = _DELETED
        else:
            where = " AND ".join(f"{c} = ?" for c in table.spec.key)
            statement = f"SELECT * FROM {table.sql_name} WHERE {where}"
            found = self.database.query(statement, key, cursor=self.cursor)
            row = decode(table.spec, found[0]) if found else _DELETED
        table.known[key] = row
        return row

    def handle_reading_ahead(self, events: list[EventRecord]) -> UnitOfWork:
        """``handle``, reading the rows the events read that this process does not know
        in one statement a table rather than one a row. The handlers run first as though
        those rows were absent, noting their keys; if the database has none of them
        either, that pass is the batch's; otherwise (or if a handler failed) they run
        again with the rows read."""
        probe = _Probe(self)
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
                found = found or any(table.known[key] is not _DELETED for key in keys)
        if failed or found:
            return self.handle(events)
        work = UnitOfWork(self)
        work.changes = probe.changes
        return work

    def load_many(self, table: TableRows, keys: list[Key]) -> None:
        """Committed rows (or their absence) for these keys, read together: PostgreSQL
        takes each key column as an array, SQLite all the keys as one JSON array."""
        absent = [key for key in keys if table.certainly_absent(key)]
        if absent:
            keys = [key for key in keys if not table.certainly_absent(key)]
            table.known.update(dict.fromkeys(absent, _DELETED))
        if not keys:
            return
        spec = table.spec
        if self.database.dialect == "postgres":
            types = _SQL_TYPES["postgres"]
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
            table.known[key] = _DELETED
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


def write_together(database: Database, batch: list[tuple[str, list[Statement]]], position: int) -> None:
    """Runs several views' statements for one batch, and records each view's new
    position, in one transaction."""
    with database.transaction(commit=True) as cursor:
        for tracking_name, statements in batch:
            for statement in statements:
                statement.run(cursor)
            database.tracking._insert_tracking(  # type: ignore[attr-defined]
                cursor, Tracking(tracking_name, position)
            )


def prepared(works: Sequence[UnitOfWork]) -> list[tuple[str, list[Statement]]]:
    return [(work.tables.tracking_name, work.statements()) for work in works]


def apply_together(works: Sequence[UnitOfWork], position: int) -> None:
    """Writes a batch (see ``write_together``); on failure every view forgets what it
    knew of its rows, as they may differ from what it expected."""
    if not works:
        return
    try:
        write_together(works[0].tables.database, prepared(works), position)
    except BaseException:
        for work in works:
            work.tables.forget()
        raise
    for work in works:
        work.tables.remember(work)


def decode(table: Table, row: dict[str, Any]) -> Row:
    for column, kind in table.columns.items():
        if kind == "json" and row.get(column) is not None:
            row[column] = orjson.loads(row[column])
    return row


class _Probe(Rows):
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
        return None if row is _DELETED else row

    def put(self, table: str, row: Row) -> None:
        self.changes[table][self.tables.rows_of[table].key_of(row)] = row

    def delete(self, table: str, key: Key) -> None:
        self.changes[table][key] = _DELETED


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
        return None if row is _DELETED else row

    def put(self, table: str, row: Row) -> None:
        self.changes[table][self.tables.rows_of[table].key_of(row)] = row

    def delete(self, table: str, key: Key) -> None:
        self.changes[table][key] = _DELETED

    def statements(self) -> list[Statement]:
        """The SQL that writes this batch's changes."""
        statements: list[Statement] = []
        for name, changes in self.changes.items():
            if changes:
                rows = self.tables.rows_of[name]
                # PostgreSQL copies new rows in, far faster than an upsert; in SQLite,
                # in-process, the conflict check costs less than telling them apart.
                if self.tables.database.dialect == "postgres":
                    statements += _arrays(rows, rows.writes(changes, new_apart=True))
                else:
                    statements += _rows(rows, rows.writes(changes, new_apart=False))
        return statements


def _upsert(table: TableRows) -> str:
    """``ON CONFLICT`` clause replacing the whole row."""
    updates = [c for c in table.spec.columns if c not in table.spec.key]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in updates) if updates else "DO NOTHING"
    return f"ON CONFLICT ({', '.join(table.spec.key)}) {action}"


def _rows(table: TableRows, writes: Writes) -> list[Statement]:
    """SQLite: one prepared statement run for each row (in-process, so cheap)."""
    spec, statements = table.spec, []
    if writes.deletes:
        where = " AND ".join(f"{c} = ?" for c in spec.key)
        statements.append(Statement(f"DELETE FROM {table.sql_name} WHERE {where}", writes.deletes, many=True))
    rows = [*writes.inserts, *writes.upserts]
    if rows:
        columns, values = ", ".join(spec.columns), ", ".join("?" for _ in spec.columns)
        insert = f"INSERT INTO {table.sql_name} ({columns}) VALUES ({values}) {_upsert(table)}"
        statements.append(Statement(insert, rows, many=True))
    return statements


def _arrays(table: TableRows, writes: Writes) -> list[Statement]:
    """PostgreSQL: new rows are copied in (binary); for the others, each column is sent
    as one array (binary), so that a batch of rows is one statement, not a round trip
    per row."""
    spec, types, statements = table.spec, _SQL_TYPES["postgres"], []
    if writes.deletes:
        arrays = ", ".join(f"%b::{types[spec.columns[c]]}[]" for c in spec.key)
        statements.append(
            Statement(
                f"DELETE FROM {table.sql_name} WHERE ({', '.join(spec.key)}) IN "
                f"(SELECT * FROM unnest({arrays}))",
                [list(column) for column in zip(*writes.deletes, strict=True)],
            )
        )
    if writes.inserts:
        statements.append(
            Statement(
                f"COPY {table.sql_name} ({', '.join(spec.columns)}) FROM STDIN (FORMAT BINARY)",
                writes.inserts,
                copy_types=[types[kind].lower() for kind in spec.columns.values()],
            )
        )
    if writes.upserts:
        arrays = ", ".join(f"%b::{types[kind]}[]" for kind in spec.columns.values())
        statements.append(
            Statement(
                f"INSERT INTO {table.sql_name} ({', '.join(spec.columns)}) "
                f"SELECT * FROM unnest({arrays}) {_upsert(table)}",
                [list(column) for column in zip(*writes.upserts, strict=True)],
            )
        )
    return statements
