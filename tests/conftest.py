"""Shared fixtures: every test runs once on SQLite and once on PostgreSQL.

The ``api`` fixture speaks HTTP to a freshly built application, so that tests
read as stories: ``org = api.organisation()``, ``api.member(org, role="chair")``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import uuid4

import httpx
import psycopg
import pytest
from psycopg import sql

from api.app import create_app
from domain.principals import PrincipalRole
from infra.settings import Settings, load_settings

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_MASTER_KEY = "Ep1s4wzGdtOh6DdudXeOXFGYZbtNQ28X5z5a20zkZKU="
"""The master key of the tests' stores (random bytes, made for the tests only)."""
PROBLEM_JSON = "application/problem+json"
OFFICERS_DECIDE = re.compile(r"^/funds/([0-9a-f-]{36})/disbursements/[^/]+/(?:approvals|rejection)$")
ANONYMOUS = {"Authorization": ""}
"""Headers that drop the client's default credentials."""
HTTPX_DEPRECATION = "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning"

pytest_plugins = ["tests.kafka_broker", "tests.operability.spans"]

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def pytest_configure(config: pytest.Config) -> None:
    # starlette warns (a UserWarning subclass) when the test client runs on httpx rather than httpx2.
    config.addinivalue_line("filterwarnings", HTTPX_DEPRECATION)


