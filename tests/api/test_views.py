"""Reading the views: read-your-writes, pagination, filters and lag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infra.settings import Settings
from tests.conftest import Api, assert_problem, serving

ZAOLIN = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


@pytest.fixture
def views_api(settings: Settings) -> Iterator[Api]:
    quick = settings.model_copy(update={"read_wait_seconds": 0.3})
    with TestClient(create_app(quick), raise_server_exceptions=False) as client:
        yield Api(client)


def read(api: Api, path: str, position: int, **params: Any) -> dict[str, Any]:
    response = api.client.get(path, params={"min_position": position, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def organisation(api: Api, jurisdiction: str = ZAOLIN) -> str:
    body = {"kind": "self_governance_committee", "name": "居民议事会", "jurisdiction": jurisdiction}
    return str(api.command("/organisations", body, status=201)["id"])


def admit(api: Api, org: str, role: str = "member") -> tuple[str, int]:
    person = api.command("/people", {"name": "王芳"}, status=201)["id"]
    accepted = api.command(f"/organisations/{org}/members", {"person_id": person, "role": role}, status=201)
    return person, accepted["position"]


def test_a_read_with_min_position_sees_the_command_just_made(views_api: Api) -> None:
    org = organisation(views_api)
    person, position = admit(views_api, org, "chair")

    members = read(views_api, f"/views/organisations/{org}/members", position)
    memberships = read(views_api, f"/views/people/{person}/memberships", position)

    assert [m["person_id"] for m in members["items"]] == [person]
    assert members["counts"]["by_role"] == {"chair": 1}
    assert memberships["items"][0]["organisation_id"] == org
    assert memberships["items"][0]["kind"] == "self_governance_committee"


def test_a_view_that_cannot_reach_the_position_answers_503_with_retry_after(settings: Settings) -> None:
    stalled = settings.model_copy(update={"read_wait_seconds": 0.3, "projections_in_process": False})
    with serving(stalled) as api:
        api.organisation()
        position = api.store_head()
        response = api.client.get("/views/statistics", params={"min_position": position})

    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "1"


def test_members_are_paginated_with_an_opaque_cursor(views_api: Api) -> None:
    org = organisation(views_api)
    admitted = [admit(views_api, org) for _ in range(5)]
    position = admitted[-1][1]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = read(views_api, f"/views/organisations/{org}/members", position, **params)
        seen += [m["person_id"] for m in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert sorted(seen) == sorted(person for person, _ in admitted)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "finished"}, "query.status"),
        ({"organisation_id": "not-a-uuid"}, "query.organisation_id"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 10_000}, "query.limit"),
        ({"cursor": "%%%"}, "query.cursor"),
        ({"cursor": "WzEsMl0"}, "query.cursor"),
        ({"min_position": -1}, "query.min_position"),
    ],
)
def test_a_bad_filter_is_a_422_problem_naming_it(views_api: Api, params: dict[str, Any], field: str) -> None:
    assert_problem(views_api.client.get("/views/projects", params=params), 422, field)


def test_projects_filter_by_status_organisation_and_jurisdiction_prefix(views_api: Api) -> None:
    here = organisation(views_api)
    elsewhere = organisation(views_api, "江苏省/苏州市/吴江区/松陵镇/城南村")
    body = {"title": "出租房屋消防安全改造", "category": "fire_safety"}
    ours = views_api.command("/projects", body | {"lead_organisation_id": here}, status=201)["id"]
    theirs = views_api.command("/projects", body | {"lead_organisation_id": elsewhere}, status=201)
    views_api.command(f"/projects/{ours}/approval")
    position = theirs["position"] + 1

    def ids(**params: Any) -> set[str]:
        return {p["id"] for p in read(views_api, "/views/projects", position, **params)["items"]}

    assert ids() == {ours, theirs["id"]}
    assert ids(status="approved") == {ours}
    assert ids(organisation_id=elsewhere) == {theirs["id"]}
    assert ids(jurisdiction="浙江省/嘉兴市") == {ours}
    assert ids(jurisdiction="浙江省/嘉") == set()
    project = read(views_api, f"/views/projects/{ours}", position)
    assert project["status"] == "approved"
    assert project["approved_at"] is not None


def test_fund_view_and_ledger_show_the_running_balance(views_api: Api) -> None:
    org = organisation(views_api)
    fund = views_api.command(
        "/funds", {"organisation_id": org, "name": "乡贤基金", "purposes": ["elder_care"]}, status=201
    )["id"]
    views_api.command(f"/funds/{fund}/donations", {"amount_fen": 50_000, "donor_name": "陈"}, status=201)
    request = views_api.command(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 20_000, "purpose": "elder_care", "payee": "敬老院"},
        status=201,
    )
    did = request["disbursement_id"]
    views_api.command(f"/funds/{fund}/disbursements/{did}/approvals", actor="chair")
    paid = views_api.command(f"/funds/{fund}/disbursements/{did}/payment", {"paid_on": "2024-05-01"})

    view = read(views_api, f"/views/funds/{fund}", paid["position"])
    ledger = read(views_api, f"/views/funds/{fund}/ledger", paid["position"])

    assert (view["donated_fen"], view["paid_fen"], view["balance_fen"]) == (50_000, 20_000, 30_000)
    assert view["pending_disbursements"] == []
    assert [(line["amount_fen"], line["balance_fen"]) for line in ledger["items"]] == [
        (50_000, 50_000),
        (-20_000, 30_000),
    ]


def test_statistics_roll_up_by_jurisdiction_prefix(views_api: Api) -> None:
    org = organisation(views_api)
    _, position = admit(views_api, org)
    organisation(views_api, "江苏省/苏州市")

    everywhere = read(views_api, "/views/statistics", position + 1)["figures"]
    zhejiang = read(views_api, "/views/statistics", position + 1, jurisdiction="浙江省")["figures"]

    assert everywhere["organisations"] == 2
    assert zhejiang["organisations"] == 1
    assert zhejiang["members"] == 1


def test_unknown_ids_in_views_are_404(views_api: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (
        f"/views/organisations/{missing}/members",
        f"/views/projects/{missing}",
        f"/views/funds/{missing}",
        f"/views/funds/{missing}/ledger",
    ):
        assert_problem(views_api.client.get(path), 404)


def test_status_and_metrics_report_each_views_position_and_lag(views_api: Api) -> None:
    org = organisation(views_api)
    _, position = admit(views_api, org)
    read(views_api, "/views/statistics", position)

    status = views_api.client.get("/views/status").json()
    metrics = views_api.client.get("/metrics")

    assert status["head_position"] == position
    assert set(status["views"]) == {
        "membership",
        "projects",
        "funds",
        "statistics",
        "governance",
        "casework",
        "volunteering",
    }
    assert all(v["position"] <= position for v in status["views"].values())
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'gongzhi_projection_lag_events{view="statistics"}' in metrics.text
    assert "gongzhi_http_requests_total" in metrics.text
    # The one process of the test applies every view, and both say so.
    assert status["applying_here"] is True
    assert all(v["applying_here"] for v in status["views"].values())
    assert 'gongzhi_projection_applying{view="funds"} 1.0' in metrics.text
