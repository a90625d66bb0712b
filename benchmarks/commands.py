"""Commands per second: the HTTP API against a plain application loop.

Both run the same commands (the same application code, the same kind of store)
in one run; the API is loaded by 16 concurrent clients with keep-alive
connections. By default they admit members to 40 organisations, each
connection keeping to organisations of its own; with ``--hot`` every command
is a donation to one fund, so that all 16 connections, over both processes,
queue for one aggregate. The two take turns, three rounds each by default;
prints the median ratio with its spread, for SQLite and
PostgreSQL. Usage: python -m benchmarks.commands [--hot] [--commands N] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit
from uuid import UUID

import orjson

from api.key_commands import key_store
from benchmarks import load
from benchmarks.support import STORES, Ratio, report, side_by_side
from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.principals import PrincipalRole as Role
from infra.progress import Progress
from infra.settings import Settings
from infra.store.application import open_application
from testing.servers import api_servers

CLIENTS = 16
ORGANISATIONS = 40
ROLES = ("member", "standing_member", "liaison_representative", "grid_head", "advisor")


Request = tuple[str, dict[str, object]]
"""A command as the API takes it: path and body."""


def prepare(app: Gongzhi, people: int) -> list[tuple[UUID, UUID, str]]:
    """Organisations and people to admit, as (organisation, person, role)."""
    progress = Progress("preparing", ORGANISATIONS + people)
    with acting(CommandContext(actor="bench")):
        organisations = []
        for n in range(ORGANISATIONS):
            kind = "self_governance_committee"
            organisations.append(app.register_organisation(kind, f"议事会{n}", f"浙江省/嘉兴市/村{n}").id)
            progress.advance()
        admissions = []
        for n, organisation in zip(range(people), itertools.cycle(organisations), strict=False):
            person = app.register_person(f"居民{n}").id
            admissions.append((organisation, person, ROLES[n % len(ROLES)]))
            progress.advance()
    progress.finish()
    return admissions


def admitting(app: Gongzhi, commands: int) -> tuple[Callable[[], None], list[list[Request]]]:
    """Admissions for the plain loop, and others for the API, one organisation per
    connection, so that requests never race for the same aggregate (the plain loop
    has no races either)."""
    in_loop = iter(prepare(app, commands))
    shares: dict[UUID, list[Request]] = {}
    for organisation, person, role in prepare(app, commands):
        body: dict[str, object] = {"person_id": str(person), "role": role, "joined_on": "2024-01-01"}
        shares.setdefault(organisation, []).append((f"/organisations/{organisation}/members", body))

    def admit() -> None:
        organisation, person, role = next(in_loop)
        app.admit_member(organisation, person, role, "resident", "2024-01-01")

    groups = [[r for share in list(shares.values())[i::CLIENTS] for r in share] for i in range(CLIENTS)]
    return admit, groups


def donating(app: Gongzhi, commands: int) -> tuple[Callable[[], None], list[list[Request]]]:
    """Donations to one fund in the plain loop, and to another over every connection."""
    with acting(CommandContext(actor="bench")):
        owner = app.register_organisation("sage_association", "乡贤会", "浙江省/嘉兴市/村0").id
        in_loop, hot = (app.open_fund(owner, f"基金{n}", ["education"]).id for n in range(2))
    body: dict[str, object] = {"amount_fen": 100, "donor_name": "沈先生", "received_on": "2024-01-01"}
    requests: list[Request] = [(f"/funds/{hot}/donations", body)] * commands

    def donate() -> None:
        app.receive_donation(in_loop, 100, donor_name="沈先生", received_on="2024-01-01")

    return donate, [requests[i::CLIENTS] for i in range(CLIENTS)]


WORKLOADS = {"mixed": admitting, "hot": donating}


def plain_loop(app: Gongzhi, command: Callable[[], None], commands: int) -> float:
    """Seconds the loop takes."""
    progress = Progress("plain application loop", commands)
    with acting(CommandContext(actor="bench")):
        for _ in range(commands):
            command()
            progress.advance()
    progress.finish()
    return progress.elapsed()


def http_clients(bases: list[str], groups: list[list[Request]], key: str) -> float:
    """Sends each group's requests in order on a connection of its own; the seconds it takes."""
    servers = [(urlsplit(b).hostname or "127.0.0.1", urlsplit(b).port or 80) for b in bases]
    host = servers[0][0]
    commands = sum(len(group) for group in groups)
    progress = Progress(f"HTTP API, {CLIENTS} connections", commands)
    failures: list[str] = []
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}

    def requests(group: list[Request]) -> Iterator[bytes]:
        for path, body in group:
            yield load.post(host, path, orjson.dumps(body), headers)

    def on_response(status: int, response: bytes) -> None:
        if status != 201:
            failures.append(f"{status} {response[-200:]!r}")
        progress.advance()

    load.run(servers, [requests(group) for group in groups], on_response)
    progress.finish()
    if failures:
        raise RuntimeError(f"{len(failures)} of {commands} commands failed, first: {failures[0]}")
    return progress.elapsed()


TARGETS = {"sqlite": 1.2, "postgres": 2.0}
"""The HTTP API's rate as a multiple of the plain loop's: group commit lets many
concurrent commands share one commit, where the loop commits each on its own."""


def measure(settings: Settings, store: str, workload: str, commands: int, workers: int, rounds: int) -> Ratio:
    """Both rates, from rounds that take turns (the loop's share, then the API's), so
    that a machine busy with other work slows both alike."""
    app = open_application(settings)
    command, groups = WORKLOADS[workload](app, commands)
    with key_store(settings) as keys:
        key, _ = keys.create("bench", Role.ADMIN)
    shares = [
        [group[n * len(group) // rounds : (n + 1) * len(group) // rounds] for group in groups]
        for n in range(rounds)
    ]
    played = iter(range(rounds))
    with api_servers(settings, workers) as bases:

        def loop_rate() -> float:
            return commands // rounds / plain_loop(app, command, commands // rounds)

        def api_rate() -> float:
            share = shares[next(played)]
            return sum(len(group) for group in share) / http_clients(bases, share, key)

        result = side_by_side(
            f"{workload} commands, HTTP vs plain loop",
            store,
            loop_rate,
            api_rate,
            target=TARGETS[store],
            rounds=rounds,
        )
    app.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2, help="API processes (default: one per core)")
    parser.add_argument("--hot", action="store_true", help="every command on one aggregate")
    parser.add_argument("--rounds", type=int, default=3, help="turns the loop and the API take")
    args = parser.parse_args()
    workload = "hot" if args.hot else "mixed"
    results = []
    for name in args.stores or list(STORES):
        with STORES[name]() as settings:
            results.append(measure(settings, name, workload, args.commands, args.workers, args.rounds))
    report(
        f"{workload} commands per second: the HTTP API ({CLIENTS} connections) against a plain loop", results
    )


if __name__ == "__main__":
    main()