def database_url() -> str:
    return os.environ.get("GONGZHI_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema with a random name, dropped (with everything in it) afterwards."""
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        pytest.fail(
            f"PostgreSQL tests need a server at {_redacted(url)} (set GONGZHI_TEST_DATABASE_URL "
            f"to point at one): {error}",
            pytrace=False,
        )
    schema = f"test_{uuid4().hex[:20]}"
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            yield schema
        finally:
            admin.execute("SET lock_timeout = '10s'")
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def backend_settings(backend: str, data_dir: Path) -> Iterator[Settings]:
    """Settings for a store of its own: a directory for SQLite, a fresh schema for PostgreSQL."""
    if backend == "sqlite":
        yield load_settings(data_dir=data_dir, master_key=TEST_MASTER_KEY)
        return
    url = database_url()
    with postgres_schema(url) as schema:
        yield load_settings(database_url=url, database_schema=schema, master_key=TEST_MASTER_KEY)


@contextmanager
def serving(settings: Settings) -> Iterator[Api]:
    """An application built from ``settings``, behind a test client; leaving the block runs the
    lifespan's shutdown, which closes the application."""
    # Imported late so that pytest's warning filters apply to its import-time warning.
    from fastapi.testclient import TestClient

    # Unexpected errors must show as 500 responses, which the tests then refuse.
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Every application built from these settings is closed (by the fixtures that build
    them, which depend on this one) before the schema is dropped."""
    with backend_settings(request.param, tmp_path) as settings:
        yield settings


@pytest.fixture
def open_api(settings: Settings) -> Callable[[], AbstractContextManager[Api]]:
    """Opens an application on the test's store; opening another after leaving the block
    of the first is a restart."""
    return lambda: serving(settings)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    with serving(settings) as api:
        yield api


@pytest.fixture(scope="module", params=BACKENDS)
def shared_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One application per test module and backend, for tests whose commands are all refused
    (which ``Api.refuses`` checks), so that they cannot disturb one another."""
    with (
        backend_settings(request.param, tmp_path_factory.mktemp("shared")) as settings,
        serving(settings) as api,
    ):
        yield api


@pytest.fixture
def client(api: Api) -> TestClient:
    return api.client


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem with the given status, naming ``field`` among its errors if given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    assert problem["type"].startswith("/problems/")
    assert problem["title"]
    if field is not None:
        fields = [error["field"] for error in problem.get("errors") or []]
        assert field in fields, problem
    return problem


class Api:
    """A client of the service that acts as ``clerk`` (an admin) unless told otherwise.

    Each actor name gets an API key of its own, made on first use: an admin key, or an
    officer key when the story needs one of an organisation's officers."""

    def __init__(self, client: TestClient, actor: str = "clerk") -> None:
        self.client = client
        self.actor = actor
        self.tokens: dict[tuple[str, str | None], str] = {}
        # Plain ``client`` calls in tests act as the default actor too.
        client.headers["Authorization"] = f"Bearer {self.token(actor)}"

    # Plain HTTP

    def token(self, actor: str, organisation_id: str | None = None) -> str:
        """The key of ``actor``: an admin's, or an officer's of ``organisation_id``."""
        if (actor, organisation_id) not in self.tokens:
            keys = self.client.app.state.keys
            if organisation_id is None:
                secret, _ = keys.create(actor, PrincipalRole.ADMIN)
            else:
                secret, _ = keys.create(actor, PrincipalRole.OFFICER, organisations=[organisation_id])
            self.tokens[actor, organisation_id] = secret
        return self.tokens[actor, organisation_id]

    def key(self, name: str, role: PrincipalRole, **scoping: Any) -> dict[str, str]:
        """Headers that authenticate as a new principal with this role and scoping."""
        secret, _ = self.client.app.state.keys.create(name, role, **scoping)
        return {"Authorization": f"Bearer {secret}"}

    def headers(self, actor: str | None = None, headers: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(actor or self.actor)}", **(headers or {})}

    def headers_for(
        self, path: str, actor: str | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, str]:
        """As ``headers``; but the decisions only a fund's officers make (approving, rejecting)
        go with ``actor``'s officer key for the fund's organisation."""
        decision = OFFICERS_DECIDE.match(path)
        if decision and self.read(f"/funds/{decision[1]}").status_code == 200:
            return {**self.officer(actor or self.actor, decision[1]), **(headers or {})}
        return self.headers(actor, headers)

    def officer(self, actor: str, fund_id: str) -> dict[str, str]:
        """Headers of ``actor`` as an officer of the organisation that owns the fund."""
        organisation_id = self.get(f"/funds/{fund_id}")["organisation_id"]
        return {"Authorization": f"Bearer {self.token(actor, organisation_id)}"}

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        actor: str | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
    ) -> httpx.Response:
        return self.client.request(method, path, json=body, headers=self.headers_for(path, actor, headers))

    def command(
        self,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        actor: str | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
    ) -> dict[str, Any]:
        """Sends a command that must succeed; returns its body after checking its shape."""
        response = self.post(path, body, actor=actor, headers=headers, method=method)
        assert response.status_code == status, response.text
        accepted: dict[str, Any] = response.json()
        assert isinstance(accepted["version"], int)
        assert accepted["version"] >= 1
        assert isinstance(accepted["position"], int)
        assert accepted["position"] >= 1
        assert response.headers["ETag"] == f'"{accepted["version"]}"'
        return accepted

    def read(self, path: str, actor: str | None = None) -> httpx.Response:
        return self.client.get(path, headers=self.headers(actor))

    def get(self, path: str) -> dict[str, Any]:
        response = self.read(path)
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()
        assert response.headers["ETag"] == f'"{state["version"]}"'
        return state

    def store_head(self) -> int:
        """The position of the last event recorded, 0 when the store is empty."""
        return self.client.app.state.application.recorder.max_notification_id() or 0

    def refuses(
        self,
        path: str,
        body: Any = None,
        *,
        status: int,
        field: str | None = None,
        actor: str | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
        content: bytes | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """Sends a command that must be refused with a problem, and checks nothing was recorded:
        the store's head does not move and the addressed aggregate (if any) reads the same.
        ``anonymous`` sends no credentials; ``content`` sends raw bytes as JSON."""
        watched, before = self._watched(path)
        head = self.store_head()
        sent = {**ANONYMOUS, **(headers or {})} if anonymous else self.headers_for(path, actor, headers)
        if content is not None:
            sent = {"Content-Type": "application/json", **sent}
            response = self.client.request(method, path, content=content, headers=sent)
        else:
            response = self.client.request(method, path, json=body, headers=sent)
        problem = assert_problem(response, status, field)
        assert "ETag" not in response.headers
        assert self.store_head() == head, "a refused command recorded events"
        if watched:
            assert self.read(watched).json() == before
        return problem

    def _watched(self, path: str) -> tuple[str | None, Any]:
        """The aggregate a command addresses, if it exists, and its state."""
        segments = path.split("/")
        if len(segments) < 3:
            return None, None
        watched = "/".join(segments[:3])
        response = self.read(watched)
        return (watched, response.json()) if response.status_code == 200 else (None, None)

    # Stories

    def person(self, name: str = "王芳", **fields: Any) -> str:
        return self.command("/people", {"name": name, **fields}, status=201)["id"]

    def organisation(
        self,
        kind: str = "self_governance_committee",
        name: str = "龙翔街道居民自治委员会",
        jurisdiction: str = "浙江省/嘉兴市/桐乡市/龙翔街道",
        **fields: Any,
    ) -> str:
        body = {"kind": kind, "name": name, "jurisdiction": jurisdiction, **fields}
        return self.command("/organisations", body, status=201)["id"]

    def council(self, name: str = "龙翔街道共治协调会") -> str:
        return self.organisation(kind="coordination_council", name=name)

    def member(
        self, organisation_id: str, person_id: str | None = None, role: str = "member", **fields: Any
    ) -> str:
        person_id = person_id or self.person()
        body = {"person_id": person_id, "role": role, **fields}
        self.command(f"/organisations/{organisation_id}/members", body, status=201)
        return person_id

    def suspend(self, organisation_id: str, reason: str = "换届整顿") -> None:
        self.command(f"/organisations/{organisation_id}/suspension", {"reason": reason})

    def project(self, lead_organisation_id: str | None = None, **fields: Any) -> str:
        body = {
            "title": "老旧小区加装电梯",
            "category": "elderly_care",
            "lead_organisation_id": lead_organisation_id or self.organisation(),
            **fields,
        }
        return self.command("/projects", body, status=201)["id"]

    def fund(
        self,
        organisation_id: str | None = None,
        purposes: tuple[str, ...] = ("elderly_care", "education"),
        approvals_required: int = 1,
        name: str = "乡贤助老基金",
    ) -> str:
        body = {
            "organisation_id": organisation_id or self.organisation(),
            "name": name,
            "purposes": list(purposes),
            "approvals_required": approvals_required,
        }
        return self.command("/funds", body, status=201)["id"]

    def donate(self, fund_id: str, amount_fen: int, donor_name: str = "沈先生", **fields: Any) -> str:
        body = {"amount_fen": amount_fen, "donor_name": donor_name, **fields}
        return self.command(f"/funds/{fund_id}/donations", body, status=201)["donation_id"]

    def disbursement(
        self,
        fund_id: str,
        amount_fen: int,
        purpose: str = "elderly_care",
        payee: str = "桐乡市康乐养老服务中心",
        actor: str = "requester",
    ) -> str:
        body = {"amount_fen": amount_fen, "purpose": purpose, "payee": payee}
        path = f"/funds/{fund_id}/disbursements"
        return self.command(path, body, status=201, headers=self.officer(actor, fund_id))["disbursement_id"]

    def approve(self, fund_id: str, disbursement_id: str, actor: str = "approver") -> None:
        path = f"/funds/{fund_id}/disbursements/{disbursement_id}/approvals"
        self.command(path, headers=self.officer(actor, fund_id))

    def pay(self, fund_id: str, disbursement_id: str, actor: str = "treasurer") -> None:
        path = f"/funds/{fund_id}/disbursements/{disbursement_id}/payment"
        self.command(path, {}, headers=self.officer(actor, fund_id))
