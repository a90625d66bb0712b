"""How far each generation of each view has applied, and how many batches wrote it.

One row a view generation: ``position`` (the highest store position applied)
and ``batches`` (how many batches have written it). A batch's transaction
begins by adding one to ``batches`` of every generation it writes, which locks
those rows until it commits: batches of any number of processes on one view
take turns, and each learns from the count whether another process wrote in
between (then what it remembers of the rows is stale). Nothing else decides:
the rows are read and advanced inside the transaction that writes the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from infra.database import Database

POSITIONS_TABLE = "view_positions"
OLD_TRACKING_TABLES = {"sqlite": "tracking", "postgres": "view_tracking"}
"""Where the positions were kept before (the library's tracking records, ``view@generation``)."""

Generation = tuple[str, int]
"""(view name, generation)"""


class Position(NamedTuple):
    position: int
    batches: int


def positions_table(database: Database) -> str:
    return f"{database.prefix}{POSITIONS_TABLE}"


def create_positions_table(database: Database) -> None:
    """Creates the table, and fills it from the old tracking records the first time."""
    table = positions_table(database)
    existed = _exists(database, POSITIONS_TABLE)
    database.execute(
        f"CREATE TABLE IF NOT EXISTS {table} (view TEXT NOT NULL, generation INTEGER NOT NULL, "
        "position BIGINT NOT NULL, batches BIGINT NOT NULL, PRIMARY KEY (view, generation))"
    )
    old = OLD_TRACKING_TABLES[database.dialect]
    if existed or not _exists(database, old):
        return
    rows = database.query(
        f"SELECT application_name AS name, MAX(notification_id) AS position FROM {database.prefix}{old} "
        "GROUP BY application_name"
    )
    with database.transaction(commit=True) as cursor:
        for row in rows:
            view, _, generation = str(row["name"]).rpartition("@")
            if view and generation.isdigit():
                cursor.execute(
                    database.sql(f"INSERT INTO {table} VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING"),
                    (view, int(generation), int(row["position"] or 0)),
                )


def _exists(database: Database, table: str) -> bool:
    if database.dialect == "postgres":
        found = database.query("SELECT to_regclass(?) IS NOT NULL AS found", [f"{database.prefix}{table}"])
        return bool(found[0]["found"])
    return bool(database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]))


def start(cursor: Any, database: Database, generation: Generation) -> None:
    """A new generation's row, at position 0 (kept if it is there)."""
    cursor.execute(
        database.sql(f"INSERT INTO {positions_table(database)} VALUES (?, ?, 0, 0) ON CONFLICT DO NOTHING"),
        generation,
    )


def forget(cursor: Any, database: Database, generation: Generation) -> None:
    cursor.execute(
        database.sql(f"DELETE FROM {positions_table(database)} WHERE view = ? AND generation = ?"),
        generation,
    )


def read(database: Database, generations: Sequence[Generation], cursor: Any = None) -> dict[Generation, int]:
    """The position of each of these generations that has a row."""
    if not generations:
        return {}
    rows = database.query(
        f"SELECT view, generation, position FROM {positions_table(database)} "
        f"WHERE (view, generation) IN ({_values(generations)})",
        [v for g in generations for v in g],
        cursor=cursor,
    )
    return {(r["view"], int(r["generation"])): int(r["position"]) for r in rows}


def lock(cursor: Any, database: Database, generations: Sequence[Generation]) -> dict[Generation, Position]:
    """Counts a batch for each of these generations, locking their rows (in one order
    on PostgreSQL, so that batches over overlapping views never deadlock; SQLite locks
    the whole database at the first write). A generation with no row is left out."""
    table, values = positions_table(database), _values(generations)
    params = [v for g in generations for v in g]
    if database.dialect == "postgres":
        statement = (
            f"UPDATE {table} AS t SET batches = t.batches + 1 FROM (SELECT view, generation FROM {table} "
            f"WHERE (view, generation) IN ({values}) ORDER BY view, generation FOR UPDATE) AS locked "
            "WHERE t.view = locked.view AND t.generation = locked.generation "
            "RETURNING t.view, t.generation, t.position, t.batches"
        )
    else:
        statement = (
            f"UPDATE {table} SET batches = batches + 1 WHERE (view, generation) IN ({values}) "
            "RETURNING view, generation, position, batches"
        )
    cursor.execute(database.sql(statement), params)
    return {
        (r["view"], int(r["generation"])): Position(int(r["position"]), int(r["batches"]))
        for r in cursor.fetchall()
    }


def advance(cursor: Any, database: Database, generations: Sequence[Generation], position: int) -> None:
    """Moves these generations' positions up to ``position`` (never back)."""
    cursor.execute(
        database.sql(
            f"UPDATE {positions_table(database)} SET position = ? "
            f"WHERE (view, generation) IN ({_values(generations)}) AND position < ?"
        ),
        [position, *(v for g in generations for v in g), position],
    )


def _values(generations: Sequence[Generation]) -> str:
    return f"VALUES {', '.join('(?, ?)' for _ in generations)}"
