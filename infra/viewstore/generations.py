"""Which generation of each view is live: one pointer row a view.

A view's tables exist in generations (``view_funds_ledger_g3``): the live one
answers reads while a rebuild fills the next, then the pointer row swaps them.
Every change of a pointer row is announced (``infra.changes``), so that readers
know the live generations without looking them up on every read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.changes import GENERATIONS, ChangeWatch, Stamp, announce, create_changes_table
from infra.database import Database

GENERATIONS_TABLE = "view_generations"


def create_generations_table(database: Database) -> None:
    database.execute(
        f"CREATE TABLE IF NOT EXISTS {database.prefix}{GENERATIONS_TABLE} "
        "(view TEXT PRIMARY KEY, generation INTEGER NOT NULL)"
    )
    create_changes_table(database)


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
    announce(cursor, database, GENERATIONS)


class LiveGenerations:
    """The live generation of every view as this process last read it, read again
    only when the watch says the pointer rows may have changed."""

    def __init__(self, database: Database, watch: ChangeWatch | None = None) -> None:
        self.database = database
        self.watch = watch or ChangeWatch()
        self.known: tuple[Stamp, dict[str, int]] | None = None

    def read(self, cursor: Any = None, *, again: bool = False) -> dict[str, int]:
        """Every view's live generation (in the cursor's transaction when one is given);
        from the table when the watch says so, or when told to read ``again``."""
        stamp = self.watch.stamp(GENERATIONS)  # before the read: a swap meanwhile is seen next time
        if not again and stamp is not None and self.known is not None and self.known[0] == stamp:
            return self.known[1]
        rows = self.database.query(
            f"SELECT view, generation FROM {self.database.prefix}{GENERATIONS_TABLE}", cursor=cursor
        )
        live = {row["view"]: int(row["generation"]) for row in rows}
        self.known = (stamp, live)
        return live
