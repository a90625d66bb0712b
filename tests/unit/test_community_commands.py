"""Community work told through the Gongzhi application service, on the in-memory store."""

from __future__ import annotations

from contextlib import AbstractContextManager
from uuid import UUID, uuid4

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.dividend import Dividend, NoMembers
from domain.errors import (
    InvalidValue,
    NotFound,
    NotMember,
    OrganisationInactive,
    SelfApproval,
    VersionMismatch,
)
from domain.hazard import Hazard
from domain.mediation_case import MediationCase
from domain.points import InsufficientPoints, PointsBook

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
GRID = f"{VILLAGE}/第三网格"


@pytest.fixture
def app() -> Gongzhi:
    return Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def person(app: Gongzhi, name: str = "沈建国") -> UUID:
    return app.register_person(name).id


def organisation(app: Gongzhi) -> UUID:
    return app.register_organisation("self_governance_committee", "翔和促进会", VILLAGE).id


def member(app: Gongzhi, org: UUID, role: str = "member") -> UUID:
    someone = person(app)
    app.admit_member(org, someone, role)
    return someone


def as_actor(actor: str, on_behalf_of: str | None = None) -> AbstractContextManager[CommandContext]:
    return acting(CommandContext(actor=actor, on_behalf_of=on_behalf_of))


def test_a_mediation_case_is_received_at_the_organisations_jurisdiction(app: Gongzhi) -> None:
    org = organisation(app)
    parties = [person(app), person(app)]
    case_id = app.receive_mediation_case(org, "neighbour", "排水沟纠纷", parties, "2024-03-01").id
    case = app.get(MediationCase, case_id)
    assert (case.jurisdiction, case.parties) == (VILLAGE, [str(p) for p in parties])


def test_a_party_must_be_a_registered_person_not_erased(app: Gongzhi) -> None:
    org = organisation(app)
    erased = person(app)
    app.erase_person(erased, "本人申请", "申请 1")
    for parties in ([person(app), uuid4()], [person(app), erased]):
        with pytest.raises(InvalidValue) as refused:
            app.receive_mediation_case(org, "family", "家事", parties)
        assert refused.value.field == "parties"


def test_the_mediator_is_an_active_member_with_the_mediator_role(app: Gongzhi) -> None:
    org = organisation(app)
    case_id = app.receive_mediation_case(org, "land", "宅基地边界", [person(app), person(app)]).id
    with pytest.raises(NotMember):
        app.assign_mediator(case_id, person(app))
    with pytest.raises(InvalidValue) as refused:
        app.assign_mediator(case_id, member(app, org, "secretary"))
    assert refused.value.field == "mediator_person_id"
    mediator = member(app, org, "mediator")
    app.assign_mediator(case_id, mediator)
    app.hold_mediation_session(case_id, None, "初次调解")
    app.sign_agreement(case_id, "双方和解")
    assert app.get(MediationCase, case_id).status == "resolved"


def test_a_hazard_lies_within_its_organisations_jurisdiction(app: Gongzhi) -> None:
    org = organisation(app)
    with pytest.raises(InvalidValue) as refused:
        app.report_hazard(org, "浙江省/嘉兴市/平湖市", "fire", "仓库", "电线老化")
    assert refused.value.field == "jurisdiction"
    hazard_id = app.report_hazard(org, GRID, "electrical", "3号楼", "电线老化", "2024-05-01").id
    app.assign_hazard(hazard_id, member(app, org, "grid_head"), "2024-05-10")
    app.rectify_hazard(hazard_id, "已更换电线", "2024-05-08")
    app.verify_hazard(hazard_id, True, "复查合格", "2024-05-09")
    assert app.get(Hazard, hazard_id).status == "closed"


def test_a_suspended_organisation_takes_no_new_cases_hazards_or_activities(app: Gongzhi) -> None:
    org = organisation(app)
    app.suspend_organisation(org, "整顿")
    with pytest.raises(OrganisationInactive):
        app.receive_mediation_case(org, "family", "家事", [person(app), person(app)])
    with pytest.raises(OrganisationInactive):
        app.report_hazard(org, GRID, "gas", "厨房", "漏气")
    with pytest.raises(OrganisationInactive):
        app.hold_activity(org, "清扫", "environment")


