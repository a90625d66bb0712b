"""The store's half of the aggregate locks (``domain.locks``): processes that
share a store take turns on an aggregate there.

- PostgreSQL: a transaction-level advisory lock per key, in a transaction of
  the command's own on a pooled connection, begun before the command reads the
  aggregate and ended after its events are committed (by the group commit, in
  another transaction). The key is split into two 32-bit halves, a key space of
  its own apart from the single-key advisory locks (``hashtext``) of
  ``infra.store.setup_lock`` and the views. A process that dies, or a connection that
  breaks, ends the transaction and lets go of the lock.
- SQLite: a byte-range lock per key, at the key's offset in a file beside the
  database. Open file description locks (Linux) belong to the file as this
  application opened it, not to the process, so two applications of one process
  exclude each other too and closing one does not release the other's; the
  kernel wakes a waiter as soon as the lock is free, where SQLite's busy handler
  would poll. Without them (macOS) the process's own locks are all there is,
  and a writer that another process beats to an aggregate reads it again.
"""

from __future__ import annotations

import fcntl
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from domain.locks import KEY_BITS, AggregateLocks

LOCK_FILE_SUFFIX = ".aggregates.lock"
LOCK = "SELECT pg_advisory_xact_lock(%s::int4, %s::int4)"


def store_aggregate_locks(datastore: object) -> AggregateLocks:
    """The locks that every process on this store takes."""
    if isinstance(datastore, PostgresDatastore):
        return PostgresAggregateLocks(datastore)
    if (
        isinstance(datastore, SQLiteDatastore)
        and not datastore.pool.is_sqlite_memory_mode  # in memory: one process only
        and hasattr(fcntl, "F_OFD_SETLKW")
    ):
        return FileAggregateLocks(datastore.pool.db_name + LOCK_FILE_SUFFIX)
    return AggregateLocks()


class PostgresAggregateLocks(AggregateLocks):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__()
        self.datastore = datastore

    @contextmanager
    def across_processes(self, key: int) -> Iterator[None]:
        with self.datastore.get_connection() as connection, connection.transaction():
            connection.execute(LOCK, (key >> 32, (key & 0xFFFF_FFFF) - 2**31), prepare=True)
            yield


class FileAggregateLocks(AggregateLocks):
    def __init__(self, path: str) -> None:
        super().__init__()
        self._file: BinaryIO = open(path, "ab")  # noqa: SIM115 - open as long as the application
        assert KEY_BITS < 63, "an offset, with the byte after it, must fit in off_t"

    @contextmanager
    def across_processes(self, key: int) -> Iterator[None]:
        self._lock(fcntl.F_WRLCK, key)
        try:
            yield
        finally:
            self._lock(fcntl.F_UNLCK, key)

    def close(self) -> None:
        self._file.close()

    def _lock(self, kind: int, offset: int) -> None:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for these locks).
        request = struct.pack("@hhqqi4x", kind, os.SEEK_SET, offset, 1, 0)
        fcntl.fcntl(self._file, fcntl.F_OFD_SETLKW, request)
