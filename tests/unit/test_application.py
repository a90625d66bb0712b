"""Stories told through the Gongzhi application service, on the in-memory store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Gongzhi
from domain.context import SYSTEM_ACTOR, CommandContext, acting
from domain.errors import (
    InvalidValue,
    NotCoordinationCouncil,
    NotFound,
    OrganisationInactive,
    SelfApproval,
    VersionMismatch,
)
from domain.fund import Fund
from domain.organisation import Organisation
from domain.project import Project

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


@pytest.fixture
def app() -> Gongzhi:
    return Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@contextmanager
def as_actor(actor: str, **context: Any) -> Iterator[CommandContext]:
    with acting(CommandContext(actor=actor, **context)) as command_context:
        yield command_context


def person(app: Gongzhi, name: str = "沈建国") -> UUID:
    return app.register_person(name, phone="13800000000").id


def organisation(app: Gongzhi, kind: str = "mutual_aid_association", name: str = "互助会") -> UUID:
    return app.register_organisation(kind, name, VILLAGE).id


def council(app: Gongzhi) -> UUID:
    return organisation(app, kind="coordination_council", name="亲新家园")


def fund(app: Gongzhi, amount_fen: int = 0) -> UUID:
    fund_id = app.open_fund(organisation(app, kind="sage_association"), "乡贤基金", ["elder_care"]).id
    if amount_fen:
        app.receive_donation(fund_id, amount_fen, donor_name="沈先生")
    return fund_id


def events_of(app: Gongzhi, aggregate_id: UUID) -> list[Any]:
    return list(app.repository.event_store.get(aggregate_id))


def last_event(app: Gongzhi, aggregate_id: UUID) -> Any:
    return events_of(app, aggregate_id)[-1]


def store_position(app: Gongzhi) -> int:
    return app.recorder.max_notification_id() or 0


def today_between(recorded: str, before: date) -> bool:
    return recorded in {before.isoformat(), date.today().isoformat()}


# People and members


def test_a_person_needs_a_name(app: Gongzhi) -> None:
    with pytest.raises(InvalidValue) as refusal:
        app.register_person("  ")

    assert refusal.value.field == "name"
    assert store_position(app) == 0


def test_a_registered_person_can_be_admitted_to_an_organisation(app: Gongzhi) -> None:
    org_id, person_id = organisation(app), person(app)

    result = app.admit_member(org_id, person_id, "standing_member", "business_owner", "2023-03-15")

    member = app.get(Organisation, org_id).members[str(person_id)]
    assert (member.role, member.category, member.joined_on) == (
        "standing_member",
        "business_owner",
        "2023-03-15",
    )
    assert (result.id, result.version) == (org_id, 2)


def test_an_unknown_person_cannot_be_admitted(app: Gongzhi) -> None:
    org_id = organisation(app)
    position = store_position(app)

    with pytest.raises(InvalidValue) as refusal:
        app.admit_member(org_id, uuid4(), "member")

    assert refusal.value.field == "person_id"
    assert store_position(app) == position


def test_an_organisation_cannot_be_admitted_as_a_person(app: Gongzhi) -> None:
    org_id, other_id = organisation(app), organisation(app, name="顾问团")

    with pytest.raises(InvalidValue) as refusal:
        app.admit_member(org_id, other_id, "member")

    assert refusal.value.field == "person_id"


def test_a_donation_from_an_unknown_person_is_refused(app: Gongzhi) -> None:
    fund_id = fund(app)

    with pytest.raises(InvalidValue) as refusal:
        app.receive_donation(fund_id, 1000, donor_person_id=uuid4())

    assert refusal.value.field == "donor_person_id"
    assert app.get(Fund, fund_id).donated_fen == 0


def test_a_donation_from_a_registered_person_names_them(app: Gongzhi) -> None:
    fund_id, donor = fund(app), person(app)

    result = app.receive_donation(fund_id, 1000, donor_person_id=donor)

    event = last_event(app, fund_id)
    assert event.donor_person_id == str(donor)
    assert event.donor_name is None
    assert event.donation_id == result.extra["donation_id"]
    assert app.get(Fund, fund_id).donated_fen == 1000


# Projects and funds need an active organisation


def test_a_project_is_led_by_an_active_organisation_with_known_partners(app: Gongzhi) -> None:
    lead, partner = organisation(app), organisation(app, kind="advisory_group", name="顾问团")

    project_id = app.propose_project("3:30课堂", "education", lead, [partner], 50_000).id

    project = app.get(Project, project_id)
    assert project.lead_organisation_id == str(lead)
    assert project.partner_organisation_ids == [str(partner)]


def test_a_project_needs_a_known_lead_organisation(app: Gongzhi) -> None:
    with pytest.raises(InvalidValue) as refusal:
        app.propose_project("3:30课堂", "education", uuid4())

    assert refusal.value.field == "lead_organisation_id"
    assert store_position(app) == 0


def test_a_project_needs_known_partner_organisations(app: Gongzhi) -> None:
    lead = organisation(app)

    with pytest.raises(InvalidValue) as refusal:
        app.propose_project("3:30课堂", "education", lead, [uuid4()])

    assert refusal.value.field == "partner_organisation_ids"


@pytest.mark.parametrize("closing", ["suspend_organisation", "dissolve_organisation"])
def test_an_inactive_organisation_cannot_lead_a_project(app: Gongzhi, closing: str) -> None:
    lead = organisation(app)
    getattr(app, closing)(lead, "整改中")
    position = store_position(app)

    with pytest.raises(OrganisationInactive):
        app.propose_project("免费洗车", "civility", lead)

    assert store_position(app) == position


def test_an_inactive_organisation_cannot_open_a_fund(app: Gongzhi) -> None:
    owner = organisation(app)
    app.suspend_organisation(owner, "整改中")

    with pytest.raises(OrganisationInactive):
        app.open_fund(owner, "互助金", ["mutual_aid"])


def test_a_fund_needs_a_known_owner(app: Gongzhi) -> None:
    with pytest.raises(InvalidValue) as refusal:
        app.open_fund(uuid4(), "互助金", ["mutual_aid"])

    assert refusal.value.field == "organisation_id"


def test_a_disbursement_for_an_unknown_project_is_refused(app: Gongzhi) -> None:
    fund_id = fund(app, 10_000)

    with pytest.raises(InvalidValue) as refusal:
        app.request_disbursement(fund_id, 1_000, "elder_care", "敬老院", project_id=uuid4())

    assert refusal.value.field == "project_id"
    assert app.get(Fund, fund_id).disbursements == {}


# Coordination councils


def test_an_active_organisation_joins_a_coordination_council(app: Gongzhi) -> None:
    umbrella, unit = council(app), organisation(app)

    app.join_council(umbrella, unit)

    assert app.get(Organisation, umbrella).member_organisations == [str(unit)]
    app.leave_council(umbrella, unit)
    assert app.get(Organisation, umbrella).member_organisations == []


def test_only_a_coordination_council_takes_member_organisations(app: Gongzhi) -> None:
    committee, unit = organisation(app, kind="self_governance_committee"), organisation(app)

    with pytest.raises(NotCoordinationCouncil):
        app.join_council(committee, unit)

    assert app.get(Organisation, committee).member_organisations == []


def test_a_council_member_must_be_a_known_organisation(app: Gongzhi) -> None:
    umbrella = council(app)

    with pytest.raises(InvalidValue) as refusal:
        app.join_council(umbrella, person(app))

    assert refusal.value.field == "organisation_id"


@pytest.mark.parametrize("closing", ["suspend_organisation", "dissolve_organisation"])
def test_a_council_member_must_be_active(app: Gongzhi, closing: str) -> None:
    umbrella, unit = council(app), organisation(app)
    getattr(app, closing)(unit, "整改中")

    with pytest.raises(OrganisationInactive):
        app.join_council(umbrella, unit)

    assert app.get(Organisation, umbrella).member_organisations == []


def test_a_council_cannot_be_its_own_member(app: Gongzhi) -> None:
    umbrella = council(app)

    with pytest.raises(InvalidValue) as refusal:
        app.join_council(umbrella, umbrella)

    assert refusal.value.field == "organisation_id"
    assert app.get(Organisation, umbrella).version == 1


# Actors, approvals and metadata


def test_the_requester_of_a_disbursement_is_the_acting_person(app: Gongzhi) -> None:
    fund_id = fund(app, 10_000)
    with as_actor("secretary-wang"):
        disbursement_id = UUID(
            app.request_disbursement(fund_id, 3_000, "elder_care", "敬老院").extra["disbursement_id"]
        )

    with as_actor("secretary-wang"), pytest.raises(SelfApproval):
        app.approve_disbursement(fund_id, disbursement_id)

    with as_actor("treasurer-li"):
        app.approve_disbursement(fund_id, disbursement_id)
        app.pay_disbursement(fund_id, disbursement_id, "2024-05-02", "流水0042")

    disbursement = app.get(Fund, fund_id).disbursement(str(disbursement_id))
    assert disbursement.requested_by == "secretary-wang"
    assert disbursement.approvals == ["treasurer-li"]
    assert disbursement.status == "paid"
    assert app.get(Fund, fund_id).balance_fen == 7_000


def test_a_rejection_records_who_rejected(app: Gongzhi) -> None:
    fund_id = fund(app, 10_000)
    disbursement_id = UUID(
        app.request_disbursement(fund_id, 3_000, "elder_care", "敬老院").extra["disbursement_id"]
    )

    with as_actor("auditor-zhang"):
        app.reject_disbursement(fund_id, disbursement_id, "票据不全")

    assert last_event(app, fund_id).rejected_by == "auditor-zhang"
    assert app.get(Fund, fund_id).disbursement(str(disbursement_id)).status == "rejected"


def test_every_event_carries_the_actor_and_correlation_id_of_its_command(app: Gongzhi) -> None:
    with as_actor("clerk-chen", correlation_id="req-1"):
        org_id = organisation(app)
    with as_actor("chair-shen", correlation_id="req-2"):
        app.suspend_organisation(org_id, "换届")

    assert [event.metadata for event in events_of(app, org_id)] == [
        {"actor": "clerk-chen", "correlation_id": "req-1"},
        {"actor": "chair-shen", "correlation_id": "req-2"},
    ]


def test_a_command_outside_any_request_is_recorded_as_the_system(app: Gongzhi) -> None:
    org_id = organisation(app)

    metadata = last_event(app, org_id).metadata
    assert metadata["actor"] == SYSTEM_ACTOR
    assert UUID(metadata["correlation_id"])
    assert set(metadata) == {"actor", "correlation_id"}


def test_results_report_the_new_version_and_store_position(app: Gongzhi) -> None:
    first = organisation(app)
    suspended = app.suspend_organisation(first, "换届")
    reinstated = app.reinstate_organisation(first)

    assert (suspended.version, reinstated.version) == (2, 3)
    assert (suspended.position, reinstated.position) == (2, 3)
    assert store_position(app) == 3


# If-Match


def test_a_command_with_the_current_version_goes_through(app: Gongzhi) -> None:
    org_id = organisation(app)

    with as_actor("chair-shen", expected_version=1):
        result = app.suspend_organisation(org_id, "换届")

    assert result.version == 2
    assert app.get(Organisation, org_id).status == "suspended"


def test_a_command_with_a_stale_version_is_refused(app: Gongzhi) -> None:
    org_id = organisation(app)
    app.suspend_organisation(org_id, "换届")

    with as_actor("chair-shen", expected_version=1), pytest.raises(VersionMismatch) as refusal:
        app.dissolve_organisation(org_id, "based on what I saw at version 1")

    assert (refusal.value.expected, refusal.value.actual) == (1, 2)
    assert app.get(Organisation, org_id).status == "suspended"
    assert store_position(app) == 2


# Business dates


def test_business_dates_default_to_today(app: Gongzhi) -> None:
    before = date.today()
    org_id, person_id, fund_id = organisation(app), person(app), fund(app, 10_000)
    disbursement_id = UUID(
        app.request_disbursement(fund_id, 3_000, "elder_care", "敬老院").extra["disbursement_id"]
    )
    with as_actor("treasurer-li"):
        app.approve_disbursement(fund_id, disbursement_id)

    app.admit_member(org_id, person_id, "member")
    app.pay_disbursement(fund_id, disbursement_id)

    assert today_between(app.get(Organisation, org_id).members[str(person_id)].joined_on, before)
    assert today_between(events_of(app, fund_id)[1].received_on, before)
    assert today_between(last_event(app, fund_id).paid_on, before)


@pytest.mark.parametrize("given", [date(2023, 3, 15), "2023-03-15"])
def test_a_business_date_may_be_given_as_a_date_or_an_iso_string(app: Gongzhi, given: date | str) -> None:
    fund_id = fund(app)

    app.receive_donation(fund_id, 1000, donor_name="沈先生", received_on=given)

    assert last_event(app, fund_id).received_on == "2023-03-15"


@pytest.mark.parametrize("given", ["2023-02-30", "15/03/2023", "yesterday", ""])
def test_a_business_date_that_is_not_an_iso_date_is_refused(app: Gongzhi, given: str) -> None:
    org_id, person_id, fund_id = organisation(app), person(app), fund(app)
    position = store_position(app)

    with pytest.raises(InvalidValue) as joined:
        app.admit_member(org_id, person_id, "member", joined_on=given)
    with pytest.raises(InvalidValue) as received:
        app.receive_donation(fund_id, 1000, donor_name="沈先生", received_on=given)
    with pytest.raises(InvalidValue) as paid:
        app.pay_disbursement(fund_id, uuid4(), paid_on=given)

    assert (joined.value.field, received.value.field, paid.value.field) == (
        "joined_on",
        "received_on",
        "paid_on",
    )
    assert store_position(app) == position


def test_a_business_date_given_as_a_datetime_is_kept_as_its_calendar_date(app: Gongzhi) -> None:
    org_id, person_id = organisation(app), person(app)

    app.admit_member(org_id, person_id, "member", joined_on=datetime(2023, 3, 15, 9, 30))

    assert app.get(Organisation, org_id).members[str(person_id)].joined_on == "2023-03-15"


# Not found


def test_an_unknown_id_is_not_found(app: Gongzhi) -> None:
    unknown = uuid4()

    with pytest.raises(NotFound) as refusal:
        app.get(Organisation, unknown)
    assert (refusal.value.kind, refusal.value.identifier) == ("organisation", unknown)

    with pytest.raises(NotFound):
        app.suspend_organisation(unknown, "换届")
    with pytest.raises(NotFound):
        app.approve_project(unknown)
    with pytest.raises(NotFound):
        app.receive_donation(unknown, 1000, donor_name="沈先生")
    assert store_position(app) == 0


def test_an_id_of_another_kind_of_aggregate_is_not_found(app: Gongzhi) -> None:
    fund_id = fund(app)
    project_id = app.propose_project("3:30课堂", "education", organisation(app)).id
    position = store_position(app)

    with pytest.raises(NotFound) as as_organisation:
        app.suspend_organisation(fund_id, "换届")
    with pytest.raises(NotFound) as as_project:
        app.approve_project(fund_id)
    with pytest.raises(NotFound) as as_fund:
        app.receive_donation(project_id, 1000, donor_name="沈先生")

    assert [r.value.kind for r in (as_organisation, as_project, as_fund)] == [
        "organisation",
        "project",
        "fund",
    ]
    assert store_position(app) == position


def test_an_unknown_disbursement_is_not_found(app: Gongzhi) -> None:
    fund_id = fund(app, 10_000)

    with as_actor("treasurer-li"), pytest.raises(NotFound) as refusal:
        app.approve_disbursement(fund_id, uuid4())

    assert refusal.value.kind == "disbursement"
