"""A rebuild spread over processes, one group of views each.

Python runs one thread of handlers at a time, so a rebuild of all views on one
process leaves the other cores idle. Here each worker process reads the log on
its own and fills the fresh tables of its group of views; the groups are
balanced by what each view cost on a sample of the log.

Workers are forked, not spawned: they start with the handlers and the store's
code already loaded, rather than importing the application again (a spawned
worker spent almost half as long importing as filling a quarter-million events). A
worker opens connections of its own and never touches the ones it inherited.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from multiprocessing.sharedctypes import SynchronizedArray

from infra.settings import Settings
from infra.store.application import open_application
from infra.views import open_views
from infra.viewstore.runner import Fill, Progress, ViewRunner
from infra.viewstore.tables import ViewTables
from projections import fold
from projections.events import records

SAMPLE_SIZE = 5000


def parallel_fill(settings: Settings, runner: ViewRunner, jobs: int) -> Fill | None:
    """Fills fresh tables in ``jobs`` processes (None when one would do)."""
    if jobs < 2 or len(runner.views) < 2:
        return None

    def fill(fresh: Sequence[ViewTables], progress: Progress | None) -> None:
        groups = balanced(fresh, costs(runner), jobs)
        context = multiprocessing.get_context("fork")
        read: SynchronizedArray[int] = context.Array("q", len(groups))
        workers = [
            context.Process(
                target=_fill_group,
                args=(settings, [(t.view.name, t.generation) for t in group], read, slot),
                name=f"rebuild-{'+'.join(t.view.name for t in group)}",
            )
            for slot, group in enumerate(groups)
        ]
        for worker in workers:
            worker.start()
        reported = 0
        while any(worker.is_alive() for worker in workers):
            time.sleep(0.2)
            # Every worker reads the whole log: the slowest tells how far the rebuild is.
            slowest = min(read[:])
            if progress is not None and slowest > reported:
                progress.advance(slowest - reported)
                reported = slowest
        failed = [worker.name for worker in workers if worker.exitcode != 0]
        if failed:
            raise RuntimeError(f"rebuild worker(s) failed: {', '.join(failed)}")

    return fill


def costs(runner: ViewRunner) -> dict[str, float]:
    """Seconds each view takes to fold the first events of the log, in memory."""
    sample = records(runner.recorder.select_notifications(start=0, limit=SAMPLE_SIZE))
    spent = {}
    for name, view in runner.views.items():
        started = time.perf_counter()
        fold(view, [e for e in sample if e.type in view.events])
        spent[name] = time.perf_counter() - started
    return spent


def balanced(fresh: Sequence[ViewTables], cost: dict[str, float], jobs: int) -> list[list[ViewTables]]:
    """At most ``jobs`` groups of tables of about equal cost: the costliest view first,
    each to the group that costs least so far."""
    groups: list[list[ViewTables]] = [[] for _ in range(min(jobs, len(fresh)))]
    totals = [0.0] * len(groups)
    for tables in sorted(fresh, key=lambda t: cost.get(t.view.name, 0.0), reverse=True):
        cheapest = totals.index(min(totals))
        groups[cheapest].append(tables)
        totals[cheapest] += cost.get(tables.view.name, 0.0)
    return groups


class _SharedCount:
    """Progress kept in a slot of an array shared with the parent process."""

    def __init__(self, read: SynchronizedArray[int], slot: int) -> None:
        self.read, self.slot = read, slot

    def advance(self, count: int = 1) -> None:
        self.read[self.slot] += count


def _fill_group(
    settings: Settings, parts: list[tuple[str, int]], read: SynchronizedArray[int], slot: int
) -> None:
    application = open_application(settings)
    try:
        runner = open_views(application, [name for name, _ in parts])
        fresh = [
            ViewTables(runner.database, runner.views[name], generation, exclusive=True)
            for name, generation in parts
        ]
        runner.fill(fresh, _SharedCount(read, slot))
        for tables in fresh:  # here, beside the other workers, rather than after them all
            tables.create_indexes()
    finally:
        application.close()
