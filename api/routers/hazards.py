"""Hazard reports (隐患): found, assigned with a due date, rectified, verified."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.community_public import hazard_public
from api.community_schemas import HazardAssignment, HazardCreate, HazardPublic, Rectification, Verification
from api.deps import Application, CommandsDep, IfNoneMatch
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted
from domain.hazard import Hazard

router = APIRouter(prefix="/hazards", tags=["hazards"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def report_hazard(body: HazardCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.report_hazard,
        body.organisation_id,
        body.jurisdiction,
        body.category,
        body.location,
        body.description,
        body.found_on,
        body.reported_by_person_id,
    )
    return accepted(result, 201)


@router.get("/{hazard_id}", response_model=HazardPublic)
def get_hazard(hazard_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    hazard = app.read(Hazard, hazard_id)
    return with_etag(hazard_public(hazard), hazard.version, if_none_match)


@router.post("/{hazard_id}/assignment", response_model=CommandAccepted)
async def assign_hazard(hazard_id: UUID, body: HazardAssignment, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.assign_hazard, hazard_id, body.person_id, body.due_on))


@router.post("/{hazard_id}/rectification", response_model=CommandAccepted)
async def rectify_hazard(hazard_id: UUID, body: Rectification, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.rectify_hazard, hazard_id, body.note, body.rectified_on))


@router.post("/{hazard_id}/verification", response_model=CommandAccepted)
async def verify_hazard(hazard_id: UUID, body: Verification, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    return accepted(await run(app.verify_hazard, hazard_id, body.passed, body.note, body.verified_on))
