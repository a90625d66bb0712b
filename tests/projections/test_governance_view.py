"""The governance view's handlers, on hand-built events: offices follow handovers, passed
motions become resolutions whose spending reservations move to paid or back, and the
figures count meetings, turnout and resolutions where the organisation is."""

from __future__ import annotations

from uuid import uuid4

from projections import fold
from projections.governance import GovernanceView
from projections.membership import MembershipView
from projections.rows import MemoryRows
from tests.projections.test_views import Story

VILLAGE = "浙江省/金华市/金东区/澧浦镇/蒲塘村"
RULES = {"term_months": 36}


def assembly(story: Story, org: str, present: int = 4, electorate: int = 6) -> str:
    meeting = story.emit(
        "Meeting.Scheduled",
        organisation_id=org,
        title="会员大会",
        kind="members_assembly",
        scheduled_for="2024-05-01",
    )
    people = [f"p{n}" for n in range(electorate)]
    story.emit(
        "Meeting.Opened", meeting, electorate=people, present=people[:present], rules=RULES, quorate=True
    )
    return meeting


def passed(story: Story, meeting: str, kind: str = "spending", amount_fen: int = 1_000_000) -> str:
    motion = str(uuid4())
    spending = (
        {"fund_id": "fund-1", "amount_fen": amount_fen, "purpose": "elder_care"}
        if kind == "spending"
        else None
    )
    story.emit(
        "Meeting.MotionProposed",
        meeting,
        motion_id=motion,
        title="养老支出",
        text="",
        kind=kind,
        spending=spending,
        election=None,
    )
    tally = {"yes": 4, "no": 0, "abstain": 0, "present": 4}
    story.emit("Meeting.MotionClosed", meeting, motion_id=motion, outcome="passed", tally=tally, elected=None)
    return motion


def handed_over(
    story: Story, org: str, office: str, elected: list[str], ended: list[str], start: str
) -> None:
    story.emit(
        "Organisation.OfficeHandedOver",
        org,
        office=office,
        seats=2,
        elected=elected,
        ended=ended,
        term_start=start,
        term_end="2027-04-30",
        motion_id=str(uuid4()),
        roles={p: office for p in elected} | {p: "member" for p in ended if p not in elected},
    )


def rows_of(story: Story) -> MemoryRows:
    return fold(GovernanceView(), story.events)


def test_offices_follow_each_handover_and_seats_left_empty_are_vacant() -> None:
    story = Story()
    org = story.organisation(VILLAGE, "sage_association")
    handed_over(story, org, "vice_chair", ["a", "b"], [], "2021-05-01")
    handed_over(story, org, "vice_chair", ["b"], ["a", "b"], "2024-05-01")
    rows = rows_of(story)
    assert [(k[2], r["term_start"]) for k, r in rows.data["offices"].items()] == [("b", "2024-05-01")]
    assert rows.data["vacancies"][org, "vice_chair"]["vacant"] == 1
    assert rows.data["offices"][org, "vice_chair", "b"]["jurisdiction"] == VILLAGE


def test_members_roles_follow_the_handover_in_the_membership_view() -> None:
    story = Story()
    org = story.organisation(VILLAGE, "sage_association")
    for person in ("a", "b"):
        story.emit(
            "Organisation.MemberAdmitted",
            org,
            person_id=person,
            role="member",
            category="sage",
            joined_on="2020-01-01",
        )
    handed_over(story, org, "chair", ["a"], [], "2021-05-01")
    handed_over(story, org, "chair", ["b"], ["a"], "2024-05-01")
    members = fold(MembershipView(), story.events).data["members"]
    assert (members[org, "a"]["role"], members[org, "b"]["role"]) == ("member", "chair")


def test_a_spending_resolution_reserves_then_pays_or_releases() -> None:
    story = Story()
    org = story.organisation(VILLAGE, "sage_association")
    meeting = assembly(story, org)
    resolution = passed(story, meeting)
    story.emit(
        "Meeting.ResolutionReserved", meeting, motion_id=resolution, disbursement_id="d1", amount_fen=600_000
    )
    story.emit(
        "Meeting.ResolutionReserved", meeting, motion_id=resolution, disbursement_id="d2", amount_fen=300_000
    )
    story.emit(
        "Fund.DisbursementPaid", "fund-1", disbursement_id="d1", amount_fen=600_000, paid_on="2024-06-01"
    )
    story.emit(
        "Meeting.ResolutionReleased", meeting, motion_id=resolution, disbursement_id="d2", amount_fen=300_000
    )
    story.emit("Fund.DisbursementPaid", "fund-1", disbursement_id="d9", amount_fen=1, paid_on="2024-06-01")
    row = rows_of(story).data["resolutions"][org, resolution]
    assert (row["amount_fen"], row["reserved_fen"], row["paid_fen"], row["remaining_fen"]) == (
        1_000_000,
        0,
        600_000,
        400_000,
    )
    assert (row["passed_on"], row["kind"], row["tally"]["yes"]) == ("2024-05-01", "spending", 4)


def test_figures_count_meetings_turnout_and_resolutions_where_the_organisation_is() -> None:
    story = Story()
    org = story.organisation(VILLAGE, "sage_association")
    passed(story, assembly(story, org, present=4), "ordinary")
    assembly(story, org, present=3)
    story.emit("Meeting.MotionClosed", str(uuid4()), motion_id="x", outcome="passed", tally={}, elected=None)
    figures = {k: r["value"] for k, r in rows_of(story).data["figures"].items()}
    assert figures == {
        (VILLAGE, "meetings.held"): 2,
        (VILLAGE, "meetings.turnout_bp"): 6666 + 5000,
        (VILLAGE, "resolutions.passed"): 1,
    }


def test_a_rejected_motion_is_no_resolution() -> None:
    story = Story()
    meeting = assembly(story, story.organisation(VILLAGE))
    story.emit(
        "Meeting.MotionProposed",
        meeting,
        motion_id="m",
        title="动议",
        text="",
        kind="ordinary",
        spending=None,
        election=None,
    )
    story.emit("Meeting.MotionClosed", meeting, motion_id="m", outcome="rejected", tally={}, elected=None)
    assert not rows_of(story).data["resolutions"]
