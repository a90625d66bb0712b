"""Value types shared by the aggregates, and the checks that guard them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from domain.errors import InvalidValue
from domain.jurisdiction import parse_jurisdiction
from domain.text import TextRefused

EARLIEST_BUSINESS_DATE = date(1949, 10, 1)
DAYS_AHEAD = 730
"""Business dates lie between the founding of the People's Republic and two years from today."""


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


class MemberRole(StrEnum):
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
    """A path such as ``浙江省/嘉兴市/桐乡市/龙翔街道/皂林村``, in NFC (see ``domain.jurisdiction``)."""
    try:
        return parse_jurisdiction(value)
    except TextRefused as refusal:
        raise InvalidValue("jurisdiction", str(refusal)) from None


def positive_fen(field: str, amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidValue(field, "must be a positive whole number of fen")
    return amount


def business_dates(today: date) -> tuple[date, date]:
    """The first and last business date accepted on ``today``."""
    return EARLIEST_BUSINESS_DATE, today + timedelta(days=DAYS_AHEAD)


def iso_date(field: str, value: date | str | None, default: date) -> str:
    """Business dates are kept in events as ISO ``YYYY-MM-DD`` strings, within ``business_dates``."""
    if value is None:
        return default.isoformat()
    if isinstance(value, datetime):
        value = value.date()
    elif not isinstance(value, date):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise InvalidValue(field, f"not an ISO date: {value!r}") from None
    earliest, latest = business_dates(date.today())
    if not earliest <= value <= latest:
        raise InvalidValue(field, f"must lie between {earliest} and {latest}")
    return value.isoformat()
