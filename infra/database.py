"""A handle on the store's database for what lives beside the events: the views,
API keys, offsets. SQLite or PostgreSQL, with ``?`` placeholders either way."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore


class Busy(Exception):
    """Another process holds the store-wide lock asked for."""


class Database:
    """SQL on the store's own database, in transactions of the store's datastore."""

    def __init__(self, datastore: SQLiteDatastore | PostgresDatastore) -> None:
        self.datastore = datastore
        self.dialect = "postgres" if isinstance(datastore, PostgresDatastore) else "sqlite"
        self.prefix = f'"{datastore.schema}".' if isinstance(datastore, PostgresDatastore) else ""

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement

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

    @contextmanager
    def exclusively(self, name: str, busy: str) -> Iterator[None]:
        """Holds the store-wide lock ``name`` (one holder among every process on the
        store) for the block, or raises ``Busy(busy)``."""
        lock = StoreLock(self, name)
        if not lock.try_take():
            raise Busy(busy)
        try:
            yield
        finally:
            lock.release()


class StoreLock:
    """A lock one process of all those on the store holds at a time, taken without
    waiting, that goes with its process however it ends. PostgreSQL: a session
    advisory lock keyed by schema and name, on a connection kept for as long as it is
    held; SQLite: a lock file beside the database."""

    def __init__(self, database: Database, name: str) -> None:
        self.database = database
        self.name = name
        self._held: ExitStack | None = None

    @property
    def held(self) -> bool:
        return self._held is not None

    def try_take(self) -> bool:
        if self._held is not None:
            return True
        held = ExitStack()
        datastore = self.database.datastore
        if isinstance(datastore, PostgresDatastore):
            connection = held.enter_context(datastore.get_connection())
            key = f"gongzhi {self.name} {datastore.schema}"
            row = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS taken", [key]).fetchone()
            if not (row or {}).get("taken"):
                held.close()
                return False
            held.callback(connection.execute, "SELECT pg_advisory_unlock(hashtext(%s))", [key])
        elif not datastore.pool.is_sqlite_memory_mode:  # in memory: one process only
            file = held.enter_context(open(f"{datastore.pool.db_name}.{self.name}.lock", "w"))  # noqa: SIM115
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.close()
                return False
            file.write(f"{os.getpid()}\n")
            file.flush()
        self._held = held
        return True

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            with suppress(Exception):  # the connection is gone, and the lock with it
                held.close()
