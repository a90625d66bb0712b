"""What the benchmarks share: stores to measure against, and measurements made apart."""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
