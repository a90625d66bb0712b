"""Governance through the application service, on the in-memory store: rules and their
changes, elections that hand offices over with terms and term limits, committees of
office holders, and disbursements that reserve resolutions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import (
    InvalidValue,
    NotInOffice,
    OfficeByElection,
    ResolutionRequired,
    SelfApproval,
    TermLimitReached,
    VersionMismatch,
)
from domain.fund import Fund
from domain.governance_rules import DEFAULT_RULES
from domain.meeting import Meeting
from domain.offices import consecutive_terms, term_end
from domain.organisation import Organisation

VILLAGE = "浙江省/金华市/金东区/澧浦镇/蒲塘村"


@pytest.fixture
def app() -> Gongzhi:
    return Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


class Association:
    """A sage association of ``size`` members, with a fund, and its meetings."""

    def __init__(self, app: Gongzhi, size: int = 6) -> None:
        self.app = app
        self.id = app.register_organisation("sage_association", "蒲塘村乡贤协会", VILLAGE).id
        self.members = [str(app.register_person(f"乡贤{n}").id) for n in range(size)]
        for member in self.members:
            app.admit_member(self.id, UUID(member), "member", "sage")
        self.fund = app.open_fund(self.id, "乡贤基金", ["elder_care", "culture"], 1, 100_000).id
        app.receive_donation(self.fund, 5_000_000, donor_name="乡贤联谊会")

    def organisation(self) -> Organisation:
        return self.app.get(Organisation, self.id)

    def meeting(
        self, kind: str = "members_assembly", on: str = "2024-05-01", present: int | None = None
    ) -> UUID:
        meeting_id = self.app.schedule_meeting(self.id, "会员大会", kind, on).id
        attending = self.members if kind == "members_assembly" else self.organisation().office_holders(on)
        self.app.open_meeting(meeting_id, [UUID(p) for p in attending[:present]])
        return meeting_id

    def carried(self, meeting_id: UUID, kind: str = "ordinary", **details: Any) -> str:
        """A motion everyone present votes for, closed."""
        motion_id = UUID(
            self.app.propose_motion(meeting_id, "动议", "说明", kind, **details).extra["motion_id"]
        )
        meeting = self.app.get(Meeting, meeting_id)
        for person in meeting.present:
            if kind == "election":
                self.app.cast_vote(
                    meeting_id, motion_id, UUID(person), candidates=details["election"]["candidates"]
                )
            else:
                self.app.cast_vote(meeting_id, motion_id, UUID(person), "yes")
        self.app.close_motion(meeting_id, motion_id)
        return str(motion_id)

    def elect(self, office: str, people: list[str], on: str = "2024-05-01") -> str:
        meeting_id = self.meeting(on=on)
        election = {"office": office, "seats": len(people), "candidates": people}
        return self.carried(meeting_id, "election", election=election)

    def resolution(self, amount_fen: int = 1_000_000, purpose: str = "elder_care") -> str:
        spending = {"fund_id": self.fund, "amount_fen": amount_fen, "purpose": purpose}
        return self.carried(self.meeting(), "spending", spending=spending)

    def request(self, amount_fen: int, resolution: str | None = None, purpose: str = "elder_care") -> UUID:
        cited = UUID(resolution) if resolution else None
        result = self.app.request_disbursement(
            self.fund, amount_fen, purpose, "居家养老服务中心", None, cited
        )
        return UUID(result.extra["disbursement_id"])

    def reserved(self, resolution: str) -> int:
        meeting_id = UUID(self.organisation().resolutions[resolution])
        return self.app.get(Meeting, meeting_id).motions[resolution].reserved_fen


def test_a_new_organisation_has_the_default_rules(app: Gongzhi) -> None:
    assert Association(app).organisation().governance_rules == DEFAULT_RULES


def test_rules_change_by_a_passed_special_motion_only(app: Gongzhi) -> None:
    association = Association(app)
    new_rules = {"term_months": 24, "term_limit": 3}
    ordinary = association.carried(association.meeting())
    with pytest.raises(ResolutionRequired, match="ordinary"):
        app.change_rules(association.id, new_rules, UUID(ordinary))
    special = association.carried(association.meeting(), "special")
    app.change_rules(association.id, new_rules, UUID(special))
    rules = association.organisation().governance_rules
    assert (rules.term_months, rules.term_limit, rules.quorum) == (24, 3, DEFAULT_RULES.quorum)


@pytest.mark.parametrize(
    ("field", "rules"),
    [
        ("term_months", {"term_months": 0}),
        ("term_limit", {"term_limit": "two"}),
        ("quorum", {"quorum": {"numerator": 3, "denominator": 2, "inclusive": True}}),
        ("quorum", {"quorum": {"numerator": 1}}),
        ("veto", {"veto": True}),
    ],
)
def test_bad_rules_are_refused_by_field(app: Gongzhi, field: str, rules: dict[str, Any]) -> None:
    association = Association(app)
    with pytest.raises(InvalidValue) as refused:
        app.change_rules(association.id, rules)
    assert refused.value.field == field


def test_an_election_starts_terms_on_the_meetings_date_and_roles_follow(app: Gongzhi) -> None:
    association = Association(app)
    chair, vice_chairs = association.members[0], association.members[1:3]
    elected_chair = association.elect("chair", [chair])
    association.elect("vice_chair", vice_chairs)
    org = association.organisation()
    terms = {(t.office, t.person_id): t for t in org.terms}
    assert terms["chair", chair].term_start == "2024-05-01"
    assert terms["chair", chair].term_end == "2027-04-30"
    assert terms["chair", chair].motion_id == elected_chair
    assert [org.members[p].role for p in (chair, *vice_chairs)] == ["chair", "vice_chair", "vice_chair"]
    assert org.office_holders("2024-06-01") == sorted([chair, *vice_chairs])


def test_the_next_election_hands_the_office_over(app: Gongzhi) -> None:
    association = Association(app)
    first, second = association.members[:2]
    association.elect("chair", [first])
    association.elect("chair", [second], on="2025-05-01")
    org = association.organisation()
    assert (org.members[first].role, org.members[second].role) == ("member", "chair")
    ended = next(t for t in org.terms if t.person_id == first)
    assert ended.ended_on == "2025-05-01"
    assert org.office_holders("2025-06-01") == [second]


def test_a_candidate_at_the_term_limit_is_refused(app: Gongzhi) -> None:
    association = Association(app)
    chair = association.members[0]
    association.elect("chair", [chair], on="2018-05-01")
    association.elect("chair", [chair], on="2021-05-01")
    meeting_id = association.meeting(on="2024-05-01")
    with pytest.raises(TermLimitReached):
        app.propose_motion(
            meeting_id,
            "换届",
            "选举会长",
            "election",
            election={"office": "chair", "seats": 1, "candidates": [chair]},
        )
    assert consecutive_terms(association.organisation().elections, "vice_chair", chair) == 0


def test_a_candidate_must_be_an_active_member(app: Gongzhi) -> None:
    association = Association(app)
    outsider = app.register_person("外人").id
    meeting_id = association.meeting()
    with pytest.raises(InvalidValue) as refused:
        app.propose_motion(
            meeting_id,
            "换届",
            "选举",
            "election",
            election={"office": "chair", "seats": 1, "candidates": [outsider]},
        )
    assert refused.value.field == "election.candidates"


def test_a_committees_electorate_is_the_current_office_holders(app: Gongzhi) -> None:
    association = Association(app)
    association.elect("vice_chair", association.members[:2])
    association.elect("secretary", association.members[2:3])
    meeting_id = association.meeting("committee", on="2024-06-01")
    meeting = app.get(Meeting, meeting_id)
    assert meeting.electorate == sorted(association.members[:3])
    with pytest.raises(InvalidValue, match=association.members[4]):
        app.open_meeting(
            app.schedule_meeting(association.id, "常务会", "committee", "2024-06-02").id,
            [UUID(association.members[4])],
        )


def test_the_role_command_leaves_offices_filled_by_election_alone(app: Gongzhi) -> None:
    association = Association(app)
    association.elect("chair", association.members[:1])
    with pytest.raises(OfficeByElection):
        app.change_member_role(association.id, UUID(association.members[0]), "member")
    with pytest.raises(OfficeByElection):
        app.change_member_role(association.id, UUID(association.members[1]), "chair")
    app.change_member_role(association.id, UUID(association.members[1]), "mediator")


def test_terms_last_the_rules_months() -> None:
    assert term_end("2024-05-01", 36) == "2027-04-30"
    assert term_end("2024-01-31", 1) == "2024-02-28"
    assert term_end("2023-12-15", 12) == "2024-12-14"


def test_a_disbursement_above_the_limit_cites_a_resolution_and_reserves_it(app: Gongzhi) -> None:
    association = Association(app)
    with pytest.raises(ResolutionRequired, match="resolution_id"):
        association.request(600_000)
    resolution = association.resolution(1_000_000)
    first = association.request(600_000, resolution)
    assert association.reserved(resolution) == 600_000
    with pytest.raises(ResolutionRequired, match="400000 fen left"):
        association.request(500_000, resolution)
    app.reject_disbursement(association.fund, first, "重复申请")
    assert association.reserved(resolution) == 0
    association.request(1_000_000, resolution)
    assert association.reserved(resolution) == 1_000_000
    assert association.request(100_000) is not None  # at the limit: no resolution needed


def test_a_refused_reservation_records_nothing_on_either_side(app: Gongzhi) -> None:
    association = Association(app)
    resolution = association.resolution(1_000_000, purpose="culture")
    fund_version = app.get(Fund, association.fund).version
    with pytest.raises(ResolutionRequired, match="culture"):
        association.request(600_000, resolution)
    with pytest.raises(ResolutionRequired, match="No passed resolution"):
        association.request(600_000, association.members[0])
    assert app.get(Fund, association.fund).version == fund_version
    assert association.reserved(resolution) == 0


def test_if_match_compares_with_the_fund_when_a_request_reserves_a_resolution(app: Gongzhi) -> None:
    association = Association(app)
    resolution = association.resolution()
    stale = app.get(Fund, association.fund).version - 1
    with acting(CommandContext(expected_version=stale)), pytest.raises(VersionMismatch):
        association.request(600_000, resolution)
    assert association.reserved(resolution) == 0


def test_a_bound_approver_is_a_person_in_office_and_not_the_requester(app: Gongzhi) -> None:
    association = Association(app)
    treasurer, chair = association.members[:2]
    association.elect("treasurer", [treasurer], on=date.today().isoformat())
    with acting(CommandContext(actor="treasurer-key", person_id=treasurer)):
        disbursement = association.request(50_000)
    with acting(CommandContext(actor="another-key", person_id=treasurer)), pytest.raises(SelfApproval):
        app.approve_disbursement(association.fund, disbursement)
    with acting(CommandContext(actor="chair-key", person_id=chair)), pytest.raises(NotInOffice):
        app.approve_disbursement(association.fund, disbursement)
    association.elect("chair", [chair], on=(date.today() - timedelta(days=1)).isoformat())
    with acting(CommandContext(actor="chair-key", person_id=chair)):
        app.approve_disbursement(association.fund, disbursement)
    approved = app.get(Fund, association.fund).disbursements[str(disbursement)]
    assert (approved.requested_by, approved.approvals, approved.status) == (treasurer, [chair], "approved")
