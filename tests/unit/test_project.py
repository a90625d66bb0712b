"""Stories of a public-welfare project: proposed, approved, started, reported on, closed."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain.errors import IllegalTransition, InvalidValue
from domain.project import Project

LEAD = str(uuid4())
PARTNER = str(uuid4())
OTHER_PARTNER = str(uuid4())


def propose(
    title: str = "出租房消防改造",
    lead: str = LEAD,
    partners: list[str] | None = None,
    budget_fen: int | None = 1_200_000,
) -> Project:
    return Project.propose(
        title, "fire_safety", lead, partners or [], budget_fen, "示范房配灭火器、逃生标识、应急灯"
    )


STEPS_TO: dict[str, list[Callable[[Project], None]]] = {
    "proposed": [],
    "approved": [Project.approve],
    "started": [Project.approve, Project.start],
    "completed": [Project.approve, Project.start, lambda p: p.complete("改造完成")],
    "cancelled": [lambda p: p.cancel("经费未落实")],
}


def project_in(status: str) -> Project:
    project = propose()
    for step in STEPS_TO[status]:
        step(project)
    assert project.status == status
    return project


COMMANDS: dict[str, Callable[[Project], None]] = {
    "approve": Project.approve,
    "start": Project.start,
    "report_progress": lambda p: p.report_progress("第一批入户检查", 12),
    "complete": lambda p: p.complete("done"),
    "cancel": lambda p: p.cancel("no longer needed"),
}

ALLOWED: dict[str, set[str]] = {
    "proposed": {"approve", "cancel"},
    "approved": {"start", "cancel"},
    "started": {"report_progress", "complete", "cancel"},
    "completed": set(),
    "cancelled": set(),
}

ILLEGAL = [
    pytest.param(status, command, id=f"{status}-{command}")
    for status, allowed in ALLOWED.items()
    for command in COMMANDS
    if command not in allowed
]


# Proposal


def test_a_proposed_project_has_reached_no_one_yet() -> None:
    project = propose(partners=[PARTNER])

    assert project.status == "proposed"
    assert project.title == "出租房消防改造"
    assert project.lead_organisation_id == LEAD
    assert project.partner_organisation_ids == [PARTNER]
    assert project.budget_fen == 1_200_000
    assert project.beneficiaries == 0
    assert project.last_progress_note is None
    assert project.outcome is None


@pytest.mark.parametrize("title", ["", "  "])
def test_a_project_needs_a_title(title: str) -> None:
    with pytest.raises(InvalidValue) as refusal:
        propose(title=title)

    assert refusal.value.field == "title"


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(InvalidValue) as refusal:
        propose(budget_fen=-1)

    assert refusal.value.field == "budget_fen"


@pytest.mark.parametrize("budget_fen", [None, 0])
def test_a_project_may_have_no_budget_or_a_zero_budget(budget_fen: int | None) -> None:
    assert propose(budget_fen=budget_fen).budget_fen == budget_fen


def test_the_lead_organisation_cannot_also_be_a_partner() -> None:
    with pytest.raises(InvalidValue) as refusal:
        propose(partners=[PARTNER, LEAD])

    assert refusal.value.field == "partner_organisation_ids"


def test_a_partner_named_twice_is_kept_once_in_the_order_given() -> None:
    project = propose(partners=[OTHER_PARTNER, PARTNER, OTHER_PARTNER])

    assert project.partner_organisation_ids == [OTHER_PARTNER, PARTNER]


# The life of a project


def test_a_project_runs_from_proposal_to_completion() -> None:
    project = propose()

    project.approve()
    assert project.status == "approved"
    project.start()
    assert project.status == "started"
    project.report_progress("首批10户完成改造", 10)
    project.report_progress("又完成25户", 25)
    assert project.status == "started"
    project.complete("35户出租房完成消防改造")

    assert project.status == "completed"
    assert project.beneficiaries == 35
    assert project.last_progress_note == "又完成25户"
    assert project.outcome == "35户出租房完成消防改造"
    assert [type(e).__name__ for e in project.collect_events()] == [
        "Proposed",
        "Approved",
        "Started",
        "ProgressReported",
        "ProgressReported",
        "Completed",
    ]


def test_progress_may_be_reported_without_new_beneficiaries() -> None:
    project = project_in("started")
    project.report_progress("采购灭火器", 8)

    project.report_progress("等待验收", 0)

    assert project.beneficiaries == 8
    assert project.last_progress_note == "等待验收"


def test_progress_with_negative_beneficiaries_is_refused() -> None:
    project = project_in("started")
    version = project.version

    with pytest.raises(InvalidValue) as refusal:
        project.report_progress("correction", -3)

    assert refusal.value.field == "beneficiaries"
    assert project.version == version
    assert project.beneficiaries == 0


@pytest.mark.parametrize("status", ["proposed", "approved", "started"])
def test_a_project_that_is_not_closed_may_be_cancelled(status: str) -> None:
    project = project_in(status)

    project.cancel("经费未落实")

    assert project.status == "cancelled"
    assert project.cancellation_reason == "经费未落实"


@pytest.mark.parametrize(("status", "command"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_changes_nothing(status: str, command: str) -> None:
    project = project_in(status)
    version = project.version

    with pytest.raises(IllegalTransition):
        COMMANDS[command](project)

    assert project.version == version
    assert project.status == status
    assert project.beneficiaries == 0
