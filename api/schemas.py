"""Request and response bodies. Requests are strict: unknown fields, wrong
types, non-positive amounts and over-long strings are refused; text, jurisdictions
and dates follow the rules of ``api.fields``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from api.fields import (
    BusinessDate,
    Category,
    Jurisdiction,
    LongText,
    Name,
    Note,
    Reason,
    Reference,
    RequestReference,
    Text,
)
from domain.meeting import MeetingKind, MeetingStatus, MotionKind, MotionStatus
from domain.offices import Office
from domain.values import (
    DepartureReason,
    MemberCategory,
    MemberRole,
    OrganisationKind,
    OrganisationStatus,
    ProjectStatus,
)

Phone = Annotated[str, StringConstraints(strict=True, pattern=r"^\+?[0-9][0-9 -]{2,30}$")]
IdNumber = Annotated[str, StringConstraints(strict=True, pattern=r"^(\d{15}|\d{17}[0-9Xx])$")]
Purpose = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Fen = Annotated[StrictInt, Field(gt=0, le=10**13)]
MAX_INT64 = 2**63 - 1
"""The largest position or version the stores hold (query parameters beyond it are refused)."""


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonCreate(Command):
    name: Name
    phone: Phone | None = None
    id_number: IdNumber | None = None


class OrganisationCreate(Command):
    kind: OrganisationKind
    name: Name
    jurisdiction: Jurisdiction
    charter: LongText | None = None


class MemberAdmit(Command):
    person_id: UUID
    role: MemberRole
    category: MemberCategory = MemberCategory.RESIDENT
    joined_on: BusinessDate | None = None


class RoleChange(Command):
    role: MemberRole


class Departure(Command):
    reason: DepartureReason
    note: Text | None = None


class WithReason(Command):
    reason: Reason


class Erasure(Command):
    reason: Reason = Field(description="Why; kept in clear for auditors, so it must not repeat the details")
    request_reference: RequestReference = Field(
        description="The reference of the data subject's erasure request, as it was filed"
    )


class MemberOrganisationJoin(Command):
    organisation_id: UUID


class Empty(Command):
    pass


class ProjectCreate(Command):
    title: Name
    category: Category
    lead_organisation_id: UUID
    partner_organisation_ids: Annotated[list[UUID], Field(max_length=50)] = []
    budget_fen: Annotated[StrictInt, Field(ge=0, le=10**13)] | None = None
    description: LongText | None = None


class ProgressReport(Command):
    note: Note
    beneficiaries: Annotated[StrictInt, Field(ge=0, le=10**9)] = 0


class Completion(Command):
    outcome: Note


class FundCreate(Command):
    organisation_id: UUID
    name: Name
    purposes: Annotated[list[Purpose], Field(min_length=1, max_length=30)]
    approvals_required: Annotated[StrictInt, Field(ge=1, le=9)] = 1
    resolution_required_above_fen: Annotated[StrictInt, Field(ge=0, le=10**13)] | None = Field(
        None, description="Disbursements above it cite a passed spending resolution"
    )


class DonationCreate(Command):
    amount_fen: Fen
    donor_person_id: UUID | None = None
    donor_name: Name | None = None
    purpose: Purpose | None = None
    received_on: BusinessDate | None = None


class DisbursementCreate(Command):
    amount_fen: Fen
    purpose: Purpose
    payee: Name
    project_id: UUID | None = None
    resolution_id: UUID | None = Field(
        None, description="The passed spending motion it draws on; needed above the fund's limit"
    )


class Payment(Command):
    paid_on: BusinessDate | None = None
    reference: Reference | None = None


# Responses


class CommandAccepted(BaseModel):
    id: UUID
    version: int
    position: int


class DonationAccepted(CommandAccepted):
    donation_id: UUID


class DisbursementAccepted(CommandAccepted):
    disbursement_id: UUID


class PersonPublic(BaseModel):
    id: UUID
    name: str | None = Field(description="Null once the person is erased")
    phone: str | None
    id_number: str | None = Field(description="Masked: only the last four characters show")
    erased: bool = Field(description="The personal details were erased; history and memberships remain")
    version: int


class MemberPublic(BaseModel):
    person_id: UUID
    role: MemberRole | Office = Field(description="An office held by election (treasurer too), or a role")
    category: MemberCategory
    joined_on: date


class OrganisationPublic(BaseModel):
    id: UUID
    kind: OrganisationKind
    name: str
    jurisdiction: str
    status: OrganisationStatus
    charter: str | None
    members: list[MemberPublic]
    member_organisations: list[UUID]
    version: int


class ProjectPublic(BaseModel):
    id: UUID
    title: str
    category: str
    lead_organisation_id: UUID
    partner_organisation_ids: list[UUID]
    budget_fen: int | None
    description: str | None
    status: ProjectStatus
    beneficiaries: int
    last_progress_note: str | None
    outcome: str | None
    cancellation_reason: str | None
    version: int


class DisbursementPublic(BaseModel):
    id: UUID
    amount_fen: int
    purpose: str
    payee: str
    project_id: UUID | None
    requested_by: str
    status: Literal["requested", "approved", "paid", "rejected"]
    approvals: list[str]
    resolution_id: UUID | None = None


class FundPublic(BaseModel):
    id: UUID
    organisation_id: UUID
    name: str
    purposes: list[str]
    approvals_required: int
    balance_fen: int
    available_fen: int
    donated_fen: int
    paid_fen: int
    disbursements: list[DisbursementPublic]
    resolution_required_above_fen: int | None = None
    version: int


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, str]] | None = None


class Health(BaseModel):
    status: str


# Audit


class StreamEventPublic(BaseModel):
    type: str = Field(description="Aggregate and event, e.g. Fund.DonationReceived")
    version: int
    position: int = Field(description="The store's notification id")
    recorded_at: datetime = Field(description="When it was recorded (stamped before commit)")
    business_date: date | None = Field(description="When it happened, where the event says (joined_on, …)")
    actor: str | None
    correlation_id: str | None
    on_behalf_of: str | None = Field(None, description="Whom an integration said it acted for")
    payload: dict[str, Any]
    hash: str | None = Field(description="This event's link in the store's hash chain")
    previous_hash: str | None


class StreamHistory(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    version: int = Field(description="The stream's last version")
    items: list[StreamEventPublic]
    next_after_version: int | None


class MotionPublic(BaseModel):
    id: UUID
    title: str
    text: str
    kind: MotionKind
    spending: dict[str, Any] | None
    election: dict[str, Any] | None
    status: MotionStatus
    votes: int = Field(description="How many have voted")
    tally: dict[str, int] | None
    elected: list[UUID] | None
    reserved_fen: int | None = Field(description="A spending resolution's amount reserved by disbursements")


class MeetingPublic(BaseModel):
    id: UUID
    organisation_id: UUID
    title: str
    kind: MeetingKind
    scheduled_for: date
    status: MeetingStatus
    electorate: list[UUID]
    present: list[UUID]
    quorate: bool | None
    rules: dict[str, Any] | None
    motions: list[MotionPublic]
    minutes: str | None
    version: int


class PastState(BaseModel):
    aggregate_id: UUID
    aggregate_type: str
    version: int
    recorded_at: datetime = Field(description="When the last event replayed was recorded")
    state: FundPublic | OrganisationPublic | ProjectPublic | PersonPublic | MeetingPublic
