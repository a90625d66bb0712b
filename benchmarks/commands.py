"""Commands per second: the HTTP API against a plain application loop.

Both admit members (the same command, the same application code, the same
kind of store) in one run; the API is loaded by 16 concurrent clients with
keep-alive connections. Prints both rates and their ratio, for SQLite and
PostgreSQL. Usage: python -m benchmarks.commands [--commands N] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterator
from urllib.parse import urlsplit
from uuid import UUID

import orjson

from api.key_commands import key_store
from benchmarks import load
from benchmarks.support import STORES, api_servers
from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.principals import Role
from infra.persistence import open_application
from infra.progress import Progress
from infra.settings import Settings

CLIENTS = 16
ORGANISATIONS = 40
ROLES = ("member", "standing_member", "liaison_representative", "grid_head", "advisor")


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


def plain_loop(app: Gongzhi, admissions: list[tuple[UUID, UUID, str]]) -> float:
    progress = Progress("plain application loop", len(admissions))
    with acting(CommandContext(actor="bench")):
        for organisation, person, role in admissions:
            app.admit_member(organisation, person, role, "resident", "2024-01-01")
            progress.advance()
    progress.finish()
    return len(admissions) / progress.elapsed()


def http_clients(bases: list[str], admissions: list[tuple[UUID, UUID, str]], key: str) -> float:
    servers = [(urlsplit(b).hostname or "127.0.0.1", urlsplit(b).port or 80) for b in bases]
    host = servers[0][0]
    progress = Progress(f"HTTP API, {CLIENTS} connections", len(admissions))
    failures: list[str] = []
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}

    def requests(share: list[tuple[UUID, UUID, str]]) -> Iterator[bytes]:
        for organisation, person, role in share:
            body = orjson.dumps({"person_id": person, "role": role, "joined_on": "2024-01-01"})
            yield load.post(host, f"/organisations/{organisation}/members", body, headers)

    def on_response(status: int, response: bytes) -> None:
        if status != 201:
            failures.append(f"{status} {response[-200:]!r}")
        progress.advance()

    # One organisation per connection, so requests never race for the same
    # aggregate (the plain loop has no races either).
    shares: dict[UUID, list[tuple[UUID, UUID, str]]] = {}
    for admission in admissions:
        shares.setdefault(admission[0], []).append(admission)
    groups = [[a for share in list(shares.values())[i::CLIENTS] for a in share] for i in range(CLIENTS)]
    load.run(servers, [requests(group) for group in groups], on_response)
    progress.finish()
    if failures:
        raise RuntimeError(f"{len(failures)} commands failed, first: {failures[0]}")
    return len(admissions) / progress.elapsed()


def measure(settings: Settings, commands: int, workers: int) -> tuple[float, float]:
    app = open_application(settings)
    loop_admissions = prepare(app, commands)
    api_admissions = prepare(app, commands)
    loop_rate = plain_loop(app, loop_admissions)
    app.close()
    with key_store(settings) as keys:
        key, _ = keys.create("bench", Role.ADMIN)
    with api_servers(settings, workers) as bases:
        api_rate = http_clients(bases, api_admissions, key)
    return loop_rate, api_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2, help="API processes (default: one per core)")
    args = parser.parse_args()
    rows = []
    for name in args.stores or list(STORES):
        with STORES[name]() as settings:
            loop_rate, api_rate = measure(settings, args.commands, args.workers)
        rows.append((name, loop_rate, api_rate))
    print(f"\n{'store':<10}{'plain loop/s':>14}{'HTTP API/s':>12}{'ratio':>8}   (target ratio >= 0.8)")
    for name, loop_rate, api_rate in rows:
        print(f"{name:<10}{loop_rate:>14,.0f}{api_rate:>12,.0f}{api_rate / loop_rate:>8.2f}")


if __name__ == "__main__":
    main()
