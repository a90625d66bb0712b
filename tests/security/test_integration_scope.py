"""Integrations (government systems) see and change only what their scopes and
jurisdiction prefixes allow, in single objects and in lists alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

from tests.conftest import assert_problem
from tests.security.worlds import (
    A_DISTRICT,
    A_JURISDICTION,
    B_CITY,
    World,
    audit_events,
    integration,
    officer,
)

if TYPE_CHECKING:
    from tests.conftest import Api


def donation(amount_fen: int = 100) -> dict[str, Any]:
    return {"amount_fen": amount_fen, "donor_name": "沈先生"}


# Jurisdiction


def test_an_integration_outside_finds_none_of_as_objects(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    inside = integration(api, "jindong.civil-affairs", A_DISTRICT)
    outside = integration(api, "jiaxing.civil-affairs", B_CITY)

    for path, known in [
        (f"/organisations/{a.organisation}", a.organisation),
        (f"/funds/{a.fund}", a.fund),
        (f"/projects/{a.project}", a.project),
        (f"/people/{a.person}", a.person),
        (f"/views/organisations/{a.organisation}/departures", a.organisation),
        (f"/views/people/{a.person}/memberships", a.person),
        (f"/views/projects/{a.project}", a.project),
        (f"/views/funds/{a.fund}/ledger", a.fund),
    ]:
        assert api.client.get(path, headers=inside).status_code == 200, path
        hidden = assert_problem(api.client.get(path, headers=outside), 404)
        unknown_id = str(uuid4())
        unknown = assert_problem(api.client.get(path.replace(known, unknown_id), headers=outside), 404)
        assert hidden["title"] == unknown["title"]
        assert hidden["detail"] == unknown["detail"].replace(unknown_id, known)


def test_an_integration_outside_cannot_change_as_objects(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    outside = integration(api, "jiaxing.finance", B_CITY)

    api.refuses(f"/funds/{a.fund}/donations", donation(), status=404, headers=outside)
    api.refuses(f"/funds/{a.fund}/disbursements/{a.disbursement}/payment", {}, status=404, headers=outside)
    api.refuses(
        f"/organisations/{a.organisation}/suspension", {"reason": "整顿"}, status=404, headers=outside
    )
    api.refuses(f"/projects/{a.project}/start", {}, status=404, headers=outside)
    api.refuses(
        "/funds",
        {"organisation_id": a.organisation, "name": "助学基金", "purposes": ["education"]},
        status=422,
        field="organisation_id",
        headers=outside,
    )
    api.refuses(
        "/projects",
        {"title": "老年食堂", "category": "elderly_care", "lead_organisation_id": a.organisation},
        status=422,
        field="lead_organisation_id",
        headers=outside,
    )


@pytest.mark.parametrize(
    ("prefix", "where"),
    [
        (B_CITY, A_JURISDICTION),  # elsewhere
        (A_JURISDICTION, A_DISTRICT),  # above its prefix
        ("浙江省/金华市/金东", A_JURISDICTION),  # a prefix of the text, not of whole segments
    ],
)
def test_an_integration_registers_no_organisation_outside_its_jurisdiction(
    shared_api: Api, prefix: str, where: str
) -> None:
    api = shared_api
    key = integration(api, f"registry-{uuid4().hex[:8]}", prefix)
    body = {"kind": "mutual_aid_association", "name": "邻里互助会", "jurisdiction": where}

    api.refuses("/organisations", body, status=403, field="jurisdiction", headers=key)


def test_an_integration_registers_and_runs_an_organisation_within_its_jurisdiction(api: Api) -> None:
    key = integration(api, "jindong.civil-affairs", A_DISTRICT)
    body = {
        "kind": "mutual_aid_association",
        "name": "多湖街道邻里互助会",
        "jurisdiction": A_JURISDICTION,
    }

    organisation = api.command("/organisations", body, status=201, headers=key)["id"]
    person = api.command("/people", {"name": "陈静"}, status=201, headers=key)["id"]
    api.command(
        f"/organisations/{organisation}/members",
        {"person_id": person, "role": "chair"},
        status=201,
        headers=key,
    )
    fund = api.command(
        "/funds",
        {"organisation_id": organisation, "name": "互助金", "purposes": ["relief"]},
        status=201,
        headers=key,
    )["id"]

    assert api.client.get(f"/funds/{fund}", headers=key).status_code == 200
    assert api.client.get(f"/people/{person}", headers=key).status_code == 200


# Scopes


def test_a_read_scope_reads_and_does_not_write(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    reader = integration(api, "jindong.audit-office", A_DISTRICT, scopes=("funds:read",))

    assert api.client.get(f"/funds/{a.fund}", headers=reader).status_code == 200
    assert_problem(api.client.get(f"/organisations/{a.organisation}", headers=reader), 403)
    assert_problem(api.client.get(f"/views/funds/{a.fund}", headers=reader), 403)
    api.refuses(f"/funds/{a.fund}/donations", donation(), status=403, headers=reader)


def test_a_views_scope_reads_views_only(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    dashboard = integration(api, "jindong.big-screen", A_DISTRICT, scopes=("views:read",))

    assert api.client.get(f"/views/funds/{a.fund}", headers=dashboard).status_code == 200
    assert api.client.get("/views/statistics", headers=dashboard).status_code == 200
    assert_problem(api.client.get(f"/funds/{a.fund}", headers=dashboard), 403)
    api.refuses("/people", {"name": "李明"}, status=403, headers=dashboard)


def test_a_write_scope_also_reads(api: Api) -> None:
    organisation = api.organisation(jurisdiction=A_JURISDICTION)
    fund = api.fund(organisation)
    writer = integration(api, "jindong.finance", A_DISTRICT, scopes=("funds:write",))

    api.command(f"/funds/{fund}/donations", donation(2_000), status=201, headers=writer)

    assert api.client.get(f"/funds/{fund}", headers=writer).json()["balance_fen"] == 2_000
    assert_problem(api.client.get(f"/organisations/{organisation}", headers=writer), 403)


# Lists


def project_ids(api: Api, headers: dict[str, str], query: str = "") -> set[str]:
    response = api.client.get(f"/views/projects?limit=200{query}", headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_the_project_list_holds_only_projects_within_the_jurisdiction(shared_api: Api, world: World) -> None:
    api, a, b = shared_api, world.a, world.b
    inside = integration(api, "jindong.projects", A_DISTRICT)
    outside = integration(api, "jiaxing.projects", B_CITY)
    everything = project_ids(api, api.headers())
    assert {a.project, b.project} <= everything

    assert a.project in project_ids(api, inside)
    assert b.project not in project_ids(api, inside)
    assert project_ids(api, outside) & {a.project} == set()
    assert b.project in project_ids(api, outside)
    # Filters do not widen it.
    assert project_ids(api, outside, "&jurisdiction=浙江省") & {a.project} == set()
    assert project_ids(api, outside, f"&organisation_id={a.organisation}") == set()


def test_an_integrations_list_pages_through_its_own_rows_only(shared_api: Api, world: World) -> None:
    api = shared_api
    outside = integration(api, "jiaxing.pages", B_CITY)
    seen: list[str] = []
    cursor = ""
    while True:
        page = api.client.get(f"/views/projects?limit=1{cursor}", headers=outside).json()
        seen += [item["id"] for item in page["items"]]
        for item in page["items"]:
            assert item["jurisdiction"].startswith(B_CITY + "/"), item
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert world.b.project in seen


def test_an_officers_project_list_holds_its_organisations_projects_only(
    shared_api: Api, world: World
) -> None:
    api = shared_api
    of_b = officer(api, "zhou.projects", world.b.organisation)

    assert world.b.project in project_ids(api, of_b)
    assert world.a.project not in project_ids(api, of_b)
    assert project_ids(api, of_b, f"&organisation_id={world.a.organisation}") == set()


# On behalf of


def test_an_integration_names_whom_it_acts_for_and_both_are_recorded(api: Api) -> None:
    fund = api.fund(api.organisation(jurisdiction=A_JURISDICTION))
    key = integration(api, "jindong.finance", A_DISTRICT, scopes=("funds:write",))

    api.command(
        f"/funds/{fund}/donations",
        donation(),
        status=201,
        headers={**key, "On-Behalf-Of": "zhang.wei", "X-Actor": "mayor"},
    )
    api.command(f"/funds/{fund}/donations", donation(), status=201, headers=key)

    *_, on_behalf, plain = audit_events(api, fund)
    assert (on_behalf["actor"], on_behalf["on_behalf_of"]) == ("jindong.finance", "zhang.wei")
    assert (plain["actor"], plain["on_behalf_of"]) == ("jindong.finance", None)


def test_an_idempotency_key_belongs_to_the_principal_that_sent_it(api: Api) -> None:
    fund = api.fund(api.organisation(jurisdiction=A_JURISDICTION))
    donations = f"/funds/{fund}/donations"
    finance = integration(api, "jindong.finance", A_DISTRICT, scopes=("funds:write",))
    bank = integration(api, "jindong.bank", A_DISTRICT, scopes=("funds:write",))

    first = api.command(donations, donation(100), status=201, headers={**finance, "Idempotency-Key": "pay-1"})
    other = api.client.post(donations, json=donation(200), headers={**bank, "Idempotency-Key": "pay-1"})

    assert other.status_code == 201, other.text
    assert "Idempotent-Replayed" not in other.headers
    assert other.json()["donation_id"] != first["donation_id"]
    assert api.get(f"/funds/{fund}")["balance_fen"] == 300
