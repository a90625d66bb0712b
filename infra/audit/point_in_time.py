"""Every read model as it stood at a moment, built into a separate SQLite file or
PostgreSQL schema by the same runner and handlers as the live views.

The live views are never touched: the runner reads the store's log and writes
only to the target (its own tables, tracking and generation pointer). It reads
the whole log and applies the events that count as of the moment (see
``infra.audit.as_of``). A moment in the future is refused; one within a few
seconds of the build could miss an event stamped before it whose transaction
commits after the build has read past it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from domain.application import Gongzhi
from infra.audit.as_of import RecordedBy
from infra.database import Database
from infra.settings import Settings
from infra.views import views_named
from infra.viewstore.runner import Progress, ViewRunner

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
MARK_TABLE = "point_in_time"
"""One row in the target: the moment its views stand at, and when they were built."""


class TargetRefused(ValueError):
    """A target that is not a fresh, separate place for the views."""


def rebuild_as_of(
    application: Gongzhi,
    settings: Settings,
    moment: datetime,
    into: str,
    names: Sequence[str] = (),
    progress: Progress | None = None,
) -> dict[str, int]:
    """Builds the named views (all by default) as of ``moment`` into ``into``: a new
    SQLite file, or a PostgreSQL schema with no tables when the store is PostgreSQL.
    Returns each view's position: how far it read the log."""
    started = datetime.now(UTC)
    if moment > started:
        raise TargetRefused(f"{moment.isoformat()} is in the future: nothing is recorded yet")
    views = views_named(names)
    datastore = _target(settings, into)
    try:
        database = Database(datastore)
        runner = ViewRunner(application.recorder, database, views)
        built = runner.rebuild(progress=progress, keep=RecordedBy(moment))
        _mark(database, moment, started)
        return {tables.view.name: tables.position() for tables in built}
    finally:
        datastore.close()


def _target(settings: Settings, into: str) -> SQLiteDatastore | PostgresDatastore:
    if settings.uses_postgres:
        return _schema(settings, into)
    path = Path(into)
    if path.exists():
        raise TargetRefused(f"{into} exists; a point-in-time build goes into a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteDatastore(str(path))


def _schema(settings: Settings, into: str) -> PostgresDatastore:
    if not SCHEMA_NAME.match(into):
        raise TargetRefused(f"{into!r} is not a schema name (lower-case letters, digits, _)")
    if into == settings.database_schema:
        raise TargetRefused(f"{into} holds the live store; choose another schema")
    pg = settings.postgres_parts()
    datastore = PostgresDatastore(
        pg["dbname"], pg["host"], pg["port"], pg["user"], pg["password"], schema=into, pool_size=2
    )
    with datastore.transaction(commit=True) as cursor:
        cursor.execute(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(into)))
        cursor.execute("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = %s", [into])
        tables = int(cursor.fetchall()[0]["n"])
    if tables:
        datastore.close()
        raise TargetRefused(f"schema {into} already holds {tables} tables; choose a new one")
    return datastore


def _mark(database: Database, moment: datetime, started: datetime) -> None:
    table = f"{database.prefix}{MARK_TABLE}"
    database.execute(f"CREATE TABLE {table} (as_of TEXT NOT NULL, built_at TEXT NOT NULL)")
    database.execute(f"INSERT INTO {table} VALUES (?, ?)", [moment.isoformat(), started.isoformat()])
