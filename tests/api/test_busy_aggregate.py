"""Two `gongzhi serve` processes on one store, many connections writing to one fund:
every plain command is taken, however busy the fund; `If-Match` still refuses a
stale version."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import httpx
import pytest

from infra.settings import Settings
from testing.processes import settings_env
from testing.servers import api_servers

CONNECTIONS = 16
DONATIONS = 200
SECONDS = 60
"""The bound on every wait: a request, the servers' start, the whole burst."""


def admin_key(settings: Settings) -> str:
    created = subprocess.run(
        [sys.executable, "-m", "api.cli", "keys", "create", "--name", "clerk", "--role", "admin"],
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=SECONDS,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


@pytest.fixture
def connections(settings: Settings) -> Iterator[list[httpx.Client]]:
    """Keep-alive connections spread over two API processes, as a load balancer would."""
    key = admin_key(settings)
    with api_servers(settings, 2) as bases, ExitStack() as stack:
        yield [
            stack.enter_context(
                httpx.Client(
                    base_url=bases[n % len(bases)],
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=SECONDS,
                    limits=httpx.Limits(max_connections=1),
                )
            )
            for n in range(CONNECTIONS)
        ]


def open_fund(http: httpx.Client) -> str:
    body = {"kind": "sage_association", "name": "乡贤会", "jurisdiction": "浙江省/嘉兴市"}
    owner = http.post("/organisations", json=body)
    assert owner.status_code == 201, owner.text
    fund = http.post(
        "/funds", json={"organisation_id": owner.json()["id"], "name": "助学金", "purposes": ["education"]}
    )
    assert fund.status_code == 201, fund.text
    fund_id: str = fund.json()["id"]
    return fund_id


def burst(
    connections: list[httpx.Client], send: Callable[[httpx.Client, int], httpx.Response]
) -> list[httpx.Response]:
    """Each connection sends its share of requests one after another, all connections at once."""

    def share(n: int) -> list[httpx.Response]:
        return [send(connections[n], number) for number in range(n, DONATIONS, CONNECTIONS)]

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        shares = [pool.submit(share, n) for n in range(CONNECTIONS)]
        return [response for future in shares for response in future.result(timeout=SECONDS)]


def test_every_donation_to_a_busy_fund_is_taken(connections: list[httpx.Client]) -> None:
    fund = open_fund(connections[0])

    def donate(http: httpx.Client, number: int) -> httpx.Response:
        body = {"amount_fen": 100 + number, "donor_name": f"捐赠人{number}"}
        key = f"donation-{number}"
        return http.post(f"/funds/{fund}/donations", json=body, headers={"Idempotency-Key": key})

    responses = burst(connections, donate)

    refused = [f"{r.status_code} {r.text}" for r in responses if r.status_code != 201]
    assert not refused, f"{len(refused)} of {DONATIONS} refused, first: {refused[0]}"
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, 2 + DONATIONS))
    for http in connections[:2]:  # each process sees what the other wrote
        state = http.get(f"/funds/{fund}").json()
        assert state["donated_fen"] == sum(100 + number for number in range(DONATIONS))
        assert state["version"] == 1 + DONATIONS


def test_if_match_with_a_stale_version_is_refused_however_busy_the_fund(
    connections: list[httpx.Client],
) -> None:
    fund = open_fund(connections[0])
    body = {"amount_fen": 500, "donor_name": "沈先生"}
    first = connections[0].post(f"/funds/{fund}/donations", json=body, headers={"If-Match": '"1"'})
    assert first.status_code == 201, first.text

    stale = connections[1].post(f"/funds/{fund}/donations", json=body, headers={"If-Match": '"1"'})

    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"] == "application/problem+json"

    def race(http: httpx.Client, _: int) -> httpx.Response:
        return http.post(f"/funds/{fund}/donations", json=body, headers={"If-Match": '"2"'})

    statuses = sorted(r.status_code for r in burst(connections, race))
    assert statuses == [201] + [412] * (DONATIONS - 1)
    assert connections[1].get(f"/funds/{fund}").json()["version"] == 3
