"""Request and response bodies of community work: mediation cases, hazards, volunteer
activities and service, points and dividends. Strict as ``api.schemas``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt

from api.fields import BusinessDate, Category, Jurisdiction, Name, Note, Reason
from api.schemas import (
    Command,
    CommandAccepted,
    FundPublic,
    OrganisationPublic,
    PastState,
    PersonPublic,
    ProjectPublic,
    Purpose,
)
from domain.hazard import HazardCategory
from domain.mediation_case import CaseCategory

Minutes = Annotated[StrictInt, Field(ge=1, le=24 * 60)]
Points = Annotated[StrictInt, Field(ge=-1_000_000, le=1_000_000)]
PositivePoints = Annotated[StrictInt, Field(ge=1, le=1_000_000)]
Reasons = Annotated[list[Purpose], Field(max_length=30)]


# Mediation cases


class MediationCaseCreate(Command):
    organisation_id: UUID
    category: CaseCategory
    summary: Note
    parties: Annotated[list[UUID], Field(min_length=2, max_length=50)]
    received_on: BusinessDate | None = None


class MediatorAssignment(Command):
    mediator_person_id: UUID


class MediationSession(Command):
    held_on: BusinessDate | None = None
    note: Note


class Agreement(Command):
    summary: Note
    signed_on: BusinessDate | None = None


class MediationFailure(Command):
    reason: Reason
    referred_to: Name | None = Field(
        None, description="Where the dispute went: a court, the petition office, …"
    )
    ended_on: BusinessDate | None = None


class Withdrawal(Command):
    reason: Reason
    ended_on: BusinessDate | None = None


class SessionPublic(BaseModel):
    held_on: date
    note: str | None = Field(description="Null once a party is erased")


class MediationCasePublic(BaseModel):
    id: UUID
    organisation_id: UUID
    jurisdiction: str
    category: str
    summary: str | None = Field(description="Null once a party is erased")
    parties: list[UUID]
    received_on: date
    status: Literal["received", "assigned", "resolved", "unresolved", "withdrawn"]
    mediator_person_id: UUID | None
    sessions: list[SessionPublic]
    agreement: str | None
    ended_on: date | None
    outcome_reason: str | None
    referred_to: str | None
    version: int


# Hazards


class HazardCreate(Command):
    organisation_id: UUID
    jurisdiction: Jurisdiction = Field(description="Where it was found, down to the grid")
    category: HazardCategory
    location: Name
    description: Note
    found_on: BusinessDate | None = None
    reported_by_person_id: UUID | None = None


class HazardAssignment(Command):
    person_id: UUID
    due_on: BusinessDate


class Rectification(Command):
    note: Note
    rectified_on: BusinessDate | None = None


class Verification(Command):
    passed: bool
    note: Note
    verified_on: BusinessDate | None = None


class HazardPublic(BaseModel):
    id: UUID
    organisation_id: UUID
    jurisdiction: str
    category: str
    location: str
    description: str
    found_on: date
    reported_by_person_id: UUID | None
    status: Literal["open", "assigned", "rectified", "closed"]
    assignee_person_id: UUID | None
    due_on: date | None
    rectified_on: date | None
    rectifications: int
    closed_on: date | None
    overdue: bool
    version: int


# Volunteering and points


class ActivityCreate(Command):
    title: Name
    category: Category
    held_on: BusinessDate | None = None
    jurisdiction: Jurisdiction | None = Field(
        None, description="Within the organisation's; its own by default"
    )


class ServiceCreate(Command):
    person_id: UUID
    minutes: Minutes


class PointsSettings(Command):
    points_per_hour: Annotated[StrictInt, Field(ge=0, le=1000)]
    additions: Reasons
    deductions: Reasons


class PointsAdjustment(Command):
    person_id: UUID
    points: Points = Field(description="Positive for an addition, negative for a deduction; never 0")
    reason: Purpose
    note: Note | None = None


class PointsRedemption(Command):
    person_id: UUID
    points: PositivePoints
    reward: Name


class DividendCreate(Command):
    total_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]
    points_share: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            strict=True,
            allow_inf_nan=False,
            description="The part of the total shared by points balance (0 to 1); the rest is shared equally",
        ),
    ]
    as_of: BusinessDate | None = Field(None, description="The day whose balances count; today by default")


class ServiceAccepted(CommandAccepted):
    service_id: UUID


class ServiceConfirmed(CommandAccepted):
    points: int


class AdjustmentAccepted(CommandAccepted):
    balance: int
    below_zero: bool = Field(description="The deduction took the balance below zero")


class RedemptionAccepted(CommandAccepted):
    balance: int


class ActivityPublic(BaseModel):
    id: UUID
    organisation_id: UUID
    title: str
    category: str
    held_on: date
    jurisdiction: str
    version: int


class ServicePublic(BaseModel):
    id: UUID
    activity_id: UUID
    person_id: UUID
    minutes: int
    held_on: date
    recorded_by: str
    confirmed_by: str | None
    points: int


class PointsBookPublic(BaseModel):
    id: UUID
    organisation_id: UUID
    points_per_hour: int
    additions: list[str]
    deductions: list[str]
    pending_service: list[ServicePublic]
    version: int


class DividendPublic(BaseModel):
    id: UUID
    organisation_id: UUID
    total_fen: int
    points_share: str
    as_of: date
    points_fen: int
    equal_fen: int
    members: int
    version: int


class AnyPastState(PastState):
    """A past state of any aggregate, community work's included."""

    state: (  # type: ignore[assignment]
        FundPublic
        | OrganisationPublic
        | ProjectPublic
        | PersonPublic
        | MediationCasePublic
        | HazardPublic
        | ActivityPublic
        | PointsBookPublic
        | DividendPublic
    )
