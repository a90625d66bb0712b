"""A batch: one transaction that changes views' rows and records how far they got.

Every feeder writes through it (the log follower, the Kafka projectors, both
rebuilds and point-in-time builds), whatever its position is: a store position,
or partition offsets written beside it (``Batch.cursor``). A batch

1. counts itself in the position row of every generation it writes, which locks
   those rows until it commits, so that batches of any number of processes on a
   view take turns (``infra.viewstore.positions``);
2. if asked, checks that those generations are still the live ones (a rebuild may
   have swapped others in while it waited), and raises ``GenerationsSwapped`` if not;
3. trusts what this process remembers of a view's rows only if the count shows no
   other process wrote the view since this process's last batch; otherwise it
   forgets them and reads them again, inside the transaction;
4. gives the positions read under the lock (``Batch.position``), so the events to
   apply are chosen after the lock, never from a position another process has
   passed;
5. writes the units of work and the new positions, and commits; then remembers the
   rows it wrote. If anything fails, everything rolls back and the rows are forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from infra.database import Database
from infra.viewstore import positions
from infra.viewstore.generations import live_generations, point
from infra.viewstore.tables import UnitOfWork, ViewTables
from projections.events import EventRecord


class GenerationsSwapped(Exception):
    """A generation this batch would write is no longer live (or no longer exists)."""


class NothingToDo(Exception):
    """Raised inside a batch to roll it back quietly: another process got there first."""


class Batch:
    def __init__(self, database: Database, cursor: Any, targets: Sequence[ViewTables]) -> None:
        self.database = database
        self.cursor = cursor
        self.targets = targets
        self.counts: dict[positions.Generation, positions.Position] = {}
        self.works: list[UnitOfWork] = []
        self.advances: dict[positions.Generation, int] = {}
        self.written = False
        """It committed (not rolled back as having nothing to do)."""

    def position(self, tables: ViewTables) -> int:
        """How far ``tables`` had applied when this batch took its lock."""
        return self.counts[tables.key].position

    def write(self, work: UnitOfWork) -> None:
        self.works.append(work)

    def advance(self, tables: Sequence[ViewTables], position: int) -> None:
        """Records that these generations have applied up to ``position`` (never back)."""
        for target in tables:
            self.advances[target.key] = max(position, self.advances.get(target.key, 0))

    def _lock(self, *, live: bool) -> None:
        keys = [t.key for t in self.targets]
        self.counts = positions.lock(self.cursor, self.database, keys)
        if live and live_generations(self.database, dict(keys), self.cursor) != dict(keys):
            raise GenerationsSwapped
        if len(self.counts) != len(keys):
            raise GenerationsSwapped
        for tables in self.targets:
            if tables.batches is None or self.counts[tables.key].batches != tables.batches + 1:
                tables.forget()  # another process wrote since: what this one knew is stale
            tables.cursor = self.cursor

    def _flush(self) -> None:
        for work in self.works:
            for statement in work.statements():
                statement.run(self.cursor)
        by_position: dict[int, list[positions.Generation]] = {}
        for key, position in self.advances.items():
            by_position.setdefault(position, []).append(key)
        for position, keys in by_position.items():
            positions.advance(self.cursor, self.database, keys, position)


@contextmanager
def batch(database: Database, targets: Sequence[ViewTables], *, live: bool = False) -> Iterator[Batch]:
    """A batch over these generations (see the module); ``live``: they must be the live
    ones. Raising ``NothingToDo`` inside rolls it back without error."""
    current = Batch(database, None, targets)
    committed = False
    try:
        with database.transaction(commit=True) as cursor:
            current.cursor = cursor
            current._lock(live=live)
            yield current
            current._flush()
        committed = True
    except NothingToDo:
        pass
    finally:
        for tables in targets:
            tables.cursor = None
            if committed:
                tables.batches = current.counts[tables.key].batches
            else:
                tables.forget()
                tables.batches = None
    current.written = committed
    if committed:
        for work in current.works:
            work.tables.remember(work)


def swap(database: Database, old: Sequence[ViewTables], new: Sequence[ViewTables], also: Any = None) -> None:
    """Makes the ``new`` generations live in place of the ``old`` (the same views), in
    one transaction that first locks the old ones' position rows: a batch on an old
    generation either committed before, or finds the new ones live and rolls back.
    ``also(cursor)`` runs in the same transaction (a Kafka rebuild moves offsets)."""
    with database.transaction(commit=True) as cursor:
        positions.lock(cursor, database, [t.key for t in old])
        for tables in new:
            point(cursor, database, tables.view.name, tables.generation)
        if also is not None:
            also(cursor)


def apply(tables: ViewTables, events: Sequence[EventRecord]) -> None:
    """Applies these events to one generation and records the last one's position, in
    one batch."""
    if events:
        with batch(tables.database, [tables]) as current:
            current.write(tables.handle(list(events)))
            current.advance([tables], events[-1].position)
