"""Whether API keys or the views' live generations may have changed since a process
last read them, known without asking the store on every request.

Every write that changes one (a key issued or revoked, a generation swapped) calls
``announce`` in its own transaction: it counts the change in a row of its topic
and, on PostgreSQL, notifies. A ``ChangeWatch`` then gives each topic a stamp
that differs whenever something of the topic may have changed:

- SQLite: ``PRAGMA data_version`` on a connection of the watch's own changes
  whenever any other connection, of any process, commits to the file (a few
  microseconds, no transaction); only then are the topics' rows read again. A
  change committed before a request starts is thus always seen by it.
- PostgreSQL: a thread of the watch's own LISTENs for the notifications and counts
  them, so a change is seen once its notification has arrived (as it commits, give
  or take the trip). While that connection is down the stamp is None: nothing
  cached may be trusted, and readers ask the store every time.

A store in memory (one process, tests) has no watch: its stamps are always None.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore

from infra.database import Database

log = logging.getLogger(__name__)

CHANGES_TABLE = "store_changes"
KEYS = "api_keys"
GENERATIONS = "view_generations"
RECONNECT_SECONDS = 1.0
Stamp = object | None


def create_changes_table(database: Database) -> None:
    database.execute(
        f"CREATE TABLE IF NOT EXISTS {database.prefix}{CHANGES_TABLE} "
        "(topic TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )


def channel(database: Database) -> str:
    """The notification channel of the store's schema (quoted, at most 63 bytes)."""
    return '"' + f"gongzhi {database.prefix}".replace('"', "")[:60] + '"'


def announce(cursor: Any, database: Database, topic: str) -> None:
    """Counts a change of ``topic`` in the cursor's transaction (and notifies on commit)."""
    table = f"{database.prefix}{CHANGES_TABLE}"
    cursor.execute(
        database.sql(
            f"INSERT INTO {table} AS changes (topic, version) VALUES (?, 1) "
            "ON CONFLICT (topic) DO UPDATE SET version = changes.version + 1"
        ),
        (topic,),
    )
    if database.dialect == "postgres":
        cursor.execute(f"NOTIFY {channel(database)}, '{topic}'")


class ChangeWatch:
    def stamp(self, topic: str) -> Stamp:
        """A value that differs whenever ``topic`` may have changed; None: ask the store."""
        return None

    def close(self) -> None:
        pass


class SqliteWatch(ChangeWatch):
    def __init__(self, path: str, database: Database) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()
        self.table = f"{database.prefix}{CHANGES_TABLE}"
        self.data_version: int | None = None
        self.versions: dict[str, int] = {}

    def stamp(self, topic: str) -> Stamp:
        with self.lock:
            (data_version,) = self.connection.execute("PRAGMA data_version").fetchone()
            if data_version != self.data_version:
                rows = self.connection.execute(f"SELECT topic, version FROM {self.table}").fetchall()
                self.versions = dict(rows)
                self.data_version = data_version
            return self.versions.get(topic, 0)

    def close(self) -> None:
        with self.lock:
            self.connection.close()


class PostgresWatch(ChangeWatch):
    """Counts the notifications of each topic; a new connection counts as a change of
    every topic, since any may have changed while none was listening."""

    def __init__(self, datastore: PostgresDatastore, database: Database) -> None:
        kwargs = datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        self.connect_args = {k: v for k, v in kwargs.items() if k != "row_factory"}
        self.channel = channel(database)
        self.counts: Counter[str] = Counter()
        self.connections = 0
        self.listening = False
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._listen_forever, name="change-watch", daemon=True)
        self.thread.start()
        self.ready.wait(timeout=5)

    def stamp(self, topic: str) -> Stamp:
        return (self.connections, self.counts[topic]) if self.listening else None

    def _listen_forever(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(autocommit=True, **self.connect_args) as connection:
                    connection.execute(f"LISTEN {self.channel}")
                    self.connections += 1
                    self.listening = True
                    self.ready.set()
                    while not self.stopping.is_set():
                        for notification in connection.notifies(timeout=RECONNECT_SECONDS):
                            self.counts[notification.payload] += 1
            except Exception:
                log.warning("Lost the connection that listens for key and view changes; reconnecting")
            finally:
                self.listening = False
            self.ready.set()
            self.stopping.wait(RECONNECT_SECONDS)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2 * RECONNECT_SECONDS)


def watch(database: Database) -> ChangeWatch:
    """The watch that suits the store."""
    create_changes_table(database)
    datastore = database.datastore
    if isinstance(datastore, PostgresDatastore):
        return PostgresWatch(datastore, database)
    if datastore.pool.is_sqlite_memory_mode:
        return ChangeWatch()
    return SqliteWatch(datastore.pool.db_name, database)
