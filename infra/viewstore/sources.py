"""Where view queries read rows: the views' SQL tables, or rows folded in memory.

The same query code answers from either, so a view computed on demand from a
few aggregates' events answers in the shape of the live view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from infra.viewstore.statements import decode
from infra.viewstore.tables import ViewTables
from projections.rows import MemoryRows, Row

Match = Mapping[str, Any]
"""Column → the value it must equal, or a tuple of the values it may take."""


class RowSource(Protocol):
    def select(
        self,
        view: str,
        table: str,
        match: Match,
        order: tuple[str, ...],
        after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """Rows matching, in ``order``, those past ``after`` (values of the order columns)."""

    def count(self, view: str, table: str, match: Match, column: str) -> dict[Any, int]:
        """How many rows matching hold each value of ``column``, by value."""


def condition(match: Match) -> tuple[str, list[Any]]:
    """A SQL condition (and its parameters) for a match."""
    parts: list[str] = []
    params: list[Any] = []
    for column, value in match.items():
        if isinstance(value, tuple):
            parts.append(f"{column} IN ({', '.join('?' for _ in value)})")
            params += value
        else:
            parts.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(parts) or "1 = 1", params


class SqlRows:
    """Rows of the views' tables (the live generation, or whichever ``tables`` gives),
    each read in a transaction of its own or in ``cursor``'s when one is set."""

    def __init__(self, tables: Callable[[str], ViewTables]) -> None:
        self.tables = tables
        self.cursor: Any = None

    def select(
        self,
        view: str,
        table: str,
        match: Match,
        order: tuple[str, ...],
        after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        where, params = condition(match)
        return self.select_where(view, table, where, params, order, after, limit)

    def select_where(
        self,
        view: str,
        table: str,
        where: str,
        params: list[Any],
        order: tuple[str, ...],
        after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """As ``select``, with a condition in SQL (for reads only SQL answers)."""
        tables = self.tables(view)
        if after is not None:
            where += f" AND ({', '.join(order)}) > ({', '.join('?' for _ in order)})"
            params = [*params, *after]
        statement = f"SELECT * FROM {tables.name(table)} WHERE {where} ORDER BY {', '.join(order)}"
        if limit is not None:
            statement += " LIMIT ?"
            params = [*params, limit]
        spec = tables.tables[table]
        return [decode(spec, row) for row in tables.database.query(statement, params, self.cursor)]

    def count(self, view: str, table: str, match: Match, column: str) -> dict[Any, int]:
        where, params = condition(match)
        return self.totals(view, table, where, params, column, "COUNT(*)")

    def totals(
        self, view: str, table: str, where: str, params: list[Any], column: str, total: str
    ) -> dict[Any, int]:
        """``total`` (a SQL aggregate) over the rows matching ``where``, by value of ``column``."""
        tables = self.tables(view)
        rows = tables.database.query(
            f"SELECT {column} AS value, {total} AS total FROM {tables.name(table)} "
            f"WHERE {where} GROUP BY {column} ORDER BY {column}",
            params,
            self.cursor,
        )
        return {row["value"]: int(row["total"]) for row in rows}


class FoldedRows:
    """Rows folded in memory (``projections.fold``), one ``MemoryRows`` per view."""

    def __init__(self, folded: Mapping[str, MemoryRows]) -> None:
        self.folded = folded

    def _matching(self, view: str, table: str, match: Match) -> list[Row]:
        def matches(row: Row) -> bool:
            return all(row[c] in v if isinstance(v, tuple) else row[c] == v for c, v in match.items())

        return [row for row in self.folded[view].data[table].values() if matches(row)]

    def select(
        self,
        view: str,
        table: str,
        match: Match,
        order: tuple[str, ...],
        after: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        def key(row: Row) -> tuple[Any, ...]:
            return tuple(row[c] for c in order)

        rows = sorted(self._matching(view, table, match), key=key)
        if after is not None:
            rows = [row for row in rows if key(row) > tuple(after)]
        return [dict(row) for row in rows[:limit]]

    def count(self, view: str, table: str, match: Match, column: str) -> dict[Any, int]:
        counts = Counter(row[column] for row in self._matching(view, table, match))
        return dict(sorted(counts.items()))
