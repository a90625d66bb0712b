"""Processes that start together create their tables one after the other.

Every process (API replicas, the relay, projectors) creates the tables and
functions it needs if they are missing. PostgreSQL fails one of two concurrent
``CREATE TABLE IF NOT EXISTS`` of one name, or ``CREATE OR REPLACE FUNCTION``,
so they take turns under a session advisory lock named after the schema.
SQLite needs none: its writes are serialised already.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import make_conninfo

from infra.settings import Settings


@contextmanager
def locked(connection: Any, schema: str) -> Iterator[None]:
    """Holds the schema's setup lock on an autocommit connection."""
    key = f"gongzhi setup {schema}"
    connection.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
    try:
        yield
    finally:
        connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


@contextmanager
def store_setup(settings: Settings) -> Iterator[None]:
    """Around opening the store (its own connection: the store has none yet)."""
    if not settings.uses_postgres:
        yield
        return
    conninfo = make_conninfo(**settings.postgres_parts())
    with (
        psycopg.connect(conninfo, autocommit=True) as connection,
        locked(connection, settings.database_schema),
    ):
        yield


@contextmanager
def views_setup(datastore: object) -> Iterator[None]:
    """Around creating the views' tables in an open store."""
    if not isinstance(datastore, PostgresDatastore):
        yield
        return
    with datastore.get_connection() as connection, locked(connection, datastore.schema):
        yield
