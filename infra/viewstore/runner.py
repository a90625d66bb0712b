"""Keeps views up to date by following the store's notification log.

A polling follower: the library's SQLite recorder offers no subscription, and
polling by position serves PostgreSQL just as well (its notification ids are
issued in commit order). Each batch is a ``infra.viewstore.batch``: the views'
rows and positions in one transaction, after locking their position rows.

Any number of processes may follow the log for the same views (every API
process does, with the views in-process). For each view one of them applies:
the holder of the view's applier lock (``StoreLock``), which goes with its
process however it ends; the others serve reads and try to take the lock every
``STANDBY_SECONDS``. The lock only spares work: were two processes ever to
apply one view at once, their batches would still take turns on the position
row and neither would trust rows the other had changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple, Protocol, runtime_checkable

from eventsourcing.persistence import ApplicationRecorder

from infra.background import Background
from infra.database import Database, StoreLock
from infra.gc_tuning import rare_collections
from infra.tracing import links_to, traceparents_of, tracer, tracing_on
from infra.viewstore import positions
from infra.viewstore.batch import GenerationsSwapped, NothingToDo, batch, swap
from infra.viewstore.generations import create_generations_table, live_generation, point
from infra.viewstore.positions import create_positions_table
from infra.viewstore.tables import ViewTables
from projections.events import EventRecord, records
from projections.rows import View

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
REBUILD_BATCH_SIZE = 20000
REBUILD_RUNNING = "a rebuild of this store's views is already running; wait for it to finish"
STANDBY_SECONDS = 1.0
"""How often a process that does not apply a view tries to take it over."""
WAIT_POLL_SECONDS = 0.01
"""How often ``wait_for`` reads the positions of the views it waits for."""


@runtime_checkable
class RecordReader(Protocol):
    """A recorder that reads its log straight into event records."""

    def select_records(self, start: int, stop: int, topics: Sequence[str]) -> list[EventRecord]: ...


class Progress(Protocol):
    def advance(self, count: int = 1) -> None: ...


class Behind(NamedTuple):
    """A view that had not applied a position in time, and the position it had reached."""

    view: str
    position: int


Fill = Callable[[Sequence[ViewTables], "Progress | None"], None]
"""Fills fresh, empty tables from the first event to about the head."""


class ViewRunner(Background):
    thread_name = "projections"

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
        super().__init__()
        self.recorder = recorder
        self.topics = dict(topics or {})
        self.database = database
        self.views = {view.name: view for view in views}
        self.batch_size = batch_size
        self._creating = threading.Lock()
        self._live: dict[str, ViewTables] = {}
        self._appliers = {name: StoreLock(database, f"views-{name}") for name in self.views}
        create_generations_table(database)
        create_positions_table(database)

    def live(self, name: str) -> ViewTables:
        """The live generation of a view, created empty the first time; the same
        object while the generation stays, so that what it knows of its rows lasts."""
        view = self.views[name]
        generation = live_generation(self.database, name)
        if generation is None:
            with self._creating:
                generation = live_generation(self.database, name)
                if generation is None:
                    ViewTables(self.database, view, 1).create()
                    with self.database.transaction(commit=True) as cursor:
                        point(cursor, self.database, name, 1, replace=False)
                    generation = live_generation(self.database, name) or 1
        current = self._live.get(name)
        if current is None or current.generation != generation:
            current = self._live[name] = ViewTables(self.database, view, generation)
        return current

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def wait_for(self, position: int, names: Iterable[str] = (), seconds: float = 0.0) -> Behind | None:
        """Waits, for at most ``seconds``, until each named view (all by default) has
        applied ``position`` (whichever process applies it: the position row says);
        None once they all have, or the first view still behind when time is up."""
        deadline = time.monotonic() + seconds
        for name in names or list(self.views):
            tables = self.live(name)
            while (reached := tables.position()) < position:
                if time.monotonic() >= deadline:
                    return Behind(name, reached)
                time.sleep(WAIT_POLL_SECONDS)
        return None

    def applying(self) -> list[str]:
        """The views this process applies (holds the applier lock of)."""
        return [name for name, lock in self._appliers.items() if lock.held]

    def catch_up(
        self,
        *tables: ViewTables,
        until: int | None = None,
        progress: Progress | None = None,
        batch_size: int | None = None,
        keep: Callable[[EventRecord], bool] | None = None,
        live: bool = False,
    ) -> int:
        """Applies the events past each view's position up to ``until`` (the head by
        default), reading the log once for all of them, in batches of about
        ``batch_size`` events, each batch in one transaction for all views; returns
        how many positions it moved past. Only the event types the views declare are
        read (when their stored topics are known); positions still advance past the
        others. Only the events ``keep`` accepts are applied (all by default).
        ``live``: the tables must be the live generations (``GenerationsSwapped`` if not).
        Tables only this process writes (a rebuild's) read the next batch while one is
        applied (with one reading thread: two batches in memory at most)."""
        if tables and all(t.exclusive for t in tables):
            with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as reader:
                return self._catch_up(tables, until, progress, batch_size, keep, live, reader)
        return self._catch_up(tables, until, progress, batch_size, keep, live, None)

    def _catch_up(
        self,
        tables: Sequence[ViewTables],
        until: int | None,
        progress: Progress | None,
        batch_size: int | None,
        keep: Callable[[EventRecord], bool] | None,
        live: bool,
        reader: ThreadPoolExecutor | None,
    ) -> int:
        wanted = frozenset().union(*(t.view.events for t in tables))
        topics = self._topics_of(wanted)
        end = self.head() if until is None else until
        limit, moved = batch_size or self.batch_size, 0
        start: int | None = None  # where the views stand: read once, then known
        upcoming: tuple[int, Future[tuple[int, list[EventRecord]]]] | None = None
        while tables and not self.stopping.is_set():
            if start is None:
                known = positions.read(self.database, [t.key for t in tables])
                start = min(known.get(t.key, 0) for t in tables)
            if start >= end:
                break
            # Read outside the batch's transaction (a store in memory cannot read while
            # it writes); the batch then applies to each view what it lacks under the lock.
            if upcoming is not None and upcoming[0] == start:
                last, events = upcoming[1].result()
            else:
                last, events = self._batch(start, end, topics, wanted, limit)
            upcoming = None
            if reader is not None and last < end:
                upcoming = (last, reader.submit(self._batch, last, end, topics, wanted, limit))
            if keep is not None:
                events = [e for e in events if keep(e)]
            # Tables only this process writes (a rebuild's) are changed before the
            # transaction, so that processes filling other views take turns only to write.
            ahead = {t.key: t.handle(events) for t in tables if t.exclusive}
            with (
                tracer.start_as_current_span(
                    "project",
                    links=links_to(traceparents_of(e.metadata for e in events)) if tracing_on() else None,
                    attributes={
                        "gongzhi.views": [t.view.name for t in tables],
                        "gongzhi.events": len(events),
                    },
                ),
                batch(self.database, tables, live=live) as current,
            ):
                behind = [t for t in tables if start <= current.position(t) < last]
                if not behind:
                    raise NothingToDo  # another process applied it meanwhile
                for view_tables in behind:
                    position = current.position(view_tables)
                    if position == start and view_tables.key in ahead:
                        current.write(ahead[view_tables.key])
                        continue
                    lacking = events if position == start else [e for e in events if e.position > position]
                    current.write(view_tables.handle(lacking))
                current.advance(behind, last)
            if current.written:
                moved += last - start
                if progress:
                    progress.advance(last - start)
                start = last
            else:
                start = None
        return moved

    def _batch(
        self, start: int, end: int, topics: list[str], wanted: frozenset[str], limit: int
    ) -> tuple[int, list[EventRecord]]:
        """The next batch: the position it reaches, and the wanted events after ``start``
        up to it, at least ``limit`` of them unless it reaches ``end``. The log is read
        in ranges of ``limit`` positions (see ``infra.store.record_reading``), as many as it
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
        """Applies the views whose applier lock this process holds or can take, until
        stopped; tries for the others every ``STANDBY_SECONDS``."""
        next_try = 0.0
        # The live generations of the views this process applies: a batch checks they
        # are still live, so they are looked up again only when one finds them swapped.
        mine: list[ViewTables] | None = None
        while not self.stopping.is_set():
            if time.monotonic() >= next_try:
                for lock in self._appliers.values():
                    lock.try_take()
                next_try = time.monotonic() + STANDBY_SECONDS
                if mine is not None and len(mine) != len(self.applying()):
                    mine = None
            applied = 0
            try:
                if mine is None:
                    mine = [self.live(name) for name in self.applying()]
                applied = self.catch_up(*mine, live=True)
            except GenerationsSwapped:
                mine = None  # a rebuild swapped a view in: apply to it from now on
                continue
            except Exception:
                log.exception("Projection batch failed; retrying")
                mine = None
                self._release()  # perhaps the lock's connection is gone: take it again
            if not applied:
                self.stopping.wait(poll_interval)
        self._release()

    def _release(self) -> None:
        for lock in self._appliers.values():
            lock.release()

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
        with rare_collections(freeze=True):
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
            swap(self.database, [live], [tables])
            live.drop()

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
