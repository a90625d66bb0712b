"""Concurrent clients against a real server: money is never paid twice or overdrawn,
and one idempotency key sent by racing retries records one command."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from domain.principals import PrincipalRole as Role
from infra.api_keys import KeyStore
from infra.settings import Settings

DONATED_FEN = 10_000
ATTEMPTS_FEN = [1_000] * 20 + [3_000] * 5


class KeyedClient(httpx.Client):
    """An HTTP client that sends each actor's own API key, made on first use: an admin's,
    or an officer's of the organisation named."""

    def __init__(self, keys: KeyStore, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys = keys
        self.tokens: dict[tuple[str, str | None], str] = {}
        self.lock = threading.Lock()

    def bearer(self, actor: str, organisation_id: str | None) -> dict[str, str]:
        with self.lock:
            if (actor, organisation_id) not in self.tokens:
                if organisation_id is None:
                    secret, _ = self.keys.create(actor, Role.ADMIN)
                else:
                    secret, _ = self.keys.create(actor, Role.OFFICER, organisations=[organisation_id])
                self.tokens[actor, organisation_id] = secret
            return {"Authorization": f"Bearer {self.tokens[actor, organisation_id]}"}


@dataclass
class Server:
    url: str
    keys: KeyStore


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    """A uvicorn server on a free loopback port, in a background thread; its shutdown
    runs the application's lifespan, which closes the application."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start within 10 s"
        time.sleep(0.01)
    try:
        yield Server(f"http://127.0.0.1:{port}", app.state.keys)
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=15)
        listener.close()
    assert not thread.is_alive(), "the server did not shut down"


@pytest.fixture
def http(server: Server) -> Iterator[KeyedClient]:
    limits = httpx.Limits(max_connections=len(ATTEMPTS_FEN) * 2)
    with KeyedClient(server.keys, base_url=server.url, timeout=60, limits=limits) as client:
        client.headers.update(client.bearer("clerk", None))
        yield client


def send(
    http: KeyedClient,
    path: str,
    body: Any = None,
    actor: str = "clerk",
    officer_of: str | None = None,
    **headers: str,
) -> httpx.Response:
    response = http.post(path, json=body, headers={**http.bearer(actor, officer_of), **headers})
    assert response.status_code < 500, response.text
    return response


def created(response: httpx.Response, key: str = "id") -> str:
    assert response.status_code == 201, response.text
    value: str = response.json()[key]
    return value


@dataclass
class Attempt:
    """One client's request, approval and payment of one disbursement."""

    amount_fen: int
    disbursement_id: str | None = None
    statuses: list[int] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def paid(self) -> bool:
        return self.statuses == [201, 200, 200]


def attempt(http: KeyedClient, owner: str, fund: str, number: int, amount_fen: int) -> Attempt:
    result = Attempt(amount_fen)
    steps: list[tuple[str, Any, str]] = [
        (
            f"/funds/{fund}/disbursements",
            {"amount_fen": amount_fen, "purpose": "relief", "payee": f"户{number}"},
            "",
        ),
        ("/approvals", None, f"approver_{number}"),
        ("/payment", {}, "treasurer"),
    ]
    for path, body, actor in steps:
        if result.disbursement_id is not None:
            path = f"/funds/{fund}/disbursements/{result.disbursement_id}{path}"
        response = send(http, path, body, actor=actor or f"requester_{number}", officer_of=owner)
        result.statuses.append(response.status_code)
        if response.status_code not in (200, 201):
            assert response.headers["content-type"] == "application/problem+json"
            result.refusals.append(response.json())
            break
        result.disbursement_id = result.disbursement_id or response.json()["disbursement_id"]
    return result


def test_parallel_payments_never_overdraw_the_fund(http: KeyedClient) -> None:
    owner = created(
        send(
            http,
            "/organisations",
            {"kind": "mutual_aid_association", "name": "互助会", "jurisdiction": "浙江省"},
        )
    )
    fund = created(send(http, "/funds", {"organisation_id": owner, "name": "救助金", "purposes": ["relief"]}))
    created(
        send(http, f"/funds/{fund}/donations", {"amount_fen": DONATED_FEN, "donor_name": "众筹"}),
        "donation_id",
    )

    with ThreadPoolExecutor(max_workers=len(ATTEMPTS_FEN)) as pool:
        futures = [
            pool.submit(attempt, http, owner, fund, n, amount) for n, amount in enumerate(ATTEMPTS_FEN)
        ]
        attempts = [future.result() for future in futures]

    for each in attempts:
        assert set(each.statuses) <= {200, 201, 409}, each
        assert all(problem["type"] == "/problems/insufficient-funds" for problem in each.refusals), each
    state = http.get(f"/funds/{fund}").json()
    paid = [d for d in state["disbursements"] if d["status"] == "paid"]
    assert state["donated_fen"] == DONATED_FEN
    assert state["balance_fen"] >= 0
    assert state["available_fen"] >= 0
    assert state["balance_fen"] == state["donated_fen"] - state["paid_fen"]
    assert state["paid_fen"] <= DONATED_FEN
    assert sum(d["amount_fen"] for d in paid) == state["paid_fen"]
    assert sorted(d["id"] for d in paid) == sorted(a.disbursement_id for a in attempts if a.paid)
    assert sum(a.amount_fen for a in attempts if a.paid) == state["paid_fen"]
    assert state["paid_fen"] > 0
    assert any(a.refusals for a in attempts), "35,000 fen were asked of 10,000 without a refusal"


def test_racing_retries_with_one_idempotency_key_record_one_donation(http: KeyedClient) -> None:
    owner = created(
        send(http, "/organisations", {"kind": "sage_association", "name": "乡贤会", "jurisdiction": "浙江省"})
    )
    fund = created(
        send(http, "/funds", {"organisation_id": owner, "name": "助学金", "purposes": ["education"]})
    )
    body = {"amount_fen": 2_000, "donor_name": "沈先生"}

    def retry(_: int) -> httpx.Response:
        return send(http, f"/funds/{fund}/donations", body, **{"Idempotency-Key": "shen-2024-09-01"})

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(retry, range(12)))

    assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    state = http.get(f"/funds/{fund}").json()
    assert (state["donated_fen"], state["version"]) == (2_000, 2)


