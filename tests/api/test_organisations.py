"""Organisations: registration, members and their roles, the lifecycle, and the member
units of a coordination council."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

if TYPE_CHECKING:
    from tests.conftest import Api

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


def members_of(api: Api, organisation: str) -> dict[str, dict[str, Any]]:
    return {m["person_id"]: m for m in api.get(f"/organisations/{organisation}")["members"]}


# Registration


def test_a_registered_organisation_reads_back_active_and_empty(api: Api) -> None:
    accepted = api.command(
        "/organisations",
        {"kind": "sage_association", "name": "皂林村乡贤参事会", "jurisdiction": VILLAGE, "charter": "章程"},
        status=201,
    )

    assert accepted.keys() == {"id", "version", "position"}
    assert accepted["version"] == 1
    assert api.get(f"/organisations/{accepted['id']}") == {
        "id": accepted["id"],
        "kind": "sage_association",
        "name": "皂林村乡贤参事会",
        "jurisdiction": VILLAGE,
        "status": "active",
        "charter": "章程",
        "members": [],
        "member_organisations": [],
        "version": 1,
    }


def test_a_jurisdiction_of_eight_segments_is_accepted(api: Api) -> None:
    eight = "/".join(f"第{i}级" for i in range(8))

    organisation = api.organisation(jurisdiction=eight)

    assert api.get(f"/organisations/{organisation}")["jurisdiction"] == eight


VALID = {"kind": "advisory_group", "name": "法律顾问团", "jurisdiction": VILLAGE}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "political_party"}, "kind"),
        ({"kind": None}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "团" * 201}, "name"),
        ({"jurisdiction": ""}, "jurisdiction"),
        ({"jurisdiction": "浙江省//龙翔街道"}, "jurisdiction"),
        ({"jurisdiction": "/浙江省"}, "jurisdiction"),
        ({"jurisdiction": "浙江省/"}, "jurisdiction"),
        ({"jurisdiction": "浙江省/ 嘉兴市"}, "jurisdiction"),
        ({"jurisdiction": "/".join("abcdefghi")}, "jurisdiction"),
        ({"jurisdiction": "省" * 401}, "jurisdiction"),
        ({"jurisdiction": ["浙江省", "嘉兴市"]}, "jurisdiction"),
        ({"charter": "章" * 20001}, "charter"),
        ({"charter": 7}, "charter"),
        ({"founded": "2020-01-01"}, "founded"),
    ],
    ids=[
        "bad-kind",
        "null-kind",
        "empty-name",
        "over-long-name",
        "empty-jurisdiction",
        "empty-segment",
        "leading-slash",
        "trailing-slash",
        "padded-segment",
        "nine-segments",
        "over-long-jurisdiction",
        "jurisdiction-as-list",
        "over-long-charter",
        "charter-as-number",
        "unknown-field",
    ],
)
def test_an_invalid_organisation_is_refused_naming_the_field(
    shared_api: Api, change: dict[str, Any], field: str
) -> None:
    shared_api.refuses("/organisations", {**VALID, **change}, status=422, field=field)


# Members


def test_admitting_a_member_records_role_category_and_date(api: Api) -> None:
    organisation = api.organisation()
    person = api.person()

    accepted = api.command(
        f"/organisations/{organisation}/members",
        {"person_id": person, "role": "grid_head", "category": "new_resident", "joined_on": "2024-03-01"},
        status=201,
    )

    assert accepted == {"id": organisation, "version": 2, "position": api.store_head()}
    assert members_of(api, organisation) == {
        person: {
            "person_id": person,
            "role": "grid_head",
            "category": "new_resident",
            "joined_on": "2024-03-01",
        }
    }


def test_a_member_admitted_without_category_or_date_is_a_resident_joining_today(api: Api) -> None:
    organisation = api.organisation()

    person = api.member(organisation)

    member = members_of(api, organisation)[person]
    assert member["category"] == "resident"
    assert len(member["joined_on"]) == len("2024-03-01")


def test_admitting_an_active_member_again_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation)

    problem = api.refuses(
        f"/organisations/{organisation}/members", {"person_id": person, "role": "advisor"}, status=409
    )

    assert problem["title"] == "Already a member"


def test_a_second_active_chair_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()
    api.member(organisation, role="chair")

    api.refuses(
        f"/organisations/{organisation}/members", {"person_id": api.person(), "role": "chair"}, status=409
    )


def test_a_departed_member_can_be_admitted_again(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation)
    api.command(f"/organisations/{organisation}/members/{person}/departure", {"reason": "left"})

    api.member(organisation, person, role="advisor")

    assert members_of(api, organisation)[person]["role"] == "advisor"


def test_a_suspended_organisation_admits_no_one(api: Api) -> None:
    organisation = api.organisation()
    api.suspend(organisation)

    api.refuses(
        f"/organisations/{organisation}/members", {"person_id": api.person(), "role": "member"}, status=409
    )


def test_an_invalid_admission_is_refused_naming_the_field(api: Api) -> None:
    organisation = api.organisation()
    person = api.person()
    other_kind = api.organisation(name="另一个组织")
    path = f"/organisations/{organisation}/members"
    valid = {"person_id": person, "role": "member"}

    for change, field in [
        ({"person_id": str(uuid4())}, "person_id"),
        ({"person_id": other_kind}, "person_id"),
        ({"person_id": "someone"}, "person_id"),
        ({"role": "emperor"}, "role"),
        ({"category": "tourist"}, "category"),
        ({"joined_on": "2024-02-30"}, "joined_on"),
        ({"joined_on": "yesterday"}, "joined_on"),
        ({"joined_on": 20240301}, "joined_on"),
    ]:
        api.refuses(path, {**valid, **change}, status=422, field=field)
    api.refuses(path, {"role": "member"}, status=422, field="person_id")


def test_changing_a_role_records_the_new_role(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation, role="member")

    accepted = api.command(f"/organisations/{organisation}/members/{person}/role", {"role": "secretary"})

    assert accepted["version"] == 3
    assert members_of(api, organisation)[person]["role"] == "secretary"


def test_changing_to_the_same_role_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation, role="secretary")

    api.refuses(f"/organisations/{organisation}/members/{person}/role", {"role": "secretary"}, status=409)


def test_promoting_a_second_chair_is_a_conflict_until_the_first_steps_down(api: Api) -> None:
    organisation = api.organisation()
    chair = api.member(organisation, role="chair")
    deputy = api.member(organisation, role="vice_chair")

    api.refuses(f"/organisations/{organisation}/members/{deputy}/role", {"role": "chair"}, status=409)

    api.command(f"/organisations/{organisation}/members/{chair}/role", {"role": "advisor"})
    api.command(f"/organisations/{organisation}/members/{deputy}/role", {"role": "chair"})
    assert members_of(api, organisation)[deputy]["role"] == "chair"


def test_changing_the_role_of_a_non_member_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()
    api.member(organisation)

    problem = api.refuses(
        f"/organisations/{organisation}/members/{api.person()}/role", {"role": "member"}, status=409
    )

    assert problem["title"] == "Not a member"


def test_an_invalid_role_change_is_refused_naming_the_field(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation)
    path = f"/organisations/{organisation}/members/{person}/role"

    api.refuses(path, {"role": "Chair"}, status=422, field="role")
    api.refuses(path, {}, status=422, field="role")
    api.refuses(
        f"/organisations/{organisation}/members/nobody/role",
        {"role": "chair"},
        status=422,
        field="path.person_id",
    )


def test_a_departure_removes_the_member(api: Api) -> None:
    organisation = api.organisation()
    staying = api.member(organisation)
    leaving = api.member(organisation, role="mediator")

    accepted = api.command(
        f"/organisations/{organisation}/members/{leaving}/departure",
        {"reason": "expelled", "note": "违反章程"},
    )

    assert accepted["version"] == 4
    assert members_of(api, organisation).keys() == {staying}


def test_the_departure_of_a_non_member_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()

    api.refuses(
        f"/organisations/{organisation}/members/{api.person()}/departure", {"reason": "left"}, status=409
    )


def test_an_invalid_departure_is_refused_naming_the_field(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation)
    path = f"/organisations/{organisation}/members/{person}/departure"

    api.refuses(path, {"reason": "retired"}, status=422, field="reason")
    api.refuses(path, {"reason": "left", "note": "注" * 4001}, status=422, field="note")
    api.refuses(path, {"reason": "left", "note": 3}, status=422, field="note")


# Lifecycle


def test_suspension_and_reinstatement_toggle_the_status(api: Api) -> None:
    organisation = api.organisation()

    suspended = api.command(f"/organisations/{organisation}/suspension", {"reason": "换届整顿"})
    assert api.get(f"/organisations/{organisation}")["status"] == "suspended"

    reinstated = api.command(f"/organisations/{organisation}/suspension", method="DELETE")
    assert api.get(f"/organisations/{organisation}")["status"] == "active"
    assert (suspended["version"], reinstated["version"]) == (2, 3)


def test_suspending_a_suspended_organisation_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()
    api.suspend(organisation)

    api.refuses(f"/organisations/{organisation}/suspension", {"reason": "再次整顿"}, status=409)


def test_reinstating_an_active_organisation_is_a_conflict(api: Api) -> None:
    organisation = api.organisation()

    api.refuses(f"/organisations/{organisation}/suspension", method="DELETE", status=409)


def test_a_suspension_needs_a_reason(api: Api) -> None:
    organisation = api.organisation()
    path = f"/organisations/{organisation}/suspension"

    api.refuses(path, {}, status=422, field="reason")
    api.refuses(path, {"reason": "   "}, status=422, field="reason")
    api.refuses(path, {"reason": "由" * 2001}, status=422, field="reason")


def test_a_dissolved_organisation_is_final(api: Api) -> None:
    organisation = api.organisation()
    member = api.member(organisation)

    accepted = api.command(f"/organisations/{organisation}/dissolution", {"reason": "并入社区议事会"})

    assert accepted["version"] == 3
    assert api.get(f"/organisations/{organisation}")["status"] == "dissolved"
    api.refuses(f"/organisations/{organisation}/dissolution", {"reason": "再次解散"}, status=409)
    api.refuses(f"/organisations/{organisation}/suspension", method="DELETE", status=409)
    api.refuses(f"/organisations/{organisation}/suspension", {"reason": "整顿"}, status=409)
    api.refuses(f"/organisations/{organisation}/members/{member}/role", {"role": "advisor"}, status=409)
    api.refuses(f"/organisations/{organisation}/members/{member}/departure", {"reason": "left"}, status=409)
    api.refuses(
        f"/organisations/{organisation}/members", {"person_id": api.person(), "role": "member"}, status=409
    )


def test_a_dissolution_needs_a_reason(api: Api) -> None:
    organisation = api.organisation()

    api.refuses(f"/organisations/{organisation}/dissolution", {"reason": ""}, status=422, field="reason")


# Member organisations of a coordination council


def test_a_council_takes_and_releases_member_organisations(api: Api) -> None:
    council = api.council()
    committee = api.organisation()
    association = api.organisation(kind="mutual_aid_association", name="邻里互助会")

    for unit in (committee, association):
        api.command(f"/organisations/{council}/member-organisations", {"organisation_id": unit}, status=201)
    assert api.get(f"/organisations/{council}")["member_organisations"] == [committee, association]

    accepted = api.command(f"/organisations/{council}/member-organisations/{committee}/departure")

    assert accepted["version"] == 4
    assert api.get(f"/organisations/{council}")["member_organisations"] == [association]


def test_only_a_coordination_council_takes_member_organisations(api: Api) -> None:
    committee = api.organisation()

    problem = api.refuses(
        f"/organisations/{committee}/member-organisations",
        {"organisation_id": api.organisation()},
        status=409,
    )

    assert problem["title"] == "Only a coordination council takes member organisations"


def test_a_suspended_organisation_cannot_join_a_council(api: Api) -> None:
    council = api.council()
    committee = api.organisation()
    api.suspend(committee)

    api.refuses(f"/organisations/{council}/member-organisations", {"organisation_id": committee}, status=409)


def test_a_suspended_council_takes_no_member_organisations(api: Api) -> None:
    council = api.council()
    api.suspend(council)

    api.refuses(
        f"/organisations/{council}/member-organisations", {"organisation_id": api.organisation()}, status=409
    )


def test_joining_a_council_twice_is_a_conflict(api: Api) -> None:
    council = api.council()
    committee = api.organisation()
    api.command(f"/organisations/{council}/member-organisations", {"organisation_id": committee}, status=201)

    api.refuses(f"/organisations/{council}/member-organisations", {"organisation_id": committee}, status=409)


def test_a_council_joining_itself_or_an_unknown_organisation_is_invalid(api: Api) -> None:
    council = api.council()
    path = f"/organisations/{council}/member-organisations"

    api.refuses(path, {"organisation_id": council}, status=422, field="organisation_id")
    api.refuses(path, {"organisation_id": str(uuid4())}, status=422, field="organisation_id")
    api.refuses(path, {"organisation_id": api.person()}, status=422, field="organisation_id")
    api.refuses(path, {"organisation_id": "council"}, status=422, field="organisation_id")
    api.refuses(path, {}, status=422, field="organisation_id")


def test_releasing_an_organisation_that_is_not_a_member_unit_is_a_conflict(api: Api) -> None:
    council = api.council()

    api.refuses(f"/organisations/{council}/member-organisations/{api.organisation()}/departure", status=409)
