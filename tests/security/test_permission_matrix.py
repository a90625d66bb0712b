"""Every route of the application, called by every kind of principal, answers as the
security rules say: allowed calls pass authorisation (and reach the domain), the
others are refused as unauthenticated (401), forbidden (403) or out of reach (404, or
422 for an id in a body, exactly as for an id that does not exist).

The expectations below are written from the rules, route by route, not read from
the permission table: a disagreement between the two is a failure to look at.

Commands on existing objects are sent with a stale ``If-Match``, so that an allowed
one goes all the way to the aggregate and is refused there (412) without changing
the world the other cases share; a refused one must record nothing either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import orjson
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from api.permissions import PERMISSIONS, InPath
from domain.principals import ALL_SCOPES, Action, PrincipalRole, Resource, scope_name
from tests.conftest import ANONYMOUS, assert_problem
from tests.security.worlds import (
    A_DISTRICT,
    A_JURISDICTION,
    B_CITY,
    World,
    app_of,
    build_world,
    expired_key,
    integration,
    officer,
    revoked_key,
    unknown_key,
)

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from tests.conftest import Api

# By name, never by position: a new role must not shift a permission onto another.
ADMIN, OFFICER, AUDITOR = PrincipalRole.ADMIN, PrincipalRole.OFFICER, PrincipalRole.AUDITOR
INTEGRATION, DASHBOARD = PrincipalRole.INTEGRATION, PrincipalRole.DASHBOARD
READ, WRITE, ERASE = Action.READ, Action.WRITE, Action.ERASE
PEOPLE, ORGANISATIONS, PROJECTS = Resource.PEOPLE, Resource.ORGANISATIONS, Resource.PROJECTS
FUNDS, VIEWS, PRIVACY = Resource.FUNDS, Resource.VIEWS, Resource.PRIVACY
MEDIATION, HAZARDS, VOLUNTEERING = Resource.MEDIATION, Resource.HAZARDS, Resource.VOLUNTEERING

STALE = {"If-Match": '"999999"'}
IN_A_MONTH = (date.today() + timedelta(days=30)).isoformat()
JURISDICTION = "body:jurisdiction"
"""The target of registering an organisation: where it will be, not an existing object."""

# Outcomes
ALLOWED, UNAUTHENTICATED, FORBIDDEN, HIDDEN = "allowed", "401", "403", "hidden"


def operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every API route, walking included routers (FastAPI keeps them whole)."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[BaseRoute], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.update((method, prefix + route.path) for method in route.methods or ())
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes, route.include_context.prefix)  # type: ignore[attr-defined]

    walk(app.routes, "")
    return found


# What the rules say, route by route

Body = Callable[[World], Any] | None


@dataclass(frozen=True)
class Expect:
    roles: frozenset[PrincipalRole] | None
    """The roles that may call the route; None for a public route."""
    resource: Resource | None = None
    action: Action = READ
    target: str | None = None
    """The path parameter (or ``body:<field>``) naming the object the caller must reach."""
    body: Body = None


def public() -> Expect:
    return Expect(None)


def only(
    *roles: PrincipalRole, resource: Resource | None = None, action: Action = READ, **rest: Any
) -> Expect:
    return Expect(frozenset(roles), resource, action, **rest)


OPERATORS = (ADMIN, AUDITOR, DASHBOARD)
"""Operational read-outs: no object, no personal data."""
AUDITORS = (ADMIN, AUDITOR)
VIEWERS = (ADMIN, AUDITOR, DASHBOARD, OFFICER, INTEGRATION)
"""Views are for every role; dashboards read nothing else."""
READERS = (ADMIN, AUDITOR, OFFICER, INTEGRATION)
"""Aggregates are read by all but dashboards."""
WRITERS = (ADMIN, OFFICER, INTEGRATION)
"""Auditors and dashboards write nothing."""
SUPERVISORS = (ADMIN, INTEGRATION)
"""Registering, suspending and dissolving organisations is for the supervising authority."""


def view(target: str | None = None) -> Expect:
    return only(*VIEWERS, resource=VIEWS, target=target)


def read(resource: Resource, target: str) -> Expect:
    return only(*READERS, resource=resource, target=target)


def write(
    resource: Resource, target: str | None, body: Body = None, roles: tuple[PrincipalRole, ...] = WRITERS
) -> Expect:
    return only(*roles, resource=resource, action=WRITE, target=target, body=body)


def reason(_: World) -> dict[str, str]:
    return {"reason": "经成员大会表决"}


def empty(_: World) -> dict[str, str]:
    return {}


ORG = "/organisations/{organisation_id}"
FUND = "/funds/{fund_id}"
DISBURSEMENT = "/funds/{fund_id}/disbursements/{disbursement_id}"
PROJECT = "/projects/{project_id}"
CASE = "/mediation-cases/{case_id}"
HAZARD = "/hazards/{hazard_id}"
ACTIVITY = "/activities/{activity_id}"
MEETING = "/meetings/{meeting_id}"

EXPECTED: dict[tuple[str, str], Expect] = {
    ("GET", "/health"): public(),
    ("GET", "/ready"): public(),
    ("GET", "/public/statistics"): public(),
    ("GET", "/metrics"): only(*OPERATORS),
    ("GET", "/views/status"): only(*OPERATORS),
    ("GET", "/asyncapi.json"): view(),
    ("GET", "/schemas/events/{public_type}"): view(),
    # People
    ("POST", "/people"): write(PEOPLE, None, lambda w: {"name": "李明", "phone": "13800000000"}),
    ("GET", "/people/{person_id}"): read(PEOPLE, "person_id"),
    # Erasing is for good and for every organisation: officers ask for it, admins do it.
    ("POST", "/people/{person_id}/erasure"): only(
        ADMIN,
        INTEGRATION,
        resource=PRIVACY,
        action=ERASE,
        target="person_id",
        body=lambda w: {"reason": "本人申请", "request_reference": "申请 2024-017"},
    ),
    # Organisations
    ("POST", "/organisations"): write(
        ORGANISATIONS,
        JURISDICTION,
        lambda w: {
            "kind": "mutual_aid_association",
            "name": "多湖街道邻里互助会",
            "jurisdiction": A_JURISDICTION,
        },
        roles=SUPERVISORS,
    ),
    ("GET", ORG): read(ORGANISATIONS, "organisation_id"),
    ("POST", f"{ORG}/members"): write(
        ORGANISATIONS, "organisation_id", lambda w: {"person_id": w.a.person, "role": "member"}
    ),
    ("POST", f"{ORG}/members/{{person_id}}/role"): write(
        ORGANISATIONS, "organisation_id", lambda w: {"role": "secretary"}
    ),
    ("POST", f"{ORG}/members/{{person_id}}/departure"): write(
        ORGANISATIONS, "organisation_id", lambda w: {"reason": "left"}
    ),
    ("POST", f"{ORG}/suspension"): write(ORGANISATIONS, "organisation_id", reason, roles=SUPERVISORS),
    ("DELETE", f"{ORG}/suspension"): write(ORGANISATIONS, "organisation_id", roles=SUPERVISORS),
    ("POST", f"{ORG}/dissolution"): write(ORGANISATIONS, "organisation_id", reason, roles=SUPERVISORS),
    ("POST", f"{ORG}/member-organisations"): write(
        ORGANISATIONS, "organisation_id", lambda w: {"organisation_id": w.a.organisation}
    ),
    ("POST", f"{ORG}/member-organisations/{{member_id}}/departure"): write(
        ORGANISATIONS, "organisation_id", empty
    ),
    # Projects
    ("POST", "/projects"): write(
        PROJECTS,
        "body:lead_organisation_id",
        lambda w: {"title": "老年食堂", "category": "elderly_care", "lead_organisation_id": w.a.organisation},
    ),
    ("GET", PROJECT): read(PROJECTS, "project_id"),
    ("POST", f"{PROJECT}/approval"): write(PROJECTS, "project_id", empty),
    ("POST", f"{PROJECT}/start"): write(PROJECTS, "project_id", empty),
    ("POST", f"{PROJECT}/progress"): write(
        PROJECTS, "project_id", lambda w: {"note": "完成选址", "beneficiaries": 12}
    ),
    ("POST", f"{PROJECT}/completion"): write(PROJECTS, "project_id", lambda w: {"outcome": "食堂开业"}),
    ("POST", f"{PROJECT}/cancellation"): write(PROJECTS, "project_id", reason),
    # Funds: only the owning organisation's officers decide on disbursements
    ("POST", "/funds"): write(
        FUNDS,
        "body:organisation_id",
        lambda w: {"organisation_id": w.a.organisation, "name": "助学基金", "purposes": ["education"]},
    ),
    ("GET", FUND): read(FUNDS, "fund_id"),
    ("POST", f"{FUND}/donations"): write(
        FUNDS, "fund_id", lambda w: {"amount_fen": 500, "donor_name": "匿名"}
    ),
    ("POST", f"{FUND}/disbursements"): write(
        FUNDS,
        "fund_id",
        lambda w: {"amount_fen": 300, "purpose": "elderly_care", "payee": "多湖街道养老服务站"},
    ),
    ("POST", f"{DISBURSEMENT}/approvals"): only(OFFICER, action=WRITE, target="fund_id", body=empty),
    ("POST", f"{DISBURSEMENT}/rejection"): only(OFFICER, action=WRITE, target="fund_id", body=reason),
    ("POST", f"{DISBURSEMENT}/payment"): write(FUNDS, "fund_id", lambda w: {"reference": "转账 0001"}),
    # Mediation cases: what they say of their parties is for officers, admins and auditors
    ("POST", "/mediation-cases"): write(
        MEDIATION,
        "body:organisation_id",
        lambda w: {
            "organisation_id": w.a.organisation,
            "category": "family",
            "summary": "赡养纠纷",
            "parties": [w.a.person, w.b.person],
        },
    ),
    ("GET", CASE): only(ADMIN, AUDITOR, OFFICER, target="case_id"),
    ("POST", f"{CASE}/assignment"): write(MEDIATION, "case_id", lambda w: {"mediator_person_id": w.a.person}),
    ("POST", f"{CASE}/sessions"): write(MEDIATION, "case_id", lambda w: {"note": "再次调解"}),
    ("POST", f"{CASE}/agreement"): write(MEDIATION, "case_id", lambda w: {"summary": "和解"}),
    ("POST", f"{CASE}/failure"): write(
        MEDIATION, "case_id", lambda w: {"reason": "不成", "referred_to": "法院"}
    ),
    ("POST", f"{CASE}/withdrawal"): write(MEDIATION, "case_id", reason),
    # Hazards
    ("POST", "/hazards"): write(
        HAZARDS,
        "body:organisation_id",
        lambda w: {
            "organisation_id": w.a.organisation,
            "jurisdiction": A_JURISDICTION,
            "category": "gas",
            "location": "3号楼",
            "description": "燃气管老化",
        },
    ),
    ("GET", HAZARD): read(HAZARDS, "hazard_id"),
    ("POST", f"{HAZARD}/assignment"): write(
        HAZARDS, "hazard_id", lambda w: {"person_id": w.a.person, "due_on": IN_A_MONTH}
    ),
    ("POST", f"{HAZARD}/rectification"): write(HAZARDS, "hazard_id", lambda w: {"note": "已整改"}),
    ("POST", f"{HAZARD}/verification"): write(
        HAZARDS, "hazard_id", lambda w: {"passed": True, "note": "合格"}
    ),
    # Volunteering: only the organisation's officers confirm service
    ("POST", f"{ORG}/activities"): write(
        VOLUNTEERING, "organisation_id", lambda w: {"title": "敬老", "category": "elderly_care"}
    ),
    ("GET", ACTIVITY): read(VOLUNTEERING, "activity_id"),
    ("POST", f"{ACTIVITY}/service"): write(
        VOLUNTEERING, "activity_id", lambda w: {"person_id": w.a.person, "minutes": 30}
    ),
    ("POST", f"{ACTIVITY}/service/{{service_id}}/confirmation"): only(
        OFFICER, action=WRITE, target="activity_id", body=empty
    ),
    ("GET", f"{ORG}/points"): read(VOLUNTEERING, "organisation_id"),
    ("POST", f"{ORG}/points/settings"): write(
        VOLUNTEERING,
        "organisation_id",
        lambda w: {"points_per_hour": 10, "additions": ["tidy_yard"], "deductions": ["illegal_building"]},
    ),
    ("POST", f"{ORG}/points/adjustments"): write(
        VOLUNTEERING,
        "organisation_id",
        lambda w: {"person_id": w.a.person, "points": 5, "reason": "tidy_yard"},
    ),
    ("POST", f"{ORG}/points/redemptions"): write(
        VOLUNTEERING, "organisation_id", lambda w: {"person_id": w.a.person, "points": 1, "reward": "毛巾"}
    ),
    ("POST", f"{ORG}/dividends"): write(
        VOLUNTEERING, "organisation_id", lambda w: {"total_fen": 100, "points_share": 0.5}
    ),
    ("GET", "/dividends/{dividend_id}"): read(VOLUNTEERING, "dividend_id"),
    # Governance: the organisation's officers record its meetings; auditors read them
    ("POST", f"{ORG}/rules"): write(
        ORGANISATIONS, "organisation_id", lambda w: {"term_months": 24, "motion_id": str(uuid4())}
    ),
    ("POST", f"{ORG}/meetings"): write(
        ORGANISATIONS,
        "organisation_id",
        lambda w: {"title": "成员大会", "kind": "members_assembly", "scheduled_for": "2024-06-01"},
    ),
    ("GET", MEETING): read(ORGANISATIONS, "meeting_id"),
    ("POST", f"{MEETING}/opening"): write(ORGANISATIONS, "meeting_id", lambda w: {"present": [w.a.person]}),
    ("POST", f"{MEETING}/motions"): write(
        ORGANISATIONS, "meeting_id", lambda w: {"title": "修缮祠堂", "kind": "ordinary"}
    ),
    ("POST", f"{MEETING}/motions/{{motion_id}}/votes"): write(
        ORGANISATIONS, "meeting_id", lambda w: {"person_id": w.a.person, "choice": "yes"}
    ),
    ("POST", f"{MEETING}/motions/{{motion_id}}/closing"): write(ORGANISATIONS, "meeting_id", empty),
    ("POST", f"{MEETING}/closing"): write(ORGANISATIONS, "meeting_id", lambda w: {"minutes": "纪要"}),
    ("POST", f"{FUND}/resolution-limit"): write(
        FUNDS, "fund_id", lambda w: {"resolution_required_above_fen": 100_000}
    ),
    ("GET", "/views/organisations/{organisation_id}/offices"): view("organisation_id"),
    ("GET", "/views/organisations/{organisation_id}/resolutions"): view("organisation_id"),
    # Views
    ("GET", "/views/organisations/{organisation_id}/members"): view("organisation_id"),
    ("GET", "/views/organisations/{organisation_id}/departures"): view("organisation_id"),
    ("GET", "/views/people/{person_id}/memberships"): view("person_id"),
    ("GET", "/views/projects"): view(),
    ("GET", "/views/projects/{project_id}"): view("project_id"),
    ("GET", "/views/funds/{fund_id}"): view("fund_id"),
    ("GET", "/views/funds/{fund_id}/ledger"): view("fund_id"),
    ("GET", "/views/organisations/{organisation_id}/mediation-cases"): view("organisation_id"),
    ("GET", "/views/hazards"): view(),
    ("GET", "/views/organisations/{organisation_id}/volunteers"): view("organisation_id"),
    ("GET", "/views/organisations/{organisation_id}/points/{person_id}"): view("organisation_id"),
    ("GET", "/views/dividends/{dividend_id}/allocations"): view("dividend_id"),
    # Statistics count only what an integration may see; officers have their organisations' views
    ("GET", "/views/statistics"): only(ADMIN, AUDITOR, DASHBOARD, INTEGRATION, resource=VIEWS),
    # Audit
    ("GET", "/audit/streams/{aggregate_id}/events"): only(*AUDITORS),
    ("GET", "/audit/streams/{aggregate_id}/state"): only(*AUDITORS),
    ("GET", "/audit/verify"): only(*AUDITORS),
    ("GET", "/audit/export"): only(*AUDITORS),
}


def path_values(world: World) -> dict[str, str]:
    """Every path parameter filled with one of A's objects."""
    a = world.a
    return {
        "organisation_id": a.organisation,
        "person_id": a.person,
        "member_id": world.council,
        "project_id": a.project,
        "fund_id": a.fund,
        "disbursement_id": a.disbursement,
        "meeting_id": a.meeting,
        "motion_id": str(uuid4()),
        "aggregate_id": a.fund,
        "case_id": a.mediation_case,
        "hazard_id": a.hazard,
        "activity_id": a.activity,
        "service_id": a.service,
        "dividend_id": a.dividend,
        "public_type": "org.gongzhi.fund.donation_received.v1",
    }


