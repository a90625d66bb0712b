"""What one process remembers of a view's rows between batches.

Rows as last committed are kept so that a busy view reads each row once; they
are trusted only while no other process has written the view since (see
``infra.viewstore.positions``), and forgotten otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from projections.rows import Key, Row, Table

DELETED: Row = {}
"""Stands for a row known to be absent."""
MAX_KNOWN_ROWS = 20_000
"""About the most rows a view keeps in memory between batches (see ``TableRows``)."""


class KeyFilter:
    """A Bloom filter of keys in fixed memory, one bit per key: "certainly never
    added" or "perhaps" (about one key in a hundred per million added)."""

    def __init__(self, bits: int = 1 << 26) -> None:
        self.mask = bits - 1
        self.bits = bytearray(bits // 8)

    def add(self, key: Hashable) -> None:
        bit = hash(key) & self.mask
        self.bits[bit >> 3] |= 1 << (bit & 7)

    def __contains__(self, key: Hashable) -> bool:
        bit = hash(key) & self.mask
        return bool(self.bits[bit >> 3] & (1 << (bit & 7)))


def _getter(columns: Sequence[str]) -> Callable[[Row], tuple[Any, ...]]:
    """Reads these columns of a row as a tuple (itemgetter, always a tuple)."""
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return itemgetter(*columns)


class Writes(NamedTuple):
    """One table's changes in a batch, as column values (``inserts``: rows the
    table certainly lacks; ``upserts``: rows it may hold) and keys."""

    inserts: list[tuple[Any, ...]]
    upserts: list[tuple[Any, ...]]
    deletes: list[Key]


class TableRows:
    """What one process knows of one table of one generation, between batches.

    Rows as last committed (``DELETED`` for keys known to be absent) are kept in
    two generations so that a busy view reads each row once while memory stays
    bounded: rows go into ``known``; when the view holds too many, ``known``
    becomes ``older`` and the previous ``older`` is forgotten, and a row found in
    ``older`` moves back into ``known``. Rows in use every batch (a fund's
    totals) thus stay, and rows written once (a ledger line) go.

    A table this process created empty and alone writes (a rebuild's) is
    *complete*: a key never committed is absent without asking the database, and
    the keys of forgotten rows go to a Bloom filter so that only they are looked
    up again.
    """

    def __init__(self, spec: Table, sql_name: str, evicted: KeyFilter | None) -> None:
        self.spec = spec
        self.sql_name = sql_name
        self.key_of = _getter(spec.key)
        self.values_of = _getter(list(spec.columns))
        self.json_columns = [n for n, kind in enumerate(spec.columns.values()) if kind == "json"]
        self.known: dict[Key, Row] = {}
        self.older: dict[Key, Row] = {}
        self.evicted = evicted

    def cached(self, key: Key) -> Row | None:
        """The row as this process knows it (``DELETED`` if absent), or None if it does not."""
        row = self.known.get(key)
        if row is None and self.older:
            row = self.older.pop(key, None)
            if row is not None:
                self.known[key] = row
        return row

    def age(self) -> None:
        """Forgets the rows not used since the last time, and starts a new generation."""
        self._evict(self.older)
        self.older, self.known = self.known, {}

    def forget(self) -> None:
        self._evict(self.older)
        self._evict(self.known)
        self.older, self.known = {}, {}

    def _evict(self, rows: dict[Key, Row]) -> None:
        if self.evicted is not None:
            add, name = self.evicted.add, self.spec.name
            for key, row in rows.items():
                if row is not DELETED:
                    add((name, key))

    def certainly_absent(self, key: Key) -> bool:
        return self.evicted is not None and (self.spec.name, key) not in self.evicted

    def writes(self, changes: dict[Key, Row], *, new_apart: bool) -> Writes:
        """A batch's changes to this table: rows to insert or replace, keys to delete,
        and, set apart if asked, the rows the database certainly lacks (to insert
        without a conflict check)."""
        deletes = [key for key, row in changes.items() if row is DELETED]
        if self.evicted is None or not new_apart:
            return Writes([], [self.encode(row) for row in changes.values() if row is not DELETED], deletes)
        inserts: list[tuple[Any, ...]] = []
        upserts: list[tuple[Any, ...]] = []
        for key, row in changes.items():
            if row is not DELETED:
                committed = self.known.get(key)
                if committed is None:
                    committed = self.older.get(key)
                new = committed is DELETED if committed is not None else self.certainly_absent(key)
                (inserts if new else upserts).append(self.encode(row))
        return Writes(inserts, upserts, deletes)

    def encode(self, row: Row) -> tuple[Any, ...]:
        values = self.values_of(row)
        if not self.json_columns:
            return values
        encoded = list(values)
        for n in self.json_columns:
            if encoded[n] is not None:
                encoded[n] = orjson.dumps(encoded[n]).decode()
        return tuple(encoded)
