"""A points dividend over 231,000 members (seed 003's figure) against a plain-Python
allocation of the same numbers, in the same run.

The measured path is the domain's: ``Dividend.declare`` splits the total, allocates
both parts by the largest remainder (``domain.dividend.allocate``) and records the
whole allocation as one event. The plain allocation computes each member's exact
share as a ``Fraction``, floors it, and hands out the fen left over by sorting every
member on their remainder. Both give the same amounts (checked once). They take turns
in rounds; each reports its rate (members a second) and, measured apart with
``tracemalloc``, members per MiB of peak memory. Target: the domain at least as fast
as the plain allocation, in no more memory.
Usage: python -m benchmarks.dividend [--members 231000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from math import floor
from typing import Any

from benchmarks.support import report, side_by_side
from domain.dividend import Dividend, share_of
from infra.progress import Progress

MEMBERS = 231_000
TOTAL_FEN = 1_781_600_000
"""17.816 million yuan."""
POINTS_SHARE = 0.4
MIB = 1024 * 1024


def balances(members: int, seed: int = 3) -> dict[str, int]:
    """Points per member: most a few dozen, some deducted below zero, some with none."""
    rng = random.Random(seed)
    return {f"{n:08d}-villager": rng.choice((0, -5, *range(1, 120))) for n in range(members)}


def plain(total_fen: int, share: Fraction, held: dict[str, int]) -> dict[str, int]:
    """The same allocation, written the plain way: exact fractions and a full sort."""
    people = sorted(held)
    points = {p: max(held[p], 0) for p in people}
    weight = sum(points.values())
    points_pot = floor(total_fen * share) if weight else 0
    equal_pot = total_fen - points_pot
    amounts = dict.fromkeys(people, 0)
    for pot, weights in ((points_pot, points), (equal_pot, dict.fromkeys(people, 1))):
        whole = sum(weights.values())
        if not pot or not whole:
            continue
        exact = {p: Fraction(pot * weights[p], whole) for p in people}
        floors = {p: floor(exact[p]) for p in people}
        left = pot - sum(floors.values())
        ranked = sorted(people, key=lambda p: (-(exact[p] - floors[p]), -held[p], p))
        for n, person in enumerate(ranked):
            amounts[person] += floors[person] + (1 if n < left else 0)
    return amounts


def domain(total_fen: int, held: dict[str, int]) -> dict[str, int]:
    dividend = Dividend.declare("benchmark", total_fen, POINTS_SHARE, "2024-12-31", held)
    return {str(row[0]): int(row[2]) + int(row[3]) for row in dividend.allocations}


@contextmanager
def ticking(label: str) -> Iterator[None]:
    """On a terminal, the seconds a step has taken so far, redrawn while it runs."""
    done = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        while not done.wait(0.2):
            sys.stderr.write(f"\r{label}: {time.monotonic() - started:.1f} s ")
            sys.stderr.flush()

    ticker = threading.Thread(target=tick, daemon=True) if sys.stderr.isatty() else None
    if ticker:
        ticker.start()
    try:
        yield
    finally:
        done.set()
        if ticker:
            ticker.join()


def rate(label: str, run: Callable[[], Any], members: int) -> float:
    progress = Progress(label, members)
    with ticking(label):
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
    progress.advance(members)
    progress.finish()
    return members / seconds


def per_mib(label: str, run: Callable[[], Any], members: int) -> float:
    with ticking(f"{label}, memory"):
        tracemalloc.start()
        try:
            run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    print(f"\r{label}: peak {peak / MIB:,.1f} MiB", file=sys.stderr)
    return members / (peak / MIB)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("stores", nargs="*", help="ignored: the dividend needs no store")
    args = parser.parse_args()
    held = balances(args.members)
    share = share_of(POINTS_SHARE)
    assert domain(TOTAL_FEN, held) == plain(TOTAL_FEN, share, held), "the two allocations differ"

    def measured() -> object:
        return domain(TOTAL_FEN, held)

    def floor_path() -> object:
        return plain(TOTAL_FEN, share, held)

    n = args.members
    results = [
        side_by_side(
            f"dividend time ({n:,} members/s)",
            "memory",
            lambda: rate("plain allocation", floor_path, n),
            lambda: rate("domain dividend", measured, n),
            target=1.0,
            rounds=args.rounds,
        ),
        side_by_side(
            f"dividend memory ({n:,} members/MiB peak)",
            "memory",
            lambda: per_mib("plain allocation", floor_path, n),
            lambda: per_mib("domain dividend", measured, n),
            target=1.0,
            rounds=args.rounds,
        ),
    ]
    report("A points dividend against a plain-Python allocation of the same numbers", results)


if __name__ == "__main__":
    main()
