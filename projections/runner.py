"""Keeps views up to date by following the store's notification log.

A polling follower: the library's SQLite recorder offers no subscription, and
polling by position serves PostgreSQL just as well (its notification ids are
issued in commit order). Positions are the library's tracking records, one
per view generation, written in the same transaction as the view's rows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.events import EventRecord, from_stored
from projections.rows import View
from projections.store import GENERATIONS_TABLE, BatchWriter, Database, ViewTables, apply_together

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
REBUILD_BATCH_SIZE = 5000


class Progress(Protocol):
    def advance(self, count: int = 1) -> None: ...


def records(notifications: Sequence[Notification]) -> list[EventRecord]:
    return [from_stored(n.topic, n.originator_id, n.originator_version, n.id, n.state) for n in notifications]


class ViewRunner:
    def __init__(
        self,
        recorder: ApplicationRecorder,
        database: Database,
        views: Sequence[View],
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.recorder = recorder
        self.database = database
        self.views = {view.name: view for view in views}
        self.batch_size = batch_size
        self.stopping = threading.Event()
        self._creating = threading.Lock()
        self._live: dict[str, ViewTables] = {}

    def live(self, name: str) -> ViewTables:
        """The live generation of a view, created empty the first time; the same
        object while the generation stays, so that what it knows of its rows lasts."""
        view = self.views[name]
        generation = self.database.live_generation(name)
        if generation is None:
            with self._creating:
                generation = self.database.live_generation(name)
                if generation is None:
                    ViewTables(self.database, view, 1).create()
                    self._point(name, 1)
                    generation = 1
        current = self._live.get(name)
        if current is None or current.generation != generation:
            current = self._live[name] = ViewTables(self.database, view, generation)
        return current

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def catch_up(
        self,
        *tables: ViewTables,
        until: int | None = None,
        progress: Progress | None = None,
        batch_size: int | None = None,
        writer: BatchWriter | None = None,
        keep: Callable[[EventRecord], bool] | None = None,
    ) -> int:
        """Applies the events past each view's position, reading the log once for all
        of them, batch by batch, each batch in one transaction for all views; returns
        how many events were read. A ``writer`` writes batches in the background
        (for tables no other process writes); they are all written on return. Only
        the events ``keep`` accepts are applied (all by default); positions still
        advance past the others."""
        positions = {t.tracking_name: t.position() for t in tables}
        start, read = min(positions.values(), default=0), 0
        while tables and not self.stopping.is_set():
            batch = self.recorder.select_notifications(
                start=start, limit=batch_size or self.batch_size, stop=until, inclusive_of_start=False
            )
            if not batch:
                break
            events = records(batch)
            if keep is not None:
                events = [e for e in events if keep(e)]
            works = []
            for view_tables in tables:
                position = positions[view_tables.tracking_name]
                if position >= batch[-1].id:
                    continue
                behind = [e for e in events if e.position > position] if position > start else events
                works.append(view_tables.handle(behind))
                positions[view_tables.tracking_name] = batch[-1].id
            if writer is None:
                apply_together(works, batch[-1].id)
            else:
                writer.write(works, batch[-1].id)
            start = batch[-1].id
            read += len(batch)
            if progress:
                progress.advance(len(batch))
        if writer is not None:
            writer.settle()
        return read

    def run_forever(self, poll_interval: float = 0.1) -> None:
        while not self.stopping.is_set():
            try:
                applied = self.catch_up(*(self.live(name) for name in self.views))
            except Exception:
                log.exception("Projection batch failed; retrying")
                applied = 0
            if not applied:
                self.stopping.wait(poll_interval)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="projections", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()

    def rebuild(
        self,
        names: Sequence[str] = (),
        progress: Progress | None = None,
        keep: Callable[[EventRecord], bool] | None = None,
    ) -> list[ViewTables]:
        """Builds the next generation of each view from the first event, reading the
        log once for all of them, then swaps each in when it has caught up. ``keep``
        chooses the events applied (see ``catch_up``)."""
        fresh = self.next_generations(names)
        # Catch up, then again for what arrived meanwhile, then swap.
        writer = BatchWriter()
        try:
            while self.catch_up(
                *fresh, progress=progress, batch_size=REBUILD_BATCH_SIZE, writer=writer, keep=keep
            ):
                pass
        finally:
            writer.close()
        self.swap_in(fresh)
        return fresh

    def next_generations(self, names: Sequence[str] = (), *, exclusive: bool = True) -> list[ViewTables]:
        """Empty tables of the next generation of each view (all by default)."""
        fresh = []
        for name in names or list(self.views):
            generation = self.live(name).generation + 1
            tables = ViewTables(self.database, self.views[name], generation, exclusive=exclusive)
            tables.drop()
            tables.create()
            fresh.append(tables)
        return fresh

    def swap_in(self, fresh: Sequence[ViewTables]) -> None:
        """Makes each generation live (one pointer row each) and drops the one it replaces."""
        for tables in fresh:
            live = self.live(tables.view.name)
            self._point(tables.view.name, tables.generation)
            live.drop()

    def _point(self, name: str, generation: int) -> None:
        table = f"{self.database.prefix}{GENERATIONS_TABLE}"
        self.database.execute(
            f"INSERT INTO {table} (view, generation) VALUES (?, ?) "
            "ON CONFLICT (view) DO UPDATE SET generation = excluded.generation",
            [name, generation],
        )

    def lag(self, tables: ViewTables) -> tuple[int, int, float]:
        """(position, events behind the head, seconds since the oldest unapplied event)."""
        position, head = tables.position(), self.head()
        seconds = 0.0
        if head > position:
            pending = self.recorder.select_notifications(start=position, limit=1, inclusive_of_start=False)
            if pending:
                recorded = datetime.fromisoformat(records(pending)[0].recorded_at)
                seconds = max((datetime.now(recorded.tzinfo) - recorded).total_seconds(), 0.0)
        return position, head - position, seconds