# Who calls


@dataclass(frozen=True)
class Who:
    name: str
    role: PrincipalRole | None
    """None: not authenticated."""
    reaches_a: bool = False
    lacking: bool = False
    """An integration in A's jurisdiction without the scope the route needs."""


PRINCIPALS = [
    Who("admin", ADMIN, reaches_a=True),
    Who("auditor", AUDITOR, reaches_a=True),
    Who("dashboard", DASHBOARD, reaches_a=True),
    Who("officer-of-a", OFFICER, reaches_a=True),
    Who("officer-of-b", OFFICER),
    Who("officer-of-council", OFFICER),
    Who("integration-in-a", INTEGRATION, reaches_a=True),
    Who("integration-lacking-scope", INTEGRATION, reaches_a=True, lacking=True),
    Who("integration-outside", INTEGRATION),
    Who("no-key", None),
    Who("unknown-key", None),
    Who("revoked-key", None),
    Who("expired-key", None),
]


def outcome(who: Who, expect: Expect) -> str:
    if expect.roles is None:
        return ALLOWED
    if who.role is None:
        return UNAUTHENTICATED
    if who.role not in expect.roles or who.lacking:
        return FORBIDDEN
    if expect.target is None or who.reaches_a:
        return ALLOWED
    # An integration may register organisations only where it has jurisdiction; that is
    # no secret, so it is a plain refusal.
    return FORBIDDEN if expect.target == JURISDICTION else HIDDEN


