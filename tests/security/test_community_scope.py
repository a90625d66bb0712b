"""Community work within reach: an officer sees its organisation's hazards, cases and
points, an integration those within its jurisdictions; a case's texts and parties are
read by no integration or dashboard, and figures name no party."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.principals import PrincipalRole
from tests.conftest import assert_problem
from tests.security.worlds import A_DISTRICT, A_JURISDICTION, B_CITY, World, integration, officer

if TYPE_CHECKING:
    from tests.conftest import Api


def hazard_ids(api: Api, headers: dict[str, str]) -> set[str]:
    response = api.client.get("/views/hazards", params={"min_position": api.store_head()}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_the_hazards_list_holds_only_what_the_reader_reaches(shared_api: Api, world: World) -> None:
    api, a, b = shared_api, world.a, world.b

    assert hazard_ids(api, officer(api, "scope-officer-a", a.organisation)) == {a.hazard}
    assert hazard_ids(api, officer(api, "scope-officer-b", b.organisation)) == {b.hazard}
    assert hazard_ids(api, integration(api, "scope-jindong", A_DISTRICT)) == {a.hazard}
    assert hazard_ids(api, integration(api, "scope-jiaxing", B_CITY)) == {b.hazard}
    assert {a.hazard, b.hazard} <= hazard_ids(api, api.key("scope-dashboard", PrincipalRole.DASHBOARD))


def test_a_cases_texts_are_for_its_organisations_officers_admins_and_auditors(
    shared_api: Api, world: World
) -> None:
    api, a = shared_api, world.a
    path = f"/mediation-cases/{a.mediation_case}"

    for reader in (
        officer(api, "case-officer-a", a.organisation),
        api.key("case-auditor", PrincipalRole.AUDITOR),
    ):
        response = api.client.get(path, headers=reader)
        assert response.status_code == 200, response.text
        assert response.json()["summary"] == "邻里纠纷"
    assert_problem(api.client.get(path, headers=officer(api, "case-officer-b", world.b.organisation)), 404)
    for refused in (
        integration(api, "case-jindong", A_DISTRICT),
        api.key("case-dashboard", PrincipalRole.DASHBOARD),
    ):
        assert_problem(api.client.get(path, headers=refused), 403)


def test_figures_and_case_lists_name_no_party(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    case = api.get(f"/mediation-cases/{a.mediation_case}")
    dashboard = api.key("party-dashboard", PrincipalRole.DASHBOARD)
    head = {"min_position": api.store_head()}
    figures = api.client.get(
        "/views/statistics", params={**head, "jurisdiction": A_JURISDICTION}, headers=dashboard
    )
    listed = api.client.get(
        f"/views/organisations/{a.organisation}/mediation-cases", params=head, headers=dashboard
    )

    assert figures.json()["community"]["mediation"]["received"] == 1
    for party in case["parties"]:
        assert party not in figures.text
        assert party not in listed.text
    assert "邻里纠纷" not in listed.text
