"""Every view's rows, live against a rebuild from the store.

The rebuild is `gongzhi projections rebuild --as-of NOW --into TARGET`: the same
handlers, in a process of its own, fold the whole log into a fresh SQLite file or
PostgreSQL schema and leave the live views alone. Once no command is in flight and
the live views are at the store's head, the two must hold the same rows in every
table (``view_<view>_<table>_g<generation>``, the generation each side's
``view_generations`` row points at). That covers what no read shows (the waiting
lists, a fund's donors) and needs no knowledge of what each handler computes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql

from infra.settings import Settings
from tests.processes.running import gongzhi

Tables = dict[str, list[dict[str, Any]]]
"""``view.table`` → its rows, in a set order."""
SHOWN_ROWS = 3


class Store(Protocol):
    def names(self) -> list[str]: ...
    def rows(self, table: str) -> list[dict[str, Any]]: ...


class SQLiteStore:
    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        self.connection.row_factory = sqlite3.Row

    def names(self) -> list[str]:
        return [
            row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]

    def rows(self, table: str) -> list[dict[str, Any]]:
        return [dict(row) for row in self.connection.execute(f'SELECT * FROM "{table}"')]


class PostgresStore:
    def __init__(self, url: str, schema: str) -> None:
        self.connection = psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row)
        self.schema = schema

    def names(self) -> list[str]:
        query = "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
        return [row["table_name"] for row in self.connection.execute(query, [self.schema])]

    def rows(self, table: str) -> list[dict[str, Any]]:
        query = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(self.schema), sql.Identifier(table))
        return list(self.connection.execute(query))


@contextmanager
def opened(settings: Settings, schema_or_file: str | None = None) -> Iterator[Store]:
    """The store's database (or the rebuild's target, when named)."""
    store: SQLiteStore | PostgresStore
    if settings.database_url:
        store = PostgresStore(settings.database_url, schema_or_file or settings.database_schema)
    else:
        store = SQLiteStore(Path(schema_or_file) if schema_or_file else settings.data_dir / "gongzhi.db")
    try:
        yield store
    finally:
        store.connection.close()


def view_tables(store: Store, views: Collection[str] | None = None) -> Tables:
    """Every table of the live generation of every view (or of these views)."""
    generations = {
        row["view"]: int(row["generation"])
        for row in store.rows("view_generations")
        if views is None or row["view"] in views
    }
    tables: Tables = {}
    for name in sorted(store.names()):
        for view, generation in generations.items():
            prefix, suffix = f"view_{view}_", f"_g{generation}"
            if name.startswith(prefix) and name.endswith(suffix):
                rows = store.rows(name)
                tables[f"{view}.{name[len(prefix) : -len(suffix)]}"] = sorted(rows, key=_order)
    return tables


def _order(row: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((column, repr(value)) for column, value in row.items())


def rebuild(settings: Settings, target: str) -> Tables:
    """Every view as of now, rebuilt from the store into ``target`` by `gongzhi`."""
    now = datetime.now(UTC).isoformat()
    gongzhi(settings, "projections", "rebuild", "--as-of", now, "--into", target)
    with opened(settings, target) as store:
        return view_tables(store)


def differences(live: Tables, rebuilt: Tables) -> list[str]:
    """Each table whose live rows are not the rebuild's, with a few rows of each side."""
    wrong = []
    for table in sorted(live.keys() | rebuilt.keys()):
        mine, theirs = live.get(table), rebuilt.get(table)
        if mine is None or theirs is None:
            wrong.append(f"{table}: only in the {'rebuild' if mine is None else 'live views'}")
            continue
        only_live = [row for row in mine if row not in theirs]
        only_rebuilt = [row for row in theirs if row not in mine]
        if only_live or only_rebuilt:
            wrong.append(
                f"{table}: {len(mine)} live rows, {len(theirs)} rebuilt; "
                f"{len(only_live)} only live, e.g. {only_live[:SHOWN_ROWS]}; "
                f"{len(only_rebuilt)} only rebuilt, e.g. {only_rebuilt[:SHOWN_ROWS]}"
            )
    return wrong


def compare_with_rebuild(settings: Settings, target: str) -> list[str]:
    rebuilt = rebuild(settings, target)
    views = {table.split(".")[0] for table in rebuilt}
    with opened(settings) as store:
        live = view_tables(store, views)  # not the Kafka projectors' applied versions
    if not rebuilt:
        return ["the rebuild made no view tables"]
    return differences(live, rebuilt)
