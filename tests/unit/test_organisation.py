"""Stories of an organisation: its registration, its members, its lifecycle, its member units."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain.errors import (
    AlreadyMember,
    ChairTaken,
    IllegalTransition,
    InvalidValue,
    NotCoordinationCouncil,
    NotMember,
    OrganisationInactive,
    RoleUnchanged,
    RuleViolation,
)
from domain.jurisdiction import MAX_SEGMENTS as MAX_JURISDICTION_SEGMENTS
from domain.organisation import Organisation

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
JOINED_ON = "2023-03-15"

# The domain refuses unknown enumerated values with a bare ValueError today; see
# test_an_unknown_enumerated_value_is_refused_as_an_invalid_value for the expected error.
UNKNOWN_VALUE_REFUSALS = (InvalidValue, ValueError)


def register(
    kind: str = "mutual_aid_association", name: str = "新居民互助会", jurisdiction: str = VILLAGE
) -> Organisation:
    return Organisation.register(kind, name, jurisdiction, charter="互帮互助")


def council() -> Organisation:
    return register(kind="coordination_council", name="亲新家园协调自治委员会")


def new_person() -> str:
    return str(uuid4())


def with_member(role: str = "member", organisation: Organisation | None = None) -> tuple[Organisation, str]:
    organisation = organisation or register()
    person = new_person()
    organisation.admit(person, role, "new_resident", JOINED_ON)
    return organisation, person


def depart_with_reason(reason: str) -> None:
    organisation, person = with_member()
    organisation.depart(person, reason, None)


def last_event_name(organisation: Organisation) -> str:
    return type(organisation.collect_events()[-1]).__name__


# Registration


def test_a_registered_organisation_is_active_and_has_no_members_yet() -> None:
    organisation = register(kind="sage_association", name="皂林村乡贤协会")

    assert organisation.kind == "sage_association"
    assert organisation.name == "皂林村乡贤协会"
    assert organisation.jurisdiction == VILLAGE
    assert organisation.charter == "互帮互助"
    assert organisation.status == "active"
    assert organisation.members == {}
    assert organisation.member_organisations == []
    assert organisation.version == 1


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_organisation_needs_a_name(name: str) -> None:
    with pytest.raises(InvalidValue) as refusal:
        register(name=name)

    assert refusal.value.field == "name"


def test_an_organisation_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(UNKNOWN_VALUE_REFUSALS):
        register(kind="book_club")


# Jurisdiction


def test_a_jurisdiction_may_name_a_single_province() -> None:
    assert register(jurisdiction="浙江省").jurisdiction == "浙江省"


def test_a_jurisdiction_may_go_down_to_eight_segments() -> None:
    path = "/".join(["浙江省", "嘉兴市", "桐乡市", "龙翔街道", "皂林村", "第一网格", "3幢", "2单元"])
    assert len(path.split("/")) == MAX_JURISDICTION_SEGMENTS

    assert register(jurisdiction=path).jurisdiction == path


def test_a_jurisdiction_of_nine_segments_is_refused() -> None:
    path = "/".join(f"级{level}" for level in range(MAX_JURISDICTION_SEGMENTS + 1))

    with pytest.raises(InvalidValue) as refusal:
        register(jurisdiction=path)

    assert refusal.value.field == "jurisdiction"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "浙江省//桐乡市",
        "/浙江省/嘉兴市",
        "浙江省/嘉兴市/",
        "浙江省/ /桐乡市",
        " 浙江省/嘉兴市",
        "浙江省/嘉兴市 ",
    ],
)
def test_every_jurisdiction_segment_must_be_non_empty_and_unpadded(path: str) -> None:
    with pytest.raises(InvalidValue) as refusal:
        register(jurisdiction=path)

    assert refusal.value.field == "jurisdiction"


# Members


def test_admitting_a_person_records_their_role_category_and_date() -> None:
    organisation = register()
    person = new_person()

    organisation.admit(person, "liaison_representative", "business_owner", JOINED_ON)

    membership = organisation.members[person]
    assert (membership.role, membership.category, membership.joined_on) == (
        "liaison_representative",
        "business_owner",
        JOINED_ON,
    )
    assert last_event_name(organisation) == "MemberAdmitted"


def test_a_person_cannot_hold_two_active_memberships_in_one_organisation() -> None:
    organisation, person = with_member()
    version = organisation.version

    with pytest.raises(AlreadyMember):
        organisation.admit(person, "secretary", "resident", "2024-01-01")

    assert organisation.version == version
    assert organisation.members[person].role == "member"


def test_one_person_may_belong_to_several_organisations() -> None:
    committee, person = with_member()
    association = register(kind="advisory_group", name="顾问团")

    association.admit(person, "advisor", "professional", JOINED_ON)

    assert person in committee.members
    assert association.members[person].role == "advisor"


def test_a_person_who_left_may_be_admitted_again() -> None:
    organisation, person = with_member()
    organisation.depart(person, "left", "moved away")

    organisation.admit(person, "grid_head", "resident", "2024-06-01")

    assert organisation.members[person].role == "grid_head"
    assert organisation.members[person].joined_on == "2024-06-01"


@pytest.mark.parametrize(("role", "category"), [("emperor", "resident"), ("member", "tourist")])
def test_an_unknown_role_or_category_is_refused(role: str, category: str) -> None:
    organisation = register()

    with pytest.raises(UNKNOWN_VALUE_REFUSALS):
        organisation.admit(new_person(), role, category, JOINED_ON)

    assert organisation.members == {}
    assert organisation.version == 1


# Chair


def test_an_organisation_admits_only_one_active_chair() -> None:
    organisation, _chair = with_member(role="chair")
    version = organisation.version
    rival = new_person()

    with pytest.raises(ChairTaken):
        organisation.admit(rival, "chair", "resident", JOINED_ON)

    assert rival not in organisation.members
    assert organisation.version == version


def test_a_member_cannot_be_promoted_to_chair_while_another_chair_is_active() -> None:
    organisation, _chair = with_member(role="chair")
    _, deputy = with_member(role="vice_chair", organisation=organisation)
    version = organisation.version

    with pytest.raises(ChairTaken):
        organisation.change_role(deputy, "chair")

    assert organisation.members[deputy].role == "vice_chair"
    assert organisation.version == version


def test_a_new_chair_may_be_admitted_once_the_old_chair_has_left() -> None:
    organisation, chair = with_member(role="chair")
    organisation.depart(chair, "left", None)
    successor = new_person()

    organisation.admit(successor, "chair", "sage", JOINED_ON)

    assert organisation.members[successor].role == "chair"


def test_the_deputy_may_take_the_chair_once_the_chair_steps_down() -> None:
    organisation, chair = with_member(role="chair")
    _, deputy = with_member(role="vice_chair", organisation=organisation)

    organisation.change_role(chair, "standing_member")
    organisation.change_role(deputy, "chair")

    assert organisation.members[chair].role == "standing_member"
    assert organisation.members[deputy].role == "chair"


# Role changes


def test_a_role_change_remembers_the_previous_role() -> None:
    organisation, person = with_member(role="member")

    organisation.change_role(person, "mediator")

    event = organisation.collect_events()[-1]
    assert type(event).__name__ == "MemberRoleChanged"
    assert (event.previous_role, event.role) == ("member", "mediator")  # type: ignore[attr-defined]
    assert organisation.members[person].role == "mediator"


def test_changing_a_member_to_the_role_they_hold_is_refused() -> None:
    organisation, person = with_member(role="secretary")
    version = organisation.version

    with pytest.raises(RoleUnchanged):
        organisation.change_role(person, "secretary")

    assert organisation.version == version


def test_only_members_can_have_their_role_changed() -> None:
    organisation = register()

    with pytest.raises(NotMember):
        organisation.change_role(new_person(), "secretary")

    assert organisation.version == 1


# Departures


@pytest.mark.parametrize("reason", ["left", "expelled"])
def test_a_member_departs_having_left_or_been_expelled(reason: str) -> None:
    organisation, person = with_member()

    organisation.depart(person, reason, "理事会决定")

    assert person not in organisation.members
    event = organisation.collect_events()[-1]
    assert type(event).__name__ == "MemberDeparted"
    assert event.reason == reason  # type: ignore[attr-defined]


@pytest.mark.parametrize("reason", ["died", "retired", "LEFT", ""])
def test_departure_reasons_other_than_left_or_expelled_are_refused(reason: str) -> None:
    organisation, person = with_member()
    version = organisation.version

    with pytest.raises(UNKNOWN_VALUE_REFUSALS):
        organisation.depart(person, reason, None)

    assert person in organisation.members
    assert organisation.version == version


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(lambda: register(kind="book_club"), id="kind"),
        pytest.param(lambda: register().admit(new_person(), "emperor", "resident", JOINED_ON), id="role"),
        pytest.param(lambda: register().admit(new_person(), "member", "tourist", JOINED_ON), id="category"),
        pytest.param(lambda: depart_with_reason("died"), id="departure-reason"),
    ],
)
def test_an_unknown_enumerated_value_is_refused_as_an_invalid_value(
    command: Callable[[], object],
) -> None:
    with pytest.raises(InvalidValue):
        command()


def test_a_person_who_is_not_a_member_cannot_depart() -> None:
    organisation, person = with_member()
    organisation.depart(person, "expelled", None)
    version = organisation.version

    with pytest.raises(NotMember):
        organisation.depart(person, "left", None)

    assert organisation.version == version


# Lifecycle


def test_an_active_organisation_may_be_suspended_and_reinstated() -> None:
    organisation = register()

    organisation.suspend("年检未通过")
    assert organisation.status == "suspended"
    assert not organisation.is_active

    organisation.reinstate()
    assert organisation.status == "active"
    assert organisation.is_active


def test_a_suspended_organisation_cannot_be_suspended_again() -> None:
    organisation = register()
    organisation.suspend("年检未通过")

    with pytest.raises(OrganisationInactive):
        organisation.suspend("again")

    assert organisation.version == 2


def test_only_a_suspended_organisation_can_be_reinstated() -> None:
    organisation = register()

    with pytest.raises(IllegalTransition):
        organisation.reinstate()

    assert organisation.version == 1


def test_a_suspended_organisation_admits_no_one() -> None:
    organisation = register()
    organisation.suspend("整改中")

    with pytest.raises(OrganisationInactive):
        organisation.admit(new_person(), "member", "resident", JOINED_ON)

    assert organisation.members == {}


@pytest.mark.parametrize("suspended_first", [False, True], ids=["from-active", "from-suspended"])
def test_an_organisation_may_be_dissolved(suspended_first: bool) -> None:
    organisation = register()
    if suspended_first:
        organisation.suspend("整改中")

    organisation.dissolve("并入新协会")

    assert organisation.status == "dissolved"
    assert last_event_name(organisation) == "Dissolved"


DISSOLVED_REFUSES: dict[str, Callable[[Organisation, str, Organisation], None]] = {
    "admit": lambda org, _person, _unit: org.admit(new_person(), "member", "resident", JOINED_ON),
    "change_role": lambda org, person, _unit: org.change_role(person, "secretary"),
    "depart": lambda org, person, _unit: org.depart(person, "left", None),
    "suspend": lambda org, _person, _unit: org.suspend("again"),
    "reinstate": lambda org, _person, _unit: org.reinstate(),
    "dissolve": lambda org, _person, _unit: org.dissolve("again"),
    "take_member_organisation": lambda org, _person, _unit: org.take_member_organisation(
        register(name="调解协会")
    ),
    "release_member_organisation": lambda org, _person, unit: org.release_member_organisation(str(unit.id)),
    "join_another_council": lambda org, _person, _unit: council().take_member_organisation(org),
}


@pytest.mark.parametrize("command", DISSOLVED_REFUSES.values(), ids=DISSOLVED_REFUSES.keys())
def test_a_dissolved_organisation_refuses_everything(
    command: Callable[[Organisation, str, Organisation], None],
) -> None:
    organisation, person = with_member(organisation=council())
    unit = register()
    organisation.take_member_organisation(unit)
    organisation.dissolve("使命完成")
    version = organisation.version

    with pytest.raises(RuleViolation):
        command(organisation, person, unit)

    assert organisation.version == version
    assert organisation.status == "dissolved"
    assert person in organisation.members
    assert organisation.member_organisations == [str(unit.id)]


# Member organisations of a coordination council


def test_a_coordination_council_takes_other_organisations_as_member_units() -> None:
    umbrella = council()
    committee = register(kind="self_governance_committee", name="业主委员会")
    advisers = register(kind="advisory_group", name="顾问团")

    umbrella.take_member_organisation(committee)
    umbrella.take_member_organisation(advisers)

    assert umbrella.member_organisations == [str(committee.id), str(advisers.id)]
    assert last_event_name(umbrella) == "MemberOrganisationJoined"


@pytest.mark.parametrize(
    "kind",
    ["self_governance_committee", "mutual_aid_association", "sage_association", "advisory_group"],
)
def test_only_a_coordination_council_takes_member_organisations(kind: str) -> None:
    organisation = register(kind=kind)

    with pytest.raises(NotCoordinationCouncil):
        organisation.take_member_organisation(register(name="调解协会"))

    assert organisation.member_organisations == []
    assert organisation.version == 1


def test_a_council_cannot_join_itself() -> None:
    umbrella = council()

    with pytest.raises(InvalidValue) as refusal:
        umbrella.take_member_organisation(umbrella)

    assert refusal.value.field == "organisation_id"
    assert umbrella.member_organisations == []


def test_a_suspended_organisation_cannot_join_a_council() -> None:
    umbrella = council()
    unit = register()
    unit.suspend("整改中")

    with pytest.raises(OrganisationInactive):
        umbrella.take_member_organisation(unit)

    assert umbrella.member_organisations == []


def test_a_suspended_council_takes_no_member_organisations() -> None:
    umbrella = council()
    umbrella.suspend("换届")

    with pytest.raises(OrganisationInactive):
        umbrella.take_member_organisation(register())

    assert umbrella.member_organisations == []


def test_an_organisation_joins_a_council_only_once() -> None:
    umbrella = council()
    unit = register()
    umbrella.take_member_organisation(unit)
    version = umbrella.version

    with pytest.raises(AlreadyMember):
        umbrella.take_member_organisation(unit)

    assert umbrella.member_organisations == [str(unit.id)]
    assert umbrella.version == version


def test_a_member_unit_may_leave_the_council_and_join_again() -> None:
    umbrella = council()
    unit = register()
    umbrella.take_member_organisation(unit)

    umbrella.release_member_organisation(str(unit.id))
    assert umbrella.member_organisations == []

    umbrella.take_member_organisation(unit)
    assert umbrella.member_organisations == [str(unit.id)]


def test_an_organisation_that_is_not_a_member_unit_cannot_leave() -> None:
    umbrella = council()

    with pytest.raises(NotMember):
        umbrella.release_member_organisation(str(uuid4()))

    assert umbrella.version == 1
