"""Cheap questions asked of the store before an answer is given from memory: the views'
stamps (``infra.viewstore.stamps``) and an aggregate's latest version.

Each is one statement. On PostgreSQL they go over a small asyncio connection pool in
autocommit (no transaction around them, no worker thread), so the event loop serves
other requests while the server answers, and the requests waiting at one time share a
question (``infra.store.coalesced``); on SQLite they run on the loop, where a local
read takes microseconds.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from infra.database import Database
from infra.store.coalesced import Coalesced
from infra.viewstore.stamps import ViewStamps, stamps_of, stamps_statement

POOL_SIZE = 4


class StoreProbes(Protocol):
    async def view_stamps(self) -> ViewStamps: ...

    async def latest_version(self, aggregate_id: UUID) -> int | None:
        """The version of the aggregate's last stored event; None when it has none."""
        ...

    async def close(self) -> None: ...


def open_probes(database: Database, events_table: str) -> StoreProbes:
    if isinstance(database.datastore, PostgresDatastore):
        return PostgresProbes(database, events_table)
    return SQLiteProbes(database, events_table)


def _latest_version_statement(database: Database, events_table: str, id_type: str = "") -> str:
    cast = f"::{id_type}" if id_type else ""
    return database.sql(
        f"SELECT MAX(originator_version) FROM {database.prefix}{events_table} WHERE originator_id = ?{cast}"
    )


class SQLiteProbes:
    def __init__(self, database: Database, events_table: str) -> None:
        self.datastore = database.datastore
        self.stamps_statement = stamps_statement(database)
        self.version_statement = _latest_version_statement(database, events_table)

    def _rows(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, params)
            return [tuple(row) for row in cursor.fetchall()]

    async def view_stamps(self) -> ViewStamps:
        return stamps_of(self._rows(self.stamps_statement))

    async def latest_version(self, aggregate_id: UUID) -> int | None:
        found = self._rows(self.version_statement, (aggregate_id.hex,))[0][0]  # as the library keeps it
        return None if found is None else int(found)

    async def close(self) -> None:
        pass


class PostgresProbes:
    def __init__(self, database: Database, events_table: str) -> None:
        datastore = database.datastore
        assert isinstance(datastore, PostgresDatastore)
        kwargs = cast(dict[str, Any], datastore.pool.kwargs)
        self.connection_kwargs = {k: v for k, v in kwargs.items() if k != "row_factory"}
        self.stamps_statement = stamps_statement(database)
        id_type = datastore.originator_id_type
        self.versions_statement = (
            f"SELECT originator_id::text, MAX(originator_version) FROM {database.prefix}{events_table} "
            f"WHERE originator_id = ANY(%s::{id_type}[]) GROUP BY originator_id"
        )
        self._stamps: Coalesced[None, ViewStamps] = Coalesced(self._ask_stamps)
        self._versions: Coalesced[str, int] = Coalesced(self._ask_versions)
        self._pool: AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening: asyncio.Lock | None = None

    async def _opened(self) -> AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]]:
        """The pool, opened on first use on the loop that uses it (a server has one loop;
        a pool left on another, ended loop is dropped)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._pool, self._loop, self._opening = None, loop, asyncio.Lock()
        assert self._opening is not None
        async with self._opening:
            if self._pool is None:
                pool: AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]] = AsyncConnectionPool(
                    kwargs={**self.connection_kwargs, "autocommit": True},
                    min_size=1,
                    max_size=POOL_SIZE,
                    open=False,
                )
                await pool.open()
                self._pool = pool
            return self._pool

    async def _rows(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        pool = self._pool if self._loop is asyncio.get_running_loop() else None
        async with (pool or await self._opened()).connection() as connection:
            cursor = await connection.execute(statement, params, prepare=True)
            return await cursor.fetchall()

    async def view_stamps(self) -> ViewStamps:
        return await self._stamps(None) or {}

    async def latest_version(self, aggregate_id: UUID) -> int | None:
        return await self._versions(str(aggregate_id))

    async def _ask_stamps(self, _: frozenset[None]) -> dict[None, ViewStamps]:
        return {None: stamps_of(await self._rows(self.stamps_statement))}

    async def _ask_versions(self, ids: frozenset[str]) -> dict[str, int]:
        rows = await self._rows(self.versions_statement, (list(ids),))
        return {str(originator_id): int(version) for originator_id, version in rows}

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None and self._loop is asyncio.get_running_loop():
            await pool.close()
