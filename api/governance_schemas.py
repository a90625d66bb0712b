"""Request and response bodies of governance: rules, meetings, motions, votes, and the
views of offices and resolutions."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt

from api.fields import BusinessDate, LongText, Name
from api.schemas import Command, CommandAccepted, Fen, MeetingPublic, MotionPublic, Purpose
from domain.governance_rules import MAX_TERM_LIMIT, MAX_TERM_MONTHS
from domain.meeting import MeetingKind, MotionKind, VoteChoice
from domain.offices import MAX_SEATS, Office

MAX_PEOPLE = 10_000
"""The most people a meeting's present list names."""


class ThresholdBody(Command):
    numerator: Annotated[StrictInt, Field(ge=1, le=99)]
    denominator: Annotated[StrictInt, Field(ge=2, le=100)]
    inclusive: StrictBool = Field(description="Met by reaching the fraction (true) or only by passing it")


class RulesChange(Command):
    """The rules to change (the others stay). Without ``motion_id`` only an admin may."""

    quorum: ThresholdBody | None = Field(
        None, description="Of the electorate, present (default: more than 1/2)"
    )
    ordinary_majority: ThresholdBody | None = Field(None, description="Of those present, yes (more than 1/2)")
    special_majority: ThresholdBody | None = Field(None, description="Of those present, yes (at least 2/3)")
    term_months: Annotated[StrictInt, Field(ge=1, le=MAX_TERM_MONTHS)] | None = None
    term_limit: Annotated[StrictInt, Field(ge=1, le=MAX_TERM_LIMIT)] | None = Field(
        None, description="Consecutive terms one person may hold an office"
    )
    motion_id: UUID | None = Field(None, description="The passed special motion that made the change")

    def rules(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"motion_id"})


class MeetingCreate(Command):
    title: Name
    kind: MeetingKind
    scheduled_for: BusinessDate


class Opening(Command):
    present: Annotated[list[UUID], Field(max_length=MAX_PEOPLE)]


class SpendingBody(Command):
    fund_id: UUID
    amount_fen: Fen
    purpose: Purpose


class ElectionBody(Command):
    office: Office
    seats: Annotated[StrictInt, Field(ge=1, le=MAX_SEATS)]
    candidates: Annotated[list[UUID], Field(min_length=1, max_length=MAX_SEATS * 4)]


class MotionCreate(Command):
    title: Name
    text: LongText = ""
    kind: MotionKind
    spending: SpendingBody | None = None
    election: ElectionBody | None = None


class VoteCreate(Command):
    person_id: UUID
    choice: VoteChoice | None = Field(None, description="On a motion other than an election")
    candidates: Annotated[list[UUID], Field(max_length=MAX_SEATS)] | None = Field(
        None, description="In an election: at most its seats (none to abstain)"
    )


class MeetingClosing(Command):
    minutes: LongText


class ResolutionLimit(Command):
    resolution_required_above_fen: Annotated[StrictInt, Field(ge=0, le=10**13)] | None = Field(
        description="Disbursements above it cite a resolution; null for none"
    )


# Responses


class MotionAccepted(CommandAccepted):
    motion_id: UUID


class MotionOutcome(CommandAccepted):
    motion_id: UUID
    outcome: Literal["passed", "rejected"]
    tally: dict[str, int] = Field(description="yes, no, abstain, present; or each candidate's votes")
    elected: list[UUID] | None = None


__all__ = ["MeetingPublic", "MotionPublic"]
