"""Which generation of each view is live: one pointer row a view.

A view's tables exist in generations (``view_funds_ledger_g3``): the live one
answers reads while a rebuild fills the next, then the pointer row swaps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.database import Database

GENERATIONS_TABLE = "view_generations"


def create_generations_table(database: Database) -> None:
    database.execute(
        f"CREATE TABLE IF NOT EXISTS {database.prefix}{GENERATIONS_TABLE} "
        "(view TEXT PRIMARY KEY, generation INTEGER NOT NULL)"
    )


def live_generations(database: Database, names: Iterable[str], cursor: Any = None) -> dict[str, int]:
    """The live generation of each named view (of those that have one)."""
    rows = database.query(f"SELECT view, generation FROM {database.prefix}{GENERATIONS_TABLE}", cursor=cursor)
    live = {r["view"]: int(r["generation"]) for r in rows}
    return {name: live[name] for name in names if name in live}


def live_generation(database: Database, name: str) -> int | None:
    rows = database.query(
        f"SELECT generation FROM {database.prefix}{GENERATIONS_TABLE} WHERE view = ?", [name]
    )
    return int(rows[0]["generation"]) if rows else None


def point(cursor: Any, database: Database, name: str, generation: int, *, replace: bool = True) -> None:
    """Makes ``generation`` the live one of view ``name`` (unless it has one and not
    ``replace``)."""
    action = "DO UPDATE SET generation = excluded.generation" if replace else "DO NOTHING"
    cursor.execute(
        database.sql(
            f"INSERT INTO {database.prefix}{GENERATIONS_TABLE} (view, generation) VALUES (?, ?) "
            f"ON CONFLICT (view) {action}"
        ),
        (name, generation),
    )
