"""What a view handler may do to its rows, and the tables it declares.

Handlers are pure: they read and change rows only through ``Rows``, which the
store backs with a per-batch unit of work (reads cached, writes flushed once
per batch, together with the batch's tracking position).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from projections.events import EventRecord

Key = tuple[Any, ...]
Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, str]
    """Column name → SQL type: ``text``, ``integer`` (64-bit) or ``json``."""
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()


class Rows(ABC):
    @abstractmethod
    def get(self, table: str, key: Key) -> Row | None:
        """The row with this primary key, or None. Do not mutate it in place."""

    @abstractmethod
    def put(self, table: str, row: Row) -> None:
        """Inserts or replaces the whole row (its key is read from its columns)."""

    @abstractmethod
    def delete(self, table: str, key: Key) -> None: ...


class View(ABC):
    """One read model: its tables and the handler that keeps them."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    events: ClassVar[frozenset[str]]
    """The event types the handler reads; the store passes it no others."""

    @abstractmethod
    def handle(self, event: EventRecord, rows: Rows) -> None:
        """Applies one event; unknown event types are ignored."""


class MemoryRows(Rows):
    """Rows in dictionaries: for tests, and for folding a few events on demand."""

    def __init__(self, tables: tuple[Table, ...]) -> None:
        self.keys = {t.name: t.key for t in tables}
        self.data: dict[str, dict[Key, Row]] = {t.name: {} for t in tables}

    def get(self, table: str, key: Key) -> Row | None:
        return self.data[table].get(key)

    def put(self, table: str, row: Row) -> None:
        self.data[table][tuple(row[c] for c in self.keys[table])] = dict(row)

    def delete(self, table: str, key: Key) -> None:
        self.data[table].pop(key, None)
