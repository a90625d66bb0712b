"""Two organisations in different jurisdictions, each with a member, a fund, a project
and a pending disbursement, and the principals who act on them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from domain.principals import ALL_SCOPES, PrincipalRole

if TYPE_CHECKING:
    from fastapi import FastAPI

    from tests.conftest import Api

A_JURISDICTION = "浙江省/金华市/金东区/多湖街道"
A_DISTRICT = "浙江省/金华市/金东区"
B_JURISDICTION = "浙江省/嘉兴市/桐乡市/龙翔街道"
B_CITY = "浙江省/嘉兴市"


@dataclass(frozen=True)
class Side:
    """One organisation and what belongs to it."""

    organisation: str
    person: str
    fund: str
    project: str
    disbursement: str
    requester: str
    """The officer (key name) who requested the disbursement."""
    meeting: str
    """A members' assembly scheduled, not yet opened."""
    mediation_case: str = ""
    hazard: str = ""
    activity: str = ""
    service: str = ""
    """Pending service at the activity, recorded by the requester."""
    dividend: str = ""


@dataclass(frozen=True)
class World:
    a: Side
    b: Side
    council: str
    """A coordination council in A's jurisdiction, with A among its member organisations."""


def app_of(api: Api) -> FastAPI:
    """The application behind the test client."""
    return cast("FastAPI", api.client.app)


def build_world(api: Api) -> World:
    a = _side(api, "a", "多湖街道居民自治委员会", A_JURISDICTION)
    b = _side(api, "b", "龙翔街道居民自治委员会", B_JURISDICTION)
    council = api.organisation("coordination_council", "多湖街道共治协调会", A_JURISDICTION)
    api.command(
        f"/organisations/{council}/member-organisations", {"organisation_id": a.organisation}, status=201
    )
    views_caught_up(api)
    return World(a, b, council)


def _side(api: Api, tag: str, name: str, jurisdiction: str) -> Side:
    organisation = api.organisation(name=name, jurisdiction=jurisdiction)
    person = api.member(organisation, api.person("王芳"))
    fund = api.fund(organisation)
    api.donate(fund, 100_000)
    project = api.project(organisation)
    requester = f"requester-{tag}"
    disbursement = api.disbursement(fund, 10_000, actor=requester)
    assembly = {"title": "成员大会", "kind": "members_assembly", "scheduled_for": "2024-05-01"}
    meeting = api.command(f"/organisations/{organisation}/meetings", assembly, status=201)["id"]
    community = _community(api, organisation, tag)
    return Side(organisation, person, fund, project, disbursement, requester, meeting, **community)


def _community(api: Api, organisation: str, tag: str) -> dict[str, str]:
    """A mediation case, a hazard, an activity with pending service, and a dividend."""
    mediator = api.member(organisation, api.person("陈调解"), role="mediator")
    body = {"organisation_id": organisation, "category": "neighbour", "summary": "邻里纠纷"}
    case = api.command("/mediation-cases", {**body, "parties": [api.person(), api.person()]}, status=201)
    api.command(f"/mediation-cases/{case['id']}/assignment", {"mediator_person_id": mediator})
    where = api.get(f"/organisations/{organisation}")["jurisdiction"]
    found = {"organisation_id": organisation, "jurisdiction": where, "category": "fire"}
    hazard = api.command("/hazards", {**found, "location": "楼道", "description": "杂物堆放"}, status=201)
    activity = api.command(
        f"/organisations/{organisation}/activities", {"title": "清扫", "category": "environment"}, status=201
    )
    officer_key = {"Authorization": f"Bearer {api.token(f'requester-{tag}', organisation)}"}
    service = api.command(
        f"/activities/{activity['id']}/service",
        {"person_id": mediator, "minutes": 60},
        status=201,
        headers=officer_key,
    )
    dividend = api.command(
        f"/organisations/{organisation}/dividends", {"total_fen": 1_000, "points_share": 0.5}, status=201
    )
    return {
        "mediation_case": case["id"],
        "hazard": hazard["id"],
        "activity": activity["id"],
        "service": service["service_id"],
        "dividend": dividend["id"],
    }


def views_caught_up(api: Api, timeout: float = 10.0) -> None:
    """Waits until every view has applied everything recorded so far."""
    runner = app_of(api).state.views
    head = runner.head()
    deadline = time.monotonic() + timeout
    for name in runner.views:
        while runner.live(name).position() < head:
            assert time.monotonic() < deadline, f"the {name} view did not catch up"
            time.sleep(0.01)


def officer(api: Api, name: str, *organisations: str) -> dict[str, str]:
    return api.key(name, PrincipalRole.OFFICER, organisations=list(organisations))


def integration(
    api: Api, name: str, *jurisdictions: str, scopes: tuple[str, ...] = ALL_SCOPES
) -> dict[str, str]:
    return api.key(name, PrincipalRole.INTEGRATION, jurisdictions=list(jurisdictions), scopes=list(scopes))


def revoked_key(api: Api, name: str) -> dict[str, str]:
    """An admin key, revoked."""
    headers = api.key(name, PrincipalRole.ADMIN)
    assert app_of(api).state.keys.revoke(name)
    return headers


def expired_key(api: Api, name: str) -> dict[str, str]:
    """An admin key whose expiry has passed."""
    return api.key(name, PrincipalRole.ADMIN, expires_at=datetime.now(UTC) - timedelta(seconds=1))


def unknown_key() -> dict[str, str]:
    """A key of the right shape that was never issued."""
    return {"Authorization": "Bearer gzk_0123456789abcdef_" + "A" * 43}


def audit_events(api: Api, aggregate_id: str) -> list[dict[str, Any]]:
    """Every event of one stream, as an admin reads it from the audit trail."""
    items: list[dict[str, Any]] = []
    after = 0
    while after is not None:
        page = api.read(f"/audit/streams/{aggregate_id}/events?after_version={after}").json()
        items += page["items"]
        after = page["next_after_version"]
    return items
