"""Keeps views up to date by following the store's notification log.

A polling follower: the library's SQLite recorder offers no subscription, and
polling by position serves PostgreSQL just as well (its notification ids are
issued in commit order). Positions are the library's tracking records, one
per view generation, written in the same transaction as the view's rows.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol, runtime_checkable

from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.events import EventRecord, from_stored
from projections.rows import View
from projections.store import GENERATIONS_TABLE, Database, ViewTables, apply_together

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
REBUILD_BATCH_SIZE = 20000
REBUILD_RUNNING = "a rebuild of this store's views is already running; wait for it to finish"


@runtime_checkable
class RecordReader(Protocol):
    """A recorder that reads its log straight into event records."""

    def select_records(self, start: int, stop: int, topics: Sequence[str]) -> list[EventRecord]: ...


class Progress(Protocol):
    def advance(self, count: int = 1) -> None: ...


Fill = Callable[[Sequence[ViewTables], "Progress | None"], None]
"""Fills fresh, empty tables from the first event to about the head."""


def records(notifications: Sequence[Notification]) -> list[EventRecord]:
    return [from_stored(n.topic, n.originator_id, n.originator_version, n.id, n.state) for n in notifications]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """A rebuild makes millions of short-lived objects but no garbage cycles to speak
    of; with the default thresholds the cyclic collector would walk the ever larger
    heap of rows again and again."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class ViewRunner:
    def __init__(
        self,
        recorder: ApplicationRecorder,
        database: Database,
        views: Sequence[View],
        batch_size: int = BATCH_SIZE,
        topics: Mapping[str, str] | None = None,
    ) -> None:
        """``topics``: the stored topic of each event type, so that only the types the
        views declare are read from the log."""
        self.recorder = recorder
        self.topics = dict(topics or {})
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
        keep: Callable[[EventRecord], bool] | None = None,
    ) -> int:
        """Applies the events past each view's position up to ``until`` (the head by
        default), reading the log once for all of them, in batches of about
        ``batch_size`` events, each batch in one transaction for all views; returns
        how many positions it moved past. Only the event types the views declare are
        read (when their stored topics are known); positions still advance past the
        others. Only the events ``keep`` accepts are applied (all by default)."""
        positions = {t.tracking_name: t.position() for t in tables}
        wanted = frozenset().union(*(t.view.events for t in tables))
        topics = self._topics_of(wanted)
        start = min(positions.values(), default=0)
        end = self.head() if until is None else until
        limit, moved = batch_size or self.batch_size, 0
        while tables and start < end and not self.stopping.is_set():
            last, events = self._batch(start, end, topics, wanted, limit)
            if keep is not None:
                events = [e for e in events if keep(e)]
            works = []
            for view_tables in tables:
                position = positions[view_tables.tracking_name]
                if position >= last:
                    continue
                behind = [e for e in events if e.position > position] if position > start else events
                works.append(view_tables.handle(behind))
                positions[view_tables.tracking_name] = last
            apply_together(works, last)
            moved += last - start
            if progress:
                progress.advance(last - start)
            start = last
        return moved

    def _batch(
        self, start: int, end: int, topics: list[str], wanted: frozenset[str], limit: int
    ) -> tuple[int, list[EventRecord]]:
        """The next batch: the position it reaches, and the wanted events after ``start``
        up to it, at least ``limit`` of them unless it reaches ``end``. The log is read
        in ranges of ``limit`` positions (see ``infra.record_reading``), as many as it
        takes when the views want few of the events."""
        events: list[EventRecord] = []
        while start < end and len(events) < limit:
            stop = min(start + limit, end)
            read = self._read(start, stop, topics)
            events += read if topics else [e for e in read if e.type in wanted]
            start = stop
        return start, events

    def _read(self, start: int, end: int, topics: list[str]) -> list[EventRecord]:
        """Events after ``start`` up to ``end`` of these topics (all if none), in order:
        straight from the recorder's rows if it can, else from its notifications."""
        if isinstance(self.recorder, RecordReader):
            return self.recorder.select_records(start, end, topics)
        notifications = self.recorder.select_notifications(
            start=start, limit=end - start, stop=end, topics=topics, inclusive_of_start=False
        )
        return records(notifications)

    def _topics_of(self, types: frozenset[str]) -> list[str]:
        """The stored topics of these event types, or none (read every topic) unless
        all of them are known."""
        if not types or not types <= self.topics.keys():
            return []
        return sorted(self.topics[t] for t in types)

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
        fill_elsewhere: Fill | None = None,
    ) -> list[ViewTables]:
        """Builds the next generation of each view from the first event, reading the
        log once for all of them, then swaps each in when it has caught up. ``keep``
        chooses the events applied (see ``catch_up``). ``fill_elsewhere`` fills the
        fresh tables first (in other processes); this one then applies what arrived
        meanwhile. One rebuild runs on a store at a time: another raises ``Busy``."""
        with self.database.exclusively("rebuild", REBUILD_RUNNING):
            fresh = self.next_generations(names, indexes=False)
            if fill_elsewhere is not None and keep is None:
                fill_elsewhere(fresh, progress)
                # Rows this process did not write are there now: it must look them up.
                fresh = [ViewTables(self.database, t.view, t.generation) for t in fresh]
            self.fill(fresh, progress, keep)
            self.swap_in(fresh)
        return fresh

    def fill(
        self,
        fresh: Sequence[ViewTables],
        progress: Progress | None = None,
        keep: Callable[[EventRecord], bool] | None = None,
    ) -> None:
        """Catches fresh tables up to the head, in large batches."""
        with fewer_collections():
            # Catch up, then again for what arrived meanwhile.
            while self.catch_up(*fresh, progress=progress, batch_size=REBUILD_BATCH_SIZE, keep=keep):
                pass

    def next_generations(
        self, names: Sequence[str] = (), *, exclusive: bool = True, indexes: bool = True
    ) -> list[ViewTables]:
        """Empty tables of the next generation of each view (all by default); without
        their secondary ``indexes`` if told (``swap_in`` makes them)."""
        fresh = []
        for name in names or list(self.views):
            generation = self.live(name).generation + 1
            tables = ViewTables(self.database, self.views[name], generation, exclusive=exclusive)
            tables.drop()
            tables.create(indexes=indexes)
            fresh.append(tables)
        return fresh

    def swap_in(self, fresh: Sequence[ViewTables]) -> None:
        """Makes each generation live (one pointer row each) and drops the one it replaces."""
        for tables in fresh:
            tables.create_indexes()
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