def test_service_counts_once_another_officer_confirms_it(app: Gongzhi) -> None:
    org = organisation(app)
    volunteer = member(app, org)
    activity = app.hold_activity(org, "垃圾分类宣传", "environment", "2024-04-01").id
    with as_actor("recorder"):
        service_id = app.record_service(activity, volunteer, 120).extra["service_id"]
    book_id = PointsBook.id_for(str(org))
    assert app.get(PointsBook, book_id).balance(str(volunteer)) == 0
    with as_actor("recorder"), pytest.raises(SelfApproval):
        app.confirm_service(activity, UUID(service_id))
    with as_actor("platform", on_behalf_of=str(volunteer)), pytest.raises(SelfApproval):
        app.confirm_service(activity, UUID(service_id))
    with as_actor("officer"):
        assert app.confirm_service(activity, UUID(service_id)).extra == {"points": 20}
    assert app.get(PointsBook, book_id).balance(str(volunteer)) == 20


def test_an_activity_lies_within_the_organisation_and_honours_if_match_on_it(app: Gongzhi) -> None:
    org = organisation(app)
    with pytest.raises(InvalidValue):
        app.hold_activity(org, "清扫", "environment", jurisdiction="浙江省/杭州市")
    with acting(CommandContext(expected_version=7)), pytest.raises(VersionMismatch):
        app.hold_activity(org, "清扫", "environment")
    with acting(CommandContext(expected_version=1)):
        assert app.hold_activity(org, "清扫", "environment", jurisdiction=GRID).version == 1


def test_the_points_book_opens_with_its_first_command_and_honours_if_match(app: Gongzhi) -> None:
    org = organisation(app)
    villager = member(app, org)
    with acting(CommandContext(expected_version=3)), pytest.raises(VersionMismatch):
        app.adjust_points(org, villager, 10, "tidy_yard")
    with acting(CommandContext(expected_version=0)):
        result = app.adjust_points(org, villager, 10, "tidy_yard")
    assert (result.id, result.version, result.extra) == (
        PointsBook.id_for(str(org)),
        2,
        {"balance": 10, "below_zero": False},
    )
    deducted = app.adjust_points(org, villager, -25, "not_caring_for_elders", "未按时探望")
    assert deducted.extra == {"balance": -15, "below_zero": True}
    with pytest.raises(InsufficientPoints):
        app.redeem_points(org, villager, 1, "洗衣液")


def test_points_go_to_members_only(app: Gongzhi) -> None:
    org = organisation(app)
    with pytest.raises(NotMember):
        app.adjust_points(org, person(app), 10, "tidy_yard")
    with pytest.raises(NotFound):
        app.get(PointsBook, PointsBook.id_for(str(org)))


def test_a_dividend_shares_among_the_members_by_their_points_on_a_day(app: Gongzhi) -> None:
    org = organisation(app)
    rich, poor, none = member(app, org), member(app, org), member(app, org)
    app.adjust_points(org, rich, 30, "model_household")
    app.adjust_points(org, poor, 10, "tidy_yard")
    app.adjust_points(org, none, -10, "illegal_building")
    dividend_id = app.declare_dividend(org, 100_001, 0.4).id
    dividend = app.get(Dividend, dividend_id)
    amounts = {str(row[0]): int(row[2]) + int(row[3]) for row in dividend.allocations}
    assert sum(amounts.values()) == 100_001
    assert amounts[str(rich)] > amounts[str(poor)] > amounts[str(none)]
    assert amounts[str(none)] in (20_000, 20_001)


def test_a_dividend_as_of_a_day_before_any_points_shares_equally(app: Gongzhi) -> None:
    org = organisation(app)
    one, other = member(app, org), member(app, org)
    app.adjust_points(org, one, 30, "model_household")
    dividend = app.get(Dividend, app.declare_dividend(org, 1_000, "0.5", "2000-01-01").id)
    assert sorted(row[3] for row in dividend.allocations) == [500, 500]  # type: ignore[type-var]
    assert other


def test_a_dividend_needs_members(app: Gongzhi) -> None:
    with pytest.raises(NoMembers):
        app.declare_dividend(organisation(app), 1_000, 0.5)
