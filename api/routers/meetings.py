"""Governance: an organisation's rules and meetings, a meeting's motions and votes, and a
fund's limit above which disbursements cite a resolution."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.auth import CurrentPrincipal
from api.deps import Application, CommandsDep, IfNoneMatch
from api.governance_schemas import (
    MeetingClosing,
    MeetingCreate,
    MeetingPublic,
    MotionAccepted,
    MotionCreate,
    MotionOutcome,
    Opening,
    ResolutionLimit,
    RulesChange,
    VoteCreate,
)
from api.problems import Forbidden
from api.public import meeting_public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted, Empty
from domain.meeting import Meeting
from domain.principals import PrincipalRole

router = APIRouter(tags=["governance"], responses=PROBLEM_RESPONSES)


@router.post("/organisations/{organisation_id}/rules", response_model=CommandAccepted)
async def change_rules(
    organisation_id: UUID, body: RulesChange, run: CommandsDep, principal: CurrentPrincipal
) -> OrjsonResponse:
    """By a passed special motion of the organisation (``motion_id``); an admin may give none."""
    if body.motion_id is None and principal.role is not PrincipalRole.ADMIN:
        raise Forbidden("Rules change by a passed special motion: name its motion_id", "motion_id")
    result = await run(run.application.change_rules, organisation_id, body.rules(), body.motion_id)
    return accepted(result)


@router.post("/organisations/{organisation_id}/meetings", status_code=201, response_model=CommandAccepted)
async def schedule_meeting(organisation_id: UUID, body: MeetingCreate, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(app.schedule_meeting, organisation_id, body.title, body.kind, body.scheduled_for)
    return accepted(result, 201)


@router.get("/meetings/{meeting_id}", response_model=MeetingPublic)
def get_meeting(meeting_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    meeting = app.read(Meeting, meeting_id)
    return with_etag(meeting_public(meeting), meeting.version, if_none_match)


@router.post("/meetings/{meeting_id}/opening", response_model=CommandAccepted)
async def open_meeting(meeting_id: UUID, body: Opening, run: CommandsDep) -> OrjsonResponse:
    """Below quorum the meeting is recorded as inquorate (``GET`` shows ``quorate: false``)."""
    return accepted(await run(run.application.open_meeting, meeting_id, body.present))


@router.post("/meetings/{meeting_id}/motions", status_code=201, response_model=MotionAccepted)
async def propose_motion(meeting_id: UUID, body: MotionCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.propose_motion,
        meeting_id,
        body.title,
        body.text,
        body.kind,
        body.spending.model_dump() if body.spending else None,
        body.election.model_dump() if body.election else None,
    )
    return accepted(result, 201)


@router.post(
    "/meetings/{meeting_id}/motions/{motion_id}/votes", status_code=201, response_model=CommandAccepted
)
async def cast_vote(meeting_id: UUID, motion_id: UUID, body: VoteCreate, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(app.cast_vote, meeting_id, motion_id, body.person_id, body.choice, body.candidates)
    return accepted(result, 201)


@router.post("/meetings/{meeting_id}/motions/{motion_id}/closing", response_model=MotionOutcome)
async def close_motion(
    meeting_id: UUID, motion_id: UUID, run: CommandsDep, body: Empty | None = None
) -> OrjsonResponse:
    return accepted(await run(run.application.close_motion, meeting_id, motion_id))


@router.post("/meetings/{meeting_id}/closing", response_model=CommandAccepted)
async def close_meeting(meeting_id: UUID, body: MeetingClosing, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.close_meeting, meeting_id, body.minutes))


@router.post("/funds/{fund_id}/resolution-limit", response_model=CommandAccepted)
async def set_resolution_limit(fund_id: UUID, body: ResolutionLimit, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    return accepted(await run(app.set_resolution_limit, fund_id, body.resolution_required_above_fen))
