"""Value types shared by the aggregates, and the checks that guard them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from domain.errors import InvalidValue

MAX_JURISDICTION_SEGMENTS = 8


class OrganisationKind(StrEnum):
    SELF_GOVERNANCE_COMMITTEE = "self_governance_committee"
    MUTUAL_AID_ASSOCIATION = "mutual_aid_association"
    SAGE_ASSOCIATION = "sage_association"
    ADVISORY_GROUP = "advisory_group"
    COORDINATION_COUNCIL = "coordination_council"


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISSOLVED = "dissolved"


class Role(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"
    STANDING_MEMBER = "standing_member"
    LIAISON_REPRESENTATIVE = "liaison_representative"
    GRID_HEAD = "grid_head"
    MEMBER = "member"
    ADVISOR = "advisor"
    MEDIATOR = "mediator"


class MemberCategory(StrEnum):
    RESIDENT = "resident"
    NEW_RESIDENT = "new_resident"
    BUSINESS_OWNER = "business_owner"
    SAGE = "sage"
    PROFESSIONAL = "professional"
    PARTY_MEMBER = "party_member"


class DepartureReason(StrEnum):
    LEFT = "left"
    EXPELLED = "expelled"


class ProjectStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DisbursementStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    PAID = "paid"
    REJECTED = "rejected"


E = TypeVar("E", bound=StrEnum)


def choice(kind: type[E], field: str, value: str) -> E:
    """One of an enumeration's values, or an InvalidValue naming the field."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidValue(field, f"{value!r} is not one of {allowed}") from None


def jurisdiction_path(value: str) -> str:
    """Checks a path such as ``浙江省/嘉兴市/桐乡市/龙翔街道/皂林村`` and returns it."""
    segments = value.split("/")
    if len(segments) > MAX_JURISDICTION_SEGMENTS:
        raise InvalidValue(
            "jurisdiction", f"at most {MAX_JURISDICTION_SEGMENTS} segments, got {len(segments)}"
        )
    if any(not segment.strip() or segment != segment.strip() for segment in segments):
        raise InvalidValue("jurisdiction", "every segment must be non-empty, without padding")
    return value


def positive_fen(field: str, amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidValue(field, "must be a positive whole number of fen")
    return amount


def iso_date(field: str, value: date | str | None, default: date) -> str:
    """Business dates are kept in events as ISO ``YYYY-MM-DD`` strings."""
    if value is None:
        return default.isoformat()
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidValue(field, f"not an ISO date: {value!r}") from None
