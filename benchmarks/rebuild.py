"""Rebuild of every view against the raw floor, at several store sizes.

The raw floor reads and decodes every notification with the eventsourcing
recorder and mapper and does nothing else; the rebuild reads the same log and
fills fresh tables for all views (as ``gongzhi projections rebuild`` does it,
one process per core). The two take turns in rounds, each in a process of its
own, so that its peak memory (max RSS) is its own and other work on the machine
slows both alike; measuring at several store sizes shows that peak memory does
not grow with the number of events. ``--busy`` keeps one core spinning during
every measurement, as another service on the host would.
Usage: python -m benchmarks.rebuild [--sizes 250000,1000000] [--rounds 3] [--busy] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from eventsourcing.persistence import Mapper

from benchmarks.support import STORES, Ratio, measure_apart, print_measurement, report, side_by_side
from infra.parallel_rebuild import parallel_fill
from infra.progress import Progress
from infra.settings import Settings, load_settings
from infra.store.application import open_application
from infra.views import open_views
from testing.generate import generate

JOBS = os.cpu_count() or 1
TARGET, BUSY_TARGET = 0.8, 0.5


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


class Measured:
    """Rates of one kind of measurement on a store, keeping each run's peak memory."""

    def __init__(self, settings: Settings, what: str, module: str = "benchmarks.rebuild") -> None:
        self.settings, self.what, self.module = settings, what, module
        self.peaks: list[float] = []

    def __call__(self) -> float:
        figures = measure_apart(self.module, self.settings, self.what)
        self.peaks.append(figures["peak_mib"])
        return figures["events"] / figures["seconds"]


@contextmanager
def one_core_busy(busy: bool) -> Iterator[None]:
    """A process spinning on the first core while the block runs (if ``busy``)."""
    if not busy:
        yield
        return
    spin = "import os\nos.sched_setaffinity(0, {0})\nwhile True: pass"
    spinner = subprocess.Popen([sys.executable, "-c", spin])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def print_peaks(title: str, rows: list[tuple[str, int, Measured, Measured]]) -> None:
    """The largest peak memory of each side over its rounds, per store and size."""
    print(f"\n{title}\n{'store':<10}{'events':>11}{'raw MiB':>10}{'measured MiB':>14}")
    for store, size, floor, measured in rows:
        print(f"{store:<10}{size:>11,}{max(floor.peaks):>10.0f}{max(measured.peaks):>14.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--sizes", default="250000,1000000", help="store sizes to measure at, ascending")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of raw floor and rebuild")
    parser.add_argument("--busy", action="store_true", help="keep one core spinning while measuring")
    parser.add_argument("--measure", choices=["raw", "rebuild"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        settings = load_settings()
        print_measurement(lambda: raw_floor(settings) if args.measure == "raw" else rebuild(settings))
        return
    busy = ", other core busy" if args.busy else ""
    results: list[Ratio] = []
    peaks: list[tuple[str, int, Measured, Measured]] = []
    for name in args.stores or list(STORES):
        with STORES[name]() as settings:
            app = open_application(settings)
            stored = 0
            for size in (int(s) for s in args.sizes.split(",")):
                stored += generate(app, size - stored, seed=size)
                floor, measured = Measured(settings, "raw"), Measured(settings, "rebuild")
                with one_core_busy(args.busy):
                    results.append(
                        side_by_side(
                            f"rebuild, {size:,} events{busy}",
                            name,
                            floor,
                            measured,
                            target=BUSY_TARGET if args.busy else TARGET,
                            rounds=args.rounds,
                        )
                    )
                peaks.append((name, size, floor, measured))
            app.close()
    report("Rebuild of all views against the raw read-and-decode floor", results)
    print_peaks("Peak memory (largest process, largest round): flat across sizes", peaks)


if __name__ == "__main__":
    main()
