"""Projects: proposed by an active lead organisation, then approved, started, reported on,
and completed, or cancelled before they end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

if TYPE_CHECKING:
    from tests.conftest import Api


def status_of(api: Api, project: str) -> str:
    status: str = api.get(f"/projects/{project}")["status"]
    return status


APPROVE = ("approval", None)
START = ("start", None)
COMPLETE = ("completion", {"outcome": "惠及 120 户"})
STEPS_TO: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
    "proposed": [],
    "approved": [APPROVE],
    "started": [APPROVE, START],
    "completed": [APPROVE, START, COMPLETE],
    "cancelled": [("cancellation", {"reason": "选址未获通过"})],
}


def advance(api: Api, project: str, status: str) -> None:
    """Takes a proposed project to ``status``."""
    for step, body in STEPS_TO[status]:
        api.command(f"/projects/{project}/{step}", body)
    assert status_of(api, project) == status


def test_a_proposed_project_reads_back_with_its_partners(api: Api) -> None:
    lead = api.organisation()
    partners = [api.organisation(kind="sage_association", name="乡贤参事会"), api.council()]

    accepted = api.command(
        "/projects",
        {
            "title": "老旧小区加装电梯",
            "category": "elderly_care",
            "lead_organisation_id": lead,
            "partner_organisation_ids": [*partners, partners[0]],
            "budget_fen": 0,
            "description": "三栋楼",
        },
        status=201,
    )

    assert accepted.keys() == {"id", "version", "position"}
    assert api.get(f"/projects/{accepted['id']}") == {
        "id": accepted["id"],
        "title": "老旧小区加装电梯",
        "category": "elderly_care",
        "lead_organisation_id": lead,
        "partner_organisation_ids": partners,
        "budget_fen": 0,
        "description": "三栋楼",
        "status": "proposed",
        "beneficiaries": 0,
        "last_progress_note": None,
        "outcome": None,
        "cancellation_reason": None,
        "version": 1,
    }


def test_a_project_goes_from_proposal_to_completion(api: Api) -> None:
    project = api.project()

    versions = [
        api.command(f"/projects/{project}/approval")["version"],
        api.command(f"/projects/{project}/start", {})["version"],
        api.command(f"/projects/{project}/progress", {"note": "完成选址", "beneficiaries": 40})["version"],
        api.command(f"/projects/{project}/progress", {"note": "完成施工"})["version"],
        api.command(f"/projects/{project}/progress", {"note": "完成验收", "beneficiaries": 80})["version"],
        api.command(f"/projects/{project}/completion", {"outcome": "三部电梯投入使用"})["version"],
    ]

    assert versions == [2, 3, 4, 5, 6, 7]
    state = api.get(f"/projects/{project}")
    assert state["status"] == "completed"
    assert state["beneficiaries"] == 120
    assert state["last_progress_note"] == "完成验收"
    assert state["outcome"] == "三部电梯投入使用"


@pytest.mark.parametrize("status", ["proposed", "approved", "started"])
def test_an_unfinished_project_can_be_cancelled(api: Api, status: str) -> None:
    project = api.project()
    advance(api, project, status)

    api.command(f"/projects/{project}/cancellation", {"reason": "资金不足"})

    state = api.get(f"/projects/{project}")
    assert (state["status"], state["cancellation_reason"]) == ("cancelled", "资金不足")


PROGRESS = ("progress", {"note": "补充进展"})
CANCEL = ("cancellation", {"reason": "反悔"})
ILLEGAL: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
    "proposed": [START, PROGRESS, COMPLETE],
    "approved": [APPROVE, PROGRESS, COMPLETE],
    "started": [APPROVE, START],
    "completed": [APPROVE, START, PROGRESS, COMPLETE, CANCEL],
    "cancelled": [APPROVE, START, PROGRESS, COMPLETE, CANCEL],
}


@pytest.mark.parametrize("status", ILLEGAL)
def test_a_step_the_status_does_not_allow_is_a_conflict(api: Api, status: str) -> None:
    project = api.project()
    advance(api, project, status)

    for step, body in ILLEGAL[status]:
        problem = api.refuses(f"/projects/{project}/{step}", body, status=409)
        assert problem["title"] == "Illegal state transition", step

    assert status_of(api, project) == status


def test_a_project_led_by_an_inactive_organisation_is_a_conflict(api: Api) -> None:
    lead = api.organisation()
    api.suspend(lead)

    api.refuses(
        "/projects",
        {"title": "口袋公园", "category": "environment", "lead_organisation_id": lead},
        status=409,
    )


VALID = {"title": "口袋公园", "category": "environment"}


def test_an_invalid_proposal_is_refused_naming_the_field(api: Api) -> None:
    lead = api.organisation()
    valid = {**VALID, "lead_organisation_id": lead}

    for change, field in [
        ({"lead_organisation_id": str(uuid4())}, "lead_organisation_id"),
        ({"lead_organisation_id": api.person()}, "lead_organisation_id"),
        ({"lead_organisation_id": None}, "lead_organisation_id"),
        ({"partner_organisation_ids": [str(uuid4())]}, "partner_organisation_ids"),
        ({"partner_organisation_ids": [lead]}, "partner_organisation_ids"),
        ({"partner_organisation_ids": ["partner"]}, "partner_organisation_ids.0"),
        ({"partner_organisation_ids": [str(uuid4()) for _ in range(51)]}, "partner_organisation_ids"),
        ({"title": " "}, "title"),
        ({"title": "题" * 201}, "title"),
        ({"category": ""}, "category"),
        ({"category": "类" * 65}, "category"),
        ({"budget_fen": -1}, "budget_fen"),
        ({"budget_fen": "100"}, "budget_fen"),
        ({"budget_fen": 1.5}, "budget_fen"),
        ({"budget_fen": 10**13 + 1}, "budget_fen"),
        ({"description": "述" * 20001}, "description"),
        ({"status": "approved"}, "status"),
    ]:
        api.refuses("/projects", {**valid, **change}, status=422, field=field)
    api.refuses("/projects", VALID, status=422, field="lead_organisation_id")


def test_an_invalid_progress_report_is_refused_naming_the_field(api: Api) -> None:
    project = api.project()
    advance(api, project, "started")
    path = f"/projects/{project}/progress"

    api.refuses(path, {"beneficiaries": 3}, status=422, field="note")
    api.refuses(path, {"note": ""}, status=422, field="note")
    api.refuses(path, {"note": "进展", "beneficiaries": -1}, status=422, field="beneficiaries")
    api.refuses(path, {"note": "进展", "beneficiaries": "3"}, status=422, field="beneficiaries")
    api.refuses(path, {"note": "进展", "beneficiaries": 10**9 + 1}, status=422, field="beneficiaries")


def test_completion_and_cancellation_need_their_text(api: Api) -> None:
    project = api.project()
    advance(api, project, "started")

    api.refuses(f"/projects/{project}/completion", {}, status=422, field="outcome")
    api.refuses(f"/projects/{project}/completion", {"outcome": "   "}, status=422, field="outcome")
    api.refuses(f"/projects/{project}/cancellation", {"reason": ""}, status=422, field="reason")
    api.refuses(f"/projects/{project}/cancellation", {"why": "资金不足"}, status=422, field="reason")
