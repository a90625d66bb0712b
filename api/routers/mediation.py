"""Mediation cases (调解): received, assigned to a mediator, sessions, one ending."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.community_public import mediation_case_public
from api.community_schemas import (
    Agreement,
    MediationCaseCreate,
    MediationCasePublic,
    MediationFailure,
    MediationSession,
    MediatorAssignment,
    Withdrawal,
)
from api.deps import Application, CommandsDep, IfNoneMatch
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted
from domain.mediation_case import MediationCase

router = APIRouter(prefix="/mediation-cases", tags=["mediation"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def receive_case(body: MediationCaseCreate, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(
        app.receive_mediation_case,
        body.organisation_id,
        body.category,
        body.summary,
        body.parties,
        body.received_on,
    )
    return accepted(result, 201)


@router.get("/{case_id}", response_model=MediationCasePublic)
def get_case(case_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    """The case with its summary, notes and parties: for the organisation's officers, admins
    and auditors only."""
    case = app.read(MediationCase, case_id)
    return with_etag(mediation_case_public(case), case.version, if_none_match)


@router.post("/{case_id}/assignment", response_model=CommandAccepted)
async def assign_mediator(case_id: UUID, body: MediatorAssignment, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.assign_mediator, case_id, body.mediator_person_id))


@router.post("/{case_id}/sessions", status_code=201, response_model=CommandAccepted)
async def hold_session(case_id: UUID, body: MediationSession, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.hold_mediation_session, case_id, body.held_on, body.note), 201)


@router.post("/{case_id}/agreement", response_model=CommandAccepted)
async def sign_agreement(case_id: UUID, body: Agreement, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.sign_agreement, case_id, body.summary, body.signed_on))


@router.post("/{case_id}/failure", response_model=CommandAccepted)
async def record_failure(case_id: UUID, body: MediationFailure, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    return accepted(
        await run(app.record_mediation_failure, case_id, body.reason, body.referred_to, body.ended_on)
    )


@router.post("/{case_id}/withdrawal", response_model=CommandAccepted)
async def withdraw_case(case_id: UUID, body: Withdrawal, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.withdraw_mediation_case, case_id, body.reason, body.ended_on))
