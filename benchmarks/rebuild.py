"""Rebuild of every view against the raw floor, on a store of a million events.

The raw floor reads and decodes every notification with the eventsourcing
recorder and mapper and does nothing else; the rebuild reads the same log once
and fills fresh tables for all views. Each runs in its own process, so its peak
memory (max RSS) is its own; measuring at several store sizes shows that peak
memory does not grow with the number of events.
Usage: python -m benchmarks.rebuild [--sizes 250000,1000000] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import os
from uuid import UUID

from eventsourcing.persistence import Mapper

from benchmarks.support import STORES, measure_apart, print_measurement
from infra.parallel_rebuild import parallel_fill
from infra.progress import Progress
from infra.settings import Settings, load_settings
from infra.store.application import open_application
from infra.views import open_views
from testing.generate import generate

JOBS = os.cpu_count() or 1


def raw_floor(settings: Settings) -> int:
    app = open_application(settings)
    # The library's own mapper: the floor leaves personal details sealed, as the views do.
    mapper: Mapper[UUID] = Mapper(transcoder=app.mapper.transcoder)
    progress = Progress("raw read and decode", app.recorder.max_notification_id())
    start, count = 0, 0
    while batch := app.recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False):
        for notification in batch:
            mapper.to_domain_event(notification)
        start, count = batch[-1].id, count + len(batch)
        progress.advance(len(batch))
    progress.finish()
    app.close()
    return count


def rebuild(settings: Settings) -> int:
    app = open_application(settings)
    runner = open_views(app)
    head = runner.head()
    progress = Progress("rebuild of all views", head)
    runner.rebuild(progress=progress, fill_elsewhere=parallel_fill(settings, runner, JOBS))
    progress.finish()
    app.close()
    return head


def measure(settings: Settings, what: str) -> dict[str, float]:
    return measure_apart("benchmarks.rebuild", settings, what)


def _measure_here(what: str) -> None:
    settings = load_settings()
    print_measurement(lambda: raw_floor(settings) if what == "raw" else rebuild(settings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--sizes", default="1000000", help="store sizes to measure at, ascending")
    parser.add_argument("--measure", choices=["raw", "rebuild"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure_here(args.measure)
        return
    rows = []
    for name in args.stores or list(STORES):
        with STORES[name]() as settings:
            app = open_application(settings)
            stored = 0
            for size in (int(s) for s in args.sizes.split(",")):
                stored += generate(app, size - stored, seed=size)
                raw, built = measure(settings, "raw"), measure(settings, "rebuild")
                rows.append((name, raw, built))
            app.close()
    header = ("store", "events", "raw/s", "rebuild/s", "ratio", "raw MiB", "rebuild MiB")
    print("\n{:<9}{:>10}{:>10}{:>11}{:>7}{:>9}{:>13}".format(*header))
    for name, raw, built in rows:
        raw_rate, rebuild_rate = raw["events"] / raw["seconds"], built["events"] / built["seconds"]
        print(
            f"{name:<9}{raw['events']:>10,.0f}{raw_rate:>10,.0f}{rebuild_rate:>11,.0f}"
            f"{rebuild_rate / raw_rate:>7.2f}{raw['peak_mib']:>9.0f}{built['peak_mib']:>13.0f}"
        )
    print("(target: rebuild at least 0.5 of the raw rate; peak memory flat across sizes)")


if __name__ == "__main__":
    main()
