"""What the benchmarks share: stores to measure against, and measurements made apart."""

from __future__ import annotations

import base64
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from infra.settings import Settings, load_settings
from testing.processes import settings_env

POSTGRES_URL = os.environ.get("GONGZHI_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
MASTER_KEY = os.environ.get("GONGZHI_MASTER_KEY") or base64.b64encode(os.urandom(32)).decode()
"""The master key of the benchmarks' stores (made for the run unless one is set)."""


@contextmanager
def sqlite_store() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as data_dir:
        yield load_settings(data_dir=Path(data_dir), master_key=MASTER_KEY)


@contextmanager
def postgres_store() -> Iterator[Settings]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield load_settings(database_url=POSTGRES_URL, database_schema=schema, master_key=MASTER_KEY)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


STORES = {"sqlite": sqlite_store, "postgres": postgres_store}


def measure_apart(module: str, settings: Settings, what: str) -> dict[str, float]:
    """Runs ``python -m module --measure what`` on the store, in a fresh process so that
    its peak memory is its own; returns its events, seconds and peak MiB."""
    output = subprocess.run(
        [sys.executable, "-m", module, "--measure", what],
        env=settings_env(settings),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def print_measurement(run: Callable[[], int]) -> None:
    """Times ``run`` (which returns how many events it handled) and prints the figures
    ``measure_apart`` reads: the largest peak memory of this process and its children."""
    started = time.perf_counter()
    events = run()
    seconds = time.perf_counter() - started
    peak = max(_own_peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"events": events, "seconds": seconds, "peak_mib": peak / 1024}))


def _own_peak_kib() -> int:
    """This process's peak RSS since it started its program. Linux carries ``ru_maxrss``
    over from before ``exec``, when the process was a copy of the benchmark that had
    just generated the store (and grew with it)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@dataclass(frozen=True)
class Ratio:
    """One measured path against its floor, from rounds run side by side."""

    path: str
    store: str
    floor_rates: list[float]
    rates: list[float]
    target: float

    @property
    def ratios(self) -> list[float]:
        return [rate / floor for rate, floor in zip(self.rates, self.floor_rates, strict=True)]

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    def line(self) -> str:
        low, high = min(self.ratios), max(self.ratios)
        met = "yes" if self.median >= self.target else "NO"
        return (
            f"{self.path:<44}{self.store:<10}{statistics.median(self.floor_rates):>12,.0f}"
            f"{statistics.median(self.rates):>12,.0f}{self.median:>8.2f}  {low:.2f}-{high:.2f}"
            f"{self.target:>8.2f}  {met}"
        )


HEADER = f"{'path':<44}{'store':<10}{'floor/s':>12}{'rate/s':>12}{'ratio':>8}  spread  {'target':>7}  met"


def side_by_side(
    path: str,
    store: str,
    floor: Callable[[], float],
    measured: Callable[[], float],
    *,
    target: float,
    rounds: int = 3,
) -> Ratio:
    """Runs the floor and the measured path in turns, ``rounds`` times each, so that a
    machine busy with other work slows both alike; each callable returns its rate."""
    floor_rates, rates = [], []
    for n in range(rounds):
        print(f"{path} on {store}: round {n + 1}/{rounds}", file=sys.stderr)
        floor_rates.append(floor())
        rates.append(measured())
    return Ratio(path, store, floor_rates, rates, target)


def report(title: str, results: list[Ratio]) -> None:
    """Prints the results as a table, and adds them to the file ``make bench`` collects
    its one table from, when it names one."""
    print(f"\n{title}\n{HEADER}")
    for result in results:
        print(result.line())
    collected = os.environ.get(RESULTS_FILE)
    if collected:
        with open(collected, "a") as file:
            for result in results:
                file.write(json.dumps(asdict(result)) + "\n")


RESULTS_FILE = "GONGZHI_BENCH_RESULTS"
"""The environment variable naming the file each benchmark adds its results to."""


def read_results(path: Path) -> list[Ratio]:
    return [Ratio(**json.loads(line)) for line in path.read_text().splitlines() if line]
