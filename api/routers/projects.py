from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Application, CommandsDep, IfNoneMatch
from api.public import project_public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import (
    CommandAccepted,
    Completion,
    Empty,
    ProgressReport,
    ProjectCreate,
    ProjectPublic,
    WithReason,
)
from domain.project import Project

router = APIRouter(prefix="/projects", tags=["projects"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def propose_project(body: ProjectCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.propose_project,
        body.title,
        body.category,
        body.lead_organisation_id,
        body.partner_organisation_ids,
        body.budget_fen,
        body.description,
    )
    return accepted(result, 201)


@router.get("/{project_id}", response_model=ProjectPublic)
def get_project(project_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    project = app.read(Project, project_id)
    return with_etag(project_public(project), project.version, if_none_match)


@router.post("/{project_id}/approval", response_model=CommandAccepted)
async def approve(project_id: UUID, run: CommandsDep, body: Empty | None = None) -> OrjsonResponse:
    return accepted(await run(run.application.approve_project, project_id))


@router.post("/{project_id}/start", response_model=CommandAccepted)
async def start(project_id: UUID, run: CommandsDep, body: Empty | None = None) -> OrjsonResponse:
    return accepted(await run(run.application.start_project, project_id))


@router.post("/{project_id}/progress", response_model=CommandAccepted)
async def report_progress(project_id: UUID, body: ProgressReport, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    return accepted(await run(app.report_progress, project_id, body.note, body.beneficiaries))


@router.post("/{project_id}/completion", response_model=CommandAccepted)
async def complete(project_id: UUID, body: Completion, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.complete_project, project_id, body.outcome))


@router.post("/{project_id}/cancellation", response_model=CommandAccepted)
async def cancel(project_id: UUID, body: WithReason, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.cancel_project, project_id, body.reason))