def lacking_scopes(expect: Expect) -> tuple[str, ...]:
    """Every scope but the one the route needs: to write, read is left (and is not enough)."""
    if expect.resource is None:
        return ALL_SCOPES
    missing = {scope_name(expect.resource, expect.action)}
    if expect.action is READ:
        missing.add(scope_name(expect.resource, WRITE))
    return tuple(s for s in ALL_SCOPES if s not in missing)


@dataclass
class Matrix:
    api: Api
    world: World
    keys: dict[str, dict[str, str]]
    lacking: dict[tuple[str, ...], dict[str, str]]

    def headers(self, who: Who, expect: Expect) -> dict[str, str]:
        if who.lacking:
            scopes = lacking_scopes(expect)
            if scopes not in self.lacking:
                self.lacking[scopes] = integration(
                    self.api, f"lacking-{len(self.lacking)}", A_DISTRICT, scopes=scopes
                )
            return self.lacking[scopes]
        return self.keys[who.name]


@pytest.fixture(scope="module")
def matrix(shared_api: Api) -> Matrix:
    api = shared_api
    world = build_world(api)
    keys = {
        "admin": api.key("admin-m", ADMIN),
        "auditor": api.key("auditor-m", AUDITOR),
        "dashboard": api.key("dashboard-m", DASHBOARD),
        "officer-of-a": officer(api, "officer-a-m", world.a.organisation),
        "officer-of-b": officer(api, "officer-b-m", world.b.organisation),
        "officer-of-council": officer(api, "officer-council-m", world.council),
        "integration-in-a": integration(api, "integration-in-m", A_DISTRICT),
        "integration-outside": integration(api, "integration-out-m", B_CITY),
        "no-key": ANONYMOUS,
        "unknown-key": unknown_key(),
        "revoked-key": revoked_key(api, "revoked-m"),
        "expired-key": expired_key(api, "expired-m"),
    }
    return Matrix(api, world, keys, {})


