"""The contract's enumerations are the domain's: a kind of organisation, a member's role or
category, or a reason for leaving that the domain gains or loses fails here until the
contract decides what consumers see (a new version of every public event carrying it)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from domain.hazard import HazardCategory
from domain.mediation_case import CaseCategory
from domain.meeting import MeetingKind, MotionKind, MotionStatus, VoteChoice
from domain.offices import Office
from domain.values import DepartureReason, MemberCategory, MemberRole, OrganisationKind
from infra.kafka.contract import CONTRACT


class OutcomeOfMotion(StrEnum):
    """A closed motion's statuses."""

    PASSED = MotionStatus.PASSED.value
    REJECTED = MotionStatus.REJECTED.value


DOMAIN_ENUMS: dict[tuple[str, str], type[StrEnum]] = {
    ("Organisation.Registered", "kind"): OrganisationKind,
    ("Organisation.MemberAdmitted", "role"): MemberRole,
    ("Organisation.MemberAdmitted", "category"): MemberCategory,
    ("Organisation.MemberRoleChanged", "previous_role"): MemberRole,
    ("Organisation.MemberRoleChanged", "role"): MemberRole,
    ("Organisation.MemberDeparted", "reason"): DepartureReason,
    ("MediationCase.Received", "category"): CaseCategory,
    ("Hazard.Reported", "category"): HazardCategory,
    ("Organisation.ResolutionRecorded", "kind"): MotionKind,
    ("Organisation.OfficeHandedOver", "office"): Office,
    ("Meeting.Scheduled", "kind"): MeetingKind,
    ("Meeting.MotionProposed", "kind"): MotionKind,
    ("Meeting.VoteCast", "choice"): VoteChoice,
    ("Meeting.MotionClosed", "outcome"): OutcomeOfMotion,
}
"""Every enumerated field of a public payload, and the domain's enum of its values."""


def enumerated_fields() -> dict[tuple[str, str], list[Any]]:
    return {
        (event.internal_type, field.name): field.schema["enum"]
        for event in CONTRACT
        for field in event.fields
        if "enum" in field.schema
    }


def test_every_enumerated_field_of_the_contract_has_its_domain_enum() -> None:
    assert enumerated_fields().keys() == DOMAIN_ENUMS.keys()


def test_every_enumeration_of_the_contract_lists_the_domains_values_once() -> None:
    for place, values in enumerated_fields().items():
        assert len(values) == len(set(values)), place
        assert set(values) == {member.value for member in DOMAIN_ENUMS[place]}, place