def test_parallel_commands_on_different_aggregates_are_all_recorded(http: KeyedClient) -> None:
    def register(number: int) -> httpx.Response:
        return send(http, "/people", {"name": f"居民{number}"}, actor=f"clerk_{number % 3}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(register, range(32)))

    assert [r.status_code for r in responses] == [201] * 32, [r.text for r in responses]
    accepted = [r.json() for r in responses]
    assert len({a["id"] for a in accepted}) == 32
    assert len({a["position"] for a in accepted}) == 32
    for number, each in enumerate(accepted):
        person = http.get(f"/people/{each['id']}").json()
        assert (person["name"], person["version"]) == (f"居民{number}", 1)


def test_parallel_donations_to_one_fund_are_each_counted_once(http: KeyedClient) -> None:
    owner = created(
        send(http, "/organisations", {"kind": "sage_association", "name": "乡贤会", "jurisdiction": "浙江省"})
    )
    fund = created(
        send(http, "/funds", {"organisation_id": owner, "name": "助学金", "purposes": ["education"]})
    )
    amounts = [2**n for n in range(24)]  # any subset has its own sum

    def donate(amount: int) -> httpx.Response:
        return send(http, f"/funds/{fund}/donations", {"amount_fen": amount, "donor_name": "匿名"})

    with ThreadPoolExecutor(max_workers=len(amounts)) as pool:
        responses = list(pool.map(donate, amounts))

    assert [r.status_code for r in responses] == [201] * len(amounts), [r.text for r in responses]
    accepted = [r.json() for r in responses]
    state = http.get(f"/funds/{fund}").json()
    assert state["donated_fen"] == sum(amounts)
    assert state["version"] == 1 + len(amounts)
    assert sorted(a["version"] for a in accepted) == list(range(2, 2 + len(amounts)))
    assert len({a["position"] for a in accepted}) == len(amounts)
