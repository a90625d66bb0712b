"""The three hot reads against FastAPI's hello-world, requests per second.

A fund's view (``GET /views/funds/{id}``), the statistics (``GET /views/statistics``)
and a fund aggregate (``GET /funds/{id}``) are read from one ``gongzhi serve``
process (rate limit off) on a generated store, and ``/`` from a hello-world in a
uvicorn process of its own, each over 16 keep-alive connections, in interleaved
rounds. Prints each read's median rate against the hello-world's, for SQLite and
PostgreSQL. Usage: python -m benchmarks.reads [--events N] [--requests N] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from api.key_commands import key_store
from benchmarks import load
from benchmarks.support import STORES, Ratio, report, side_by_side
from domain.principals import PrincipalRole
from infra.progress import Progress
from infra.settings import Settings
from infra.store.application import open_application
from infra.views import open_views
from testing.generate import generate
from testing.processes import free_port
from testing.servers import api_server

CONNECTIONS = 16
TARGET = 0.5
HELLO_OPTIONS = ("--no-access-log", "--no-server-header", "--log-level", "warning")


@contextmanager
def hello_server() -> Iterator[str]:
    """FastAPI's hello-world in a uvicorn process of its own, on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.hello:app", "--port", str(port), *HELLO_OPTIONS],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the hello-world server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def prepare(settings: Settings, events: int) -> tuple[str, list[str]]:
    """Generates the store, brings its views up to date; an admin key and the funds' ids."""
    application = open_application(settings)
    generate(application, events)
    runner = open_views(application)
    progress = Progress("applying the views", runner.head())
    runner.catch_up(*(runner.live(name) for name in runner.views), progress=progress)
    progress.finish()
    funds = runner.live("funds")
    rows = runner.database.query(f"SELECT id FROM {funds.name('funds')} ORDER BY id")
    application.close()
    with key_store(settings) as keys:
        key, _ = keys.create("bench", PrincipalRole.ADMIN)
    return key, [row["id"] for row in rows]


def rate(base: str, paths: list[str], requests: int, headers: dict[str, str], label: str) -> float:
    """Requests a second over ``CONNECTIONS`` keep-alive connections, each going
    through ``paths`` in turn; every answer must be a 200."""
    address = (urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80)
    progress = Progress(label, requests)
    failures: list[str] = []

    def stream(offset: int) -> Iterator[bytes]:
        cycle = itertools.islice(itertools.cycle(paths), offset, None)
        for path in itertools.islice(cycle, requests // CONNECTIONS):
            yield load.get(address[0], path, headers)

    def on_response(status: int, response: bytes) -> None:
        if status != 200:
            failures.append(f"{status} {response[-200:]!r}")
        progress.advance()

    load.run([address], [stream(n) for n in range(CONNECTIONS)], on_response)
    progress.finish()
    if failures:
        raise RuntimeError(f"{len(failures)} of {requests} reads failed, first: {failures[0]}")
    return progress.done / progress.elapsed()


def measure(store: str, settings: Settings, events: int, requests: int, rounds: int) -> list[Ratio]:
    key, funds = prepare(settings, events)
    auth = {"Authorization": f"Bearer {key}"}
    reads = {
        "GET /views/funds/{id}": [f"/views/funds/{fund}" for fund in funds],
        "GET /views/statistics": ["/views/statistics"],
        "GET /funds/{id} (aggregate, ETag)": [f"/funds/{fund}" for fund in funds],
    }
    results = []
    with hello_server() as hello, api_server(settings) as api:
        for path, paths in reads.items():
            rate(api, paths, CONNECTIONS * 20, auth, f"warming up {path}")

            def floor() -> float:
                return rate(hello, ["/"], requests, {}, "hello-world")

            def measured(paths: list[str] = paths, path: str = path) -> float:
                return rate(api, paths, requests, auth, path)

            results.append(side_by_side(path, store, floor, measured, target=TARGET, rounds=rounds))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--events", type=int, default=20_000, help="events in the generated store")
    parser.add_argument("--requests", type=int, default=4000, help="requests a round of each path")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = []
    for name in args.stores or list(STORES):
        with STORES[name]() as settings:
            results += measure(name, settings, args.events, args.requests, args.rounds)
    report(f"Reads against FastAPI's hello-world, {CONNECTIONS} keep-alive connections", results)


if __name__ == "__main__":
    main()