# The route table


def test_every_route_has_an_entry_in_the_permission_table(shared_api: Api) -> None:
    app = app_of(shared_api)
    routes = operations(app)
    documented = {(method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops}

    assert routes == documented
    assert routes - PERMISSIONS.keys() == set(), "routes nobody may call until the table names them"
    assert PERMISSIONS.keys() - routes == set(), "entries for routes that do not exist"


def test_every_object_the_table_checks_is_named_by_its_route(shared_api: Api) -> None:
    """A target naming a parameter the path lacks would check nothing."""
    for (method, path), rule in PERMISSIONS.items():
        if isinstance(rule.target, InPath):
            assert f"{{{rule.target.param}}}" in path, (method, path)


def test_no_route_escapes_the_permission_table_but_the_documentation(shared_api: Api) -> None:
    """Routes added outside FastAPI's routing (``add_route``, ``mount``) skip its dependencies,
    authorisation included; only the interactive documentation is served that way."""
    plain = {
        getattr(route, "path", repr(route))
        for route in app_of(shared_api).routes
        if not isinstance(route, APIRoute) and not hasattr(route, "original_router")
    }

    assert plain == {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def test_the_matrix_expects_something_of_every_route(shared_api: Api) -> None:
    app = app_of(shared_api)
    assert operations(app) == EXPECTED.keys()
    for path, ops in app.openapi()["paths"].items():
        for method, operation in ops.items():
            if operation.get("requestBody", {}).get("required"):
                assert EXPECTED[method.upper(), path].body is not None, f"{method} {path} needs a body"


def test_a_route_added_without_an_entry_is_refused(api: Api) -> None:
    app = app_of(api)
    called: list[str] = []
    extra = APIRouter(prefix="/extra")

    @extra.get("/report")
    def report() -> dict[str, str]:
        called.append("report")
        return {"secret": "yes"}

    @app.post("/unlisted", status_code=201)
    def unlisted() -> dict[str, str]:
        called.append("unlisted")
        return {}

    app.include_router(extra)

    for method, path in (("GET", "/extra/report"), ("POST", "/unlisted")):
        head = api.store_head()
        assert_problem(api.client.request(method, path, json={}), 403)
        assert_problem(api.client.request(method, path, headers=ANONYMOUS), 403)
        assert api.store_head() == head
    assert called == []


# The matrix


@pytest.mark.parametrize("who", PRINCIPALS, ids=lambda who: who.name)
def test_every_route_answers_each_principal_as_the_rules_say(matrix: Matrix, who: Who) -> None:
    app = app_of(matrix.api)
    failures = [
        f"{method} {path}: {failure}"
        for method, path in sorted(operations(app))
        if (failure := _case(matrix, who, method, path))
    ]
    assert not failures, f"{who.name}:\n  " + "\n  ".join(failures)


def _case(matrix: Matrix, who: Who, method: str, path: str) -> str | None:
    """What is wrong with the answer to one call, or None."""
    expect = EXPECTED[method, path]
    expected = outcome(who, expect)
    request = _request(matrix, who, expect, method, path)
    head = matrix.api.store_head()
    response = request.send()
    moved = matrix.api.store_head() != head
    status = response.status_code
    creates = method == "POST" and "{" not in path
    if moved and not (expected == ALLOWED and creates):
        return f"recorded events though answered {status}"
    if expected == ALLOWED:
        wanted = 200 if method == "GET" else 201 if creates else 412
        return None if status == wanted else f"allowed, so {wanted} expected, got {status} {response.text}"
    if expected == UNAUTHENTICATED:
        return _unauthenticated(response)
    if expected == FORBIDDEN:
        return _problem(response, 403)
    return _hidden(request, response, expect)


@dataclass
class Request:
    api: Api
    method: str
    path: str
    values: dict[str, str]
    body: Any
    headers: dict[str, str]

    def send(self, **changes: str) -> Any:
        """Sends the request, with some path parameters or body fields replaced."""
        values = {**self.values, **{k: v for k, v in changes.items() if not k.startswith("body:")}}
        body = self.body
        for key, value in changes.items():
            if key.startswith("body:"):
                body = {**body, key.removeprefix("body:"): value}
        url = self.path.format(**values)
        return self.api.client.request(self.method, url, json=body, headers=self.headers)


def _request(matrix: Matrix, who: Who, expect: Expect, method: str, path: str) -> Request:
    headers = dict(matrix.headers(who, expect))
    if method != "GET" and "{" in path:
        headers.update(STALE)
    body = expect.body(matrix.world) if expect.body else None
    return Request(matrix.api, method, path, path_values(matrix.world), body, headers)


def _unauthenticated(response: Any) -> str | None:
    wrong = _problem(response, 401)
    if wrong:
        return wrong
    if not response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
        return "401 without a Bearer challenge"
    return None


def _problem(response: Any, status: int) -> str | None:
    try:
        assert_problem(response, status)
    except AssertionError:
        return f"{status} problem expected, got {response.status_code} {response.text}"
    return None


def _hidden(request: Request, response: Any, expect: Expect) -> str | None:
    """Out of reach answers exactly as an id that does not exist: 404 for one in the path,
    422 for one in the body."""
    assert expect.target is not None
    status = 422 if expect.target.startswith("body:") else 404
    wrong = _problem(response, status)
    if wrong:
        return f"out of reach: {wrong}"
    field = expect.target.removeprefix("body:")
    known = request.body[field] if expect.target.startswith("body:") else request.values[field]
    unknown = str(uuid4())
    head = request.api.store_head()
    answer = request.send(**{expect.target: unknown})
    if request.api.store_head() != head:
        return "an unknown id recorded events"
    if _without(response, known) != _without(answer, unknown):
        return f"out of reach answers {response.text}, an unknown id {answer.text}"
    return None


def _without(response: Any, identifier: str) -> tuple[int, Any]:
    return response.status_code, orjson.loads(response.text.replace(identifier, "<id>"))
