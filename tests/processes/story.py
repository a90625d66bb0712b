"""What users do to the API servers: commands over many connections, and the reads that follow.

Every command carries an ``Idempotency-Key`` of its own. A sender sends it again, with
the same key and body, when the service refuses it as a concurrency conflict (409), and
to another server when its own server's process is gone: a command is recorded once
however many times it is sent.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from tests.processes.running import Server

CONFLICT = "/problems/concurrency-conflict"
VIEW_BEHIND = "/problems/view-behind"
COMMAND_SECONDS = 60
"""The longest a command may take, all its retries included."""
PURPOSES = ("elderly_care", "education")
DONORS = tuple(f"捐赠人{n}" for n in range(12))


class Sender:
    """One connection's commands, to its server or, once that is gone, to a live one."""

    def __init__(self, servers: list[Server], first: int) -> None:
        self.servers = servers[first:] + servers[:first]
        self.clients: dict[int, httpx.Client] = {}

    def command(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Sends the command until it is accepted; returns the answer."""
        headers = {"Idempotency-Key": uuid4().hex}
        deadline = time.monotonic() + COMMAND_SECONDS
        while True:
            server = self.server()
            try:
                response = self.client(server).post(path, json=body, headers=headers)
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"POST {path}: {server.name} never answered"
                time.sleep(0.05)  # its process is gone, or going: the next attempt finds out
                continue
            if response.status_code == 409 and response.json().get("type") == CONFLICT:
                assert time.monotonic() < deadline, f"POST {path}: conflicts until the deadline"
                time.sleep(random.uniform(0.001, 0.02))
                continue
            assert response.status_code in (200, 201), f"POST {path} on {server.name}: {response.text}"
            answer: dict[str, Any] = response.json()
            return answer

    def server(self) -> Server:
        live = [server for server in self.servers if server.alive]
        assert live, "no server left"
        return live[0]

    def client(self, server: Server) -> httpx.Client:
        if server.port not in self.clients:
            self.clients[server.port] = server.connection()
        return self.clients[server.port]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@dataclass
class Scene:
    """What the test made, hence what every read must show."""

    organisation_id: str
    jurisdiction: str
    fund_id: str
    donated: Counter[str] = field(default_factory=Counter)
    """Fen donated by purpose ("" for none)."""
    donors: set[str] = field(default_factory=set)
    members: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    highest_position: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self, answer: dict[str, Any]) -> None:
        with self.lock:
            self.highest_position = max(self.highest_position, answer["position"])


def open_fund(servers: list[Server], jurisdiction: str = "浙江省/嘉兴市/桐乡市/龙翔街道") -> Scene:
    """An organisation and its fund, through the first server."""
    sender = Sender(servers, 0)
    try:
        return _open_fund(sender, jurisdiction)
    finally:
        sender.close()


def _open_fund(sender: Sender, jurisdiction: str) -> Scene:
    body = {"kind": "sage_association", "name": "龙翔乡贤会", "jurisdiction": jurisdiction}
    organisation = sender.command("/organisations", body)
    fund = sender.command(
        "/funds",
        {"organisation_id": organisation["id"], "name": "乡贤助老基金", "purposes": list(PURPOSES)},
    )
    scene = Scene(organisation["id"], jurisdiction, fund["id"])
    scene.accepted(fund)
    return scene


Job = Callable[[Sender], None]


def donation(scene: Scene, amount: int, purpose: str | None, donor: str) -> Job:
    def send(sender: Sender) -> None:
        body = {"amount_fen": amount, "donor_name": donor, "purpose": purpose}
        scene.accepted(sender.command(f"/funds/{scene.fund_id}/donations", body))
        with scene.lock:
            scene.donated[purpose or ""] += amount
            scene.donors.add(donor)

    return send


def admission(scene: Scene, n: int) -> Job:
    def send(sender: Sender) -> None:
        person = sender.command("/people", {"name": f"成员{n}"})
        body = {"person_id": person["id"], "role": "member"}
        scene.accepted(sender.command(f"/organisations/{scene.organisation_id}/members", body))
        with scene.lock:
            scene.members.append(person["id"])

    return send


def proposal(scene: Scene, n: int) -> Job:
    def send(sender: Sender) -> None:
        body = {
            "title": f"公益项目{n}",
            "category": "elderly_care",
            "lead_organisation_id": scene.organisation_id,
        }
        project = sender.command("/projects", body)
        scene.accepted(project)
        with scene.lock:
            scene.projects.append(project["id"])

    return send


def workload(scene: Scene, donations: int, admissions: int, proposals: int, seed: int = 7) -> list[Job]:
    """Donations of 1-7 fen (some for a purpose, from a dozen donors), with admissions and
    proposals among them, shuffled."""
    rng = random.Random(seed)
    jobs = [
        donation(scene, rng.randint(1, 7), rng.choice((None, *PURPOSES)), rng.choice(DONORS))
        for _ in range(donations)
    ]
    jobs += [admission(scene, n) for n in range(admissions)]
    jobs += [proposal(scene, n) for n in range(proposals)]
    rng.shuffle(jobs)
    return jobs


class Traffic:
    """Sends the jobs over ``connections`` connections at once, spread evenly over the
    servers, while the block runs; leaving it waits until every job is done."""

    def __init__(self, jobs: list[Job], servers: list[Server], connections: int = 8) -> None:
        self.jobs = jobs
        self.servers = servers
        self.connections = connections
        self.done = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(connections, thread_name_prefix="connection")
        self._futures: list[Future[None]] = []

    def __enter__(self) -> Traffic:
        self._futures = [self._pool.submit(self._connection, n) for n in range(self.connections)]
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is not None:
            self.stopping.set()  # the block failed: send nothing more
        try:
            for future in self._futures:
                future.result(timeout=COMMAND_SECONDS * 2)
        finally:
            self._pool.shutdown(cancel_futures=True)

    def _connection(self, n: int) -> None:
        sender = Sender(self.servers, n % len(self.servers))
        try:
            for job in self.jobs[n :: self.connections]:
                if self.stopping.is_set():
                    return
                job(sender)
                with self._lock:
                    self.done += 1
        finally:
            sender.close()

    def wait_for(self, done: int, seconds: float = 30) -> None:
        """Until ``done`` jobs are done."""
        deadline = time.monotonic() + seconds
        while self.done < done:
            failed = [f.exception() for f in self._futures if f.done() and f.exception()]
            assert not failed, failed
            assert time.monotonic() < deadline, f"only {self.done} of {done} commands done in time"
            time.sleep(0.01)


def read(server: Server, path: str, params: dict[str, Any] | None = None, seconds: float = 15) -> Any:
    """A read that must succeed, asked again while its view is behind (503) for ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        response = server.client.get(path, params=params)
        if response.status_code == 503 and response.json().get("type") == VIEW_BEHIND:
            assert time.monotonic() < deadline, f"GET {path} on {server.name}: {response.text}"
            time.sleep(0.05)
            continue
        assert response.status_code == 200, f"GET {path} on {server.name}: {response.text}"
        return response.json()
