"""Stories of a dispute brought to the mediators: received, assigned, sessions, one ending."""

from __future__ import annotations

import pytest

from domain.errors import IllegalTransition, InvalidValue
from domain.mediation_case import CaseEnded, MediationCase

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


def case(parties: list[str] | None = None, category: str = "neighbour") -> MediationCase:
    return MediationCase.receive(
        "org",
        VILLAGE,
        category,
        "两户因排水沟堵塞起争执",
        ["p1", "p2"] if parties is None else parties,
        "2024-03-01",
    )


def assigned() -> MediationCase:
    c = case()
    c.assign("m1")
    return c


def test_a_case_is_received_with_its_parties_and_jurisdiction() -> None:
    c = case()
    assert (c.status, c.parties, c.jurisdiction, c.received_on) == (
        "received",
        ["p1", "p2"],
        VILLAGE,
        "2024-03-01",
    )


@pytest.mark.parametrize("parties", [["p1"], [], ["p1", "p1"]])
def test_a_case_needs_two_distinct_parties(parties: list[str]) -> None:
    with pytest.raises(InvalidValue) as refused:
        case(parties)
    assert refused.value.field == "parties"


def test_a_case_has_a_known_category_and_a_summary() -> None:
    with pytest.raises(InvalidValue) as refused:
        case(category="gossip")
    assert refused.value.field == "category"
    with pytest.raises(InvalidValue) as blank:
        MediationCase.receive("org", VILLAGE, "family", "  ", ["p1", "p2"], "2024-03-01")
    assert blank.value.field == "summary"


def test_a_party_cannot_mediate_and_a_mediator_is_not_assigned_twice() -> None:
    c = case()
    with pytest.raises(InvalidValue):
        c.assign("p1")
    c.assign("m1")
    with pytest.raises(IllegalTransition):
        c.assign("m1")
    c.assign("m2")
    assert (c.mediator_person_id, c.status) == ("m2", "assigned")


def test_sessions_need_a_mediator_and_keep_their_notes() -> None:
    c = case()
    with pytest.raises(IllegalTransition):
        c.hold_session("2024-03-02", "初次调解")
    c.assign("m1")
    c.hold_session("2024-03-02", "初次调解")
    with pytest.raises(InvalidValue) as early:
        c.hold_session("2024-02-28", "在收案之前")
    assert early.value.field == "held_on"
    assert [s.note for s in c.sessions] == ["初次调解"]


def test_an_agreement_resolves_the_case() -> None:
    c = assigned()
    c.agree("双方同意共同疏通排水沟", "2024-03-05")
    assert (c.status, c.ended_on, c.agreement) == ("resolved", "2024-03-05", "双方同意共同疏通排水沟")


def test_a_failure_leaves_it_unresolved_and_says_where_it_went() -> None:
    c = case()
    c.fail("双方分歧过大", "桐乡市人民法院", "2024-03-09")
    assert (c.status, c.referred_to, c.outcome_reason) == ("unresolved", "桐乡市人民法院", "双方分歧过大")


def test_a_withdrawn_case_ends() -> None:
    c = case()
    c.withdraw("当事人撤回申请", "2024-03-02")
    assert c.status == "withdrawn"


@pytest.mark.parametrize(
    "act",
    [
        lambda c: c.assign("m9"),
        lambda c: c.hold_session("2024-03-10", "再谈"),
        lambda c: c.agree("再签", "2024-03-10"),
        lambda c: c.fail("不成", None, "2024-03-10"),
        lambda c: c.withdraw("撤回", "2024-03-10"),
    ],
)
def test_an_ended_case_takes_nothing_more(act: object) -> None:
    c = assigned()
    c.agree("达成协议", "2024-03-05")
    with pytest.raises(CaseEnded):
        act(c)  # type: ignore[operator]
    assert len(c.collect_events()) == 3
