"""A meeting's rules: the electorate frozen at opening, quorum, votes once each by those
present, majorities, elections with seats and ties, closing with minutes, and the
resolutions that disbursements reserve."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import (
    AlreadyVoted,
    IllegalTransition,
    InvalidValue,
    MeetingInquorate,
    MotionsOpen,
    NotFound,
    ResolutionRequired,
)
from domain.governance_rules import DEFAULT_RULES, GovernanceRules, Threshold
from domain.meeting import Meeting

ORGANISATION = str(uuid4())
FUND = str(uuid4())
PEOPLE = [f"person-{n}" for n in range(10)]


def meeting(kind: str = "members_assembly") -> Meeting:
    return Meeting.schedule(ORGANISATION, "2024年会员大会", kind, "2024-05-01")


def opened(present: int = 6, rules: GovernanceRules = DEFAULT_RULES) -> Meeting:
    m = meeting()
    m.open(PEOPLE, PEOPLE[:present], rules)
    return m


def motion(m: Meeting, kind: str = "ordinary", **details: object) -> str:
    motion_id = str(uuid4())
    m.propose(
        motion_id,
        "修缮祠堂",
        "提议修缮祠堂",
        kind,
        details.get("spending"),  # type: ignore[arg-type]
        details.get("election"),  # type: ignore[arg-type]
    )
    return motion_id


def votes(m: Meeting, motion_id: str, *choices: str) -> None:
    for person, choice in zip(m.present, choices, strict=False):
        m.vote(motion_id, person, choice, None)


def election(m: Meeting, seats: int, candidates: list[str], office: str = "vice_chair") -> str:
    return motion(m, "election", election={"office": office, "seats": seats, "candidates": candidates})


def test_a_meeting_is_scheduled_for_an_organisation() -> None:
    m = meeting()
    assert (m.organisation_id, m.kind, m.status, m.scheduled_for) == (
        ORGANISATION,
        "members_assembly",
        "scheduled",
        "2024-05-01",
    )


@pytest.mark.parametrize(
    ("field", "title", "kind"), [("kind", "大会", "party"), ("title", "  ", "committee")]
)
def test_a_meeting_needs_a_kind_and_a_title(field: str, title: str, kind: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        Meeting.schedule(ORGANISATION, title, kind, "2024-05-01")
    assert refused.value.field == field


def test_the_electorate_is_frozen_with_the_rules_when_the_meeting_opens() -> None:
    m = opened(present=6)
    assert (m.status, m.electorate, m.present) == ("open", sorted(PEOPLE), PEOPLE[:6])
    assert m.governance_rules == DEFAULT_RULES


def test_someone_present_outside_the_electorate_is_refused_by_name() -> None:
    m = meeting()
    with pytest.raises(InvalidValue, match="stranger") as refused:
        m.open(PEOPLE, [PEOPLE[0], "stranger"], DEFAULT_RULES)
    assert refused.value.field == "present"
    assert m.status == "scheduled"


def test_a_meeting_opens_once() -> None:
    m = opened()
    with pytest.raises(IllegalTransition):
        m.open(PEOPLE, PEOPLE, DEFAULT_RULES)


def test_half_the_electorate_is_no_quorum_and_the_meeting_takes_no_motions() -> None:
    m = opened(present=5)
    assert m.status == "inquorate"
    with pytest.raises(MeetingInquorate):
        motion(m)


def test_a_quorum_set_by_the_rules_counts() -> None:
    rules = GovernanceRules(quorum=Threshold(1, 3, True))
    assert opened(present=4, rules=rules).status == "open"
    assert opened(present=3, rules=rules).status == "inquorate"


def test_an_ordinary_motion_passes_with_yes_from_more_than_half_of_those_present() -> None:
    m = opened(present=6)
    passes, fails = motion(m), motion(m)
    votes(m, passes, "yes", "yes", "yes", "yes", "no", "abstain")
    votes(m, fails, "yes", "yes", "yes", "no", "abstain")  # one present does not vote
    assert m.close_motion(passes)["outcome"] == "passed"
    closed = m.close_motion(fails)
    assert closed["outcome"] == "rejected"
    assert closed["tally"] == {"yes": 3, "no": 1, "abstain": 1, "present": 6}


def test_a_special_motion_needs_two_thirds_of_those_present() -> None:
    m = opened(present=6)
    passes, fails = motion(m, "special"), motion(m, "special")
    votes(m, passes, "yes", "yes", "yes", "yes", "no", "no")
    votes(m, fails, "yes", "yes", "yes", "no", "no", "abstain")
    assert m.close_motion(passes)["outcome"] == "passed"
    assert m.close_motion(fails)["outcome"] == "rejected"


def test_only_those_present_vote_and_each_once() -> None:
    m = opened(present=6)
    motion_id = motion(m)
    with pytest.raises(InvalidValue) as refused:
        m.vote(motion_id, PEOPLE[9], "yes", None)
    assert refused.value.field == "person_id"
    m.vote(motion_id, PEOPLE[0], "yes", None)
    with pytest.raises(AlreadyVoted):
        m.vote(motion_id, PEOPLE[0], "no", None)


@pytest.mark.parametrize(
    ("field", "choice", "candidates"),
    [("choice", "maybe", None), ("choice", None, None), ("candidates", "yes", [])],
)
def test_a_vote_on_a_motion_is_yes_no_or_abstain(
    field: str, choice: str | None, candidates: list[str] | None
) -> None:
    m = opened()
    with pytest.raises(InvalidValue) as refused:
        m.vote(motion(m), PEOPLE[0], choice, candidates)
    assert refused.value.field == field


def test_a_closed_motion_takes_no_votes_and_an_unknown_one_is_not_found() -> None:
    m = opened()
    motion_id = motion(m)
    m.close_motion(motion_id)
    with pytest.raises(IllegalTransition):
        m.vote(motion_id, PEOPLE[0], "yes", None)
    with pytest.raises(NotFound):
        m.vote(str(uuid4()), PEOPLE[0], "yes", None)


@pytest.mark.parametrize(
    ("field", "kind", "details"),
    [
        ("kind", "urgent", {}),
        ("spending", "spending", {}),
        ("spending", "ordinary", {"spending": {"fund_id": FUND, "amount_fen": 1, "purpose": "culture"}}),
        ("election", "election", {}),
        ("election.office", "election", {"election": {"office": "king", "seats": 1, "candidates": ["a"]}}),
        ("election.seats", "election", {"election": {"office": "chair", "seats": 2, "candidates": ["a"]}}),
        (
            "election.seats",
            "election",
            {"election": {"office": "vice_chair", "seats": 0, "candidates": ["a"]}},
        ),
        ("election.candidates", "election", {"election": {"office": "chair", "seats": 1, "candidates": []}}),
        (
            "election.candidates",
            "election",
            {"election": {"office": "chair", "seats": 1, "candidates": ["a", "a"]}},
        ),
    ],
)
def test_a_motion_names_what_its_kind_needs(field: str, kind: str, details: dict[str, object]) -> None:
    m = opened()
    with pytest.raises(InvalidValue) as refused:
        motion(m, kind, **details)
    assert refused.value.field == field
    assert not m.motions


def test_an_election_fills_the_seats_with_those_voted_for_by_more_than_half_present() -> None:
    m = opened(present=6)
    a, b, c = "candidate-a", "candidate-b", "candidate-c"
    motion_id = election(m, 2, [a, b, c])
    ballots = [[a, b], [a, b], [a, c], [a, b], [c], []]
    for person, ballot in zip(m.present, ballots, strict=True):
        m.vote(motion_id, person, None, ballot)
    closed = m.close_motion(motion_id)
    assert closed == {
        "motion_id": motion_id,
        "outcome": "passed",
        "tally": {a: 4, b: 3, c: 2},
        "elected": [a],
    }  # b has 3 of 6: not more than half


def test_a_tie_for_the_last_seat_leaves_it_vacant() -> None:
    m = opened(present=7)
    a, b, c = "candidate-a", "candidate-b", "candidate-c"
    motion_id = election(m, 2, [a, b, c])
    for person, ballot in zip(m.present, [[a, b]] * 3 + [[a, c]] * 3 + [[b, c]], strict=True):
        m.vote(motion_id, person, None, ballot)
    closed = m.close_motion(motion_id)
    assert (closed["tally"], closed["elected"]) == ({a: 6, b: 4, c: 4}, [a])


def test_an_election_nobody_wins_is_rejected() -> None:
    m = opened(present=6)
    motion_id = election(m, 1, ["a", "b"], office="chair")
    for person, ballot in zip(m.present, [["a"], ["a"], ["a"], ["b"], ["b"], ["b"]], strict=True):
        m.vote(motion_id, person, None, ballot)
    assert m.close_motion(motion_id) | {"tally": None} == {
        "motion_id": motion_id,
        "outcome": "rejected",
        "tally": None,
        "elected": [],
    }


@pytest.mark.parametrize(
    ("choice", "ballot"),
    [("yes", ["a"]), (None, ["a", "b", "c"]), (None, ["a", "a"]), (None, ["z"]), (None, None)],
)
def test_an_election_ballot_names_at_most_the_seats_among_the_candidates(
    choice: str | None, ballot: list[str] | None
) -> None:
    m = opened()
    motion_id = election(m, 2, ["a", "b", "c"])
    with pytest.raises(InvalidValue):
        m.vote(motion_id, PEOPLE[0], choice, ballot)


def test_a_meeting_closes_with_minutes_once_its_motions_are_closed() -> None:
    m = opened()
    motion_id = motion(m)
    with pytest.raises(MotionsOpen):
        m.close("会议纪要")
    m.close_motion(motion_id)
    with pytest.raises(InvalidValue):
        m.close(" ")
    m.close("会议纪要")
    assert (m.status, m.minutes) == ("closed", "会议纪要")
    with pytest.raises(IllegalTransition):
        m.close("再次")


def test_an_inquorate_meeting_closes_too() -> None:
    m = opened(present=2)
    m.close("不足法定人数")
    assert m.status == "closed"


def spending(m: Meeting, amount_fen: int = 1_000_000, passed: bool = True) -> str:
    motion_id = motion(
        m, "spending", spending={"fund_id": FUND, "amount_fen": amount_fen, "purpose": "elder_care"}
    )
    votes(m, motion_id, *(["yes"] * 6 if passed else ["no"] * 6))
    m.close_motion(motion_id)
    return motion_id


def test_a_spending_resolution_is_reserved_up_to_its_amount_and_released_on_rejection() -> None:
    m = opened()
    resolution = spending(m)
    m.reserve(resolution, FUND, "elder_care", "d1", 600_000)
    with pytest.raises(ResolutionRequired, match="400000 fen left"):
        m.reserve(resolution, FUND, "elder_care", "d2", 500_000)
    m.release(resolution, "d1")
    m.reserve(resolution, FUND, "elder_care", "d2", 1_000_000)
    assert m.motions[resolution].remaining_fen == 0


@pytest.mark.parametrize(
    ("fund", "purpose", "reason"),
    [(str(uuid4()), "elder_care", "for fund"), (FUND, "culture", "for 'elder_care'")],
    ids=["another fund", "another purpose"],  # the same names in every collecting process
)
def test_a_resolution_covers_its_fund_and_purpose_only(fund: str, purpose: str, reason: str) -> None:
    m = opened()
    resolution = spending(m)
    with pytest.raises(ResolutionRequired, match=reason):
        m.reserve(resolution, fund, purpose, "d1", 1)


def test_a_rejected_or_other_kind_of_motion_is_no_spending_resolution() -> None:
    m = opened()
    rejected, ordinary = spending(m, passed=False), motion(m)
    votes(m, ordinary, *["yes"] * 6)
    m.close_motion(ordinary)
    with pytest.raises(ResolutionRequired, match="rejected"):
        m.reserve(rejected, FUND, "elder_care", "d1", 1)
    with pytest.raises(ResolutionRequired, match="ordinary"):
        m.reserve(ordinary, FUND, "elder_care", "d1", 1)
    with pytest.raises(ResolutionRequired, match="No resolution"):
        m.reserve(str(uuid4()), FUND, "elder_care", "d1", 1)
