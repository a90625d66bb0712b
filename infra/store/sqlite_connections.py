"""SQLite connections that keep their compiled statements.

The library opens its SQLite connections with ``cached_statements=True``, which
``sqlite3`` reads as a cache of one statement: every query but a repeat of the last
is compiled again, which costs more than running it on an indexed read. The pool
here opens them alike (autocommit, WAL, rows by name) with a cache of hundreds.
"""

from __future__ import annotations

import sqlite3

from eventsourcing.persistence import InterfaceError
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteDatastore,
)

CACHED_STATEMENTS = 512
"""Views, keys, the outbox and the commands' statements, with room for each view generation's."""


class StatementCachingPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        try:
            connection = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # autocommit: transactions BEGIN explicitly
                cached_statements=CACHED_STATEMENTS,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            connection.execute("PRAGMA journal_mode=WAL")
            self.is_journal_mode_wal = True
        connection.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)


def cache_statements(datastore: SQLiteDatastore) -> None:
    """Gives a datastore that has opened no connection yet the pool above, with the same limits."""
    pool = datastore.pool
    datastore.pool = StatementCachingPool(
        db_name=pool.db_name,
        lock_timeout=pool.lock_timeout,
        pool_size=pool.pool_size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.pool_timeout,
        max_age=pool.max_age,
        pre_ping=pool.pre_ping,
    )
    pool.close()
