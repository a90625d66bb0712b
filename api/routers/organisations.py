from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Application, CommandsDep, IfNoneMatch
from api.public import organisation_public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import (
    CommandAccepted,
    Departure,
    Empty,
    MemberAdmit,
    MemberOrganisationJoin,
    OrganisationCreate,
    OrganisationPublic,
    RoleChange,
    WithReason,
)
from domain.organisation import Organisation

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def register_organisation(body: OrganisationCreate, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(app.register_organisation, body.kind, body.name, body.jurisdiction, body.charter)
    return accepted(result, 201)


@router.get("/{organisation_id}", response_model=OrganisationPublic)
def get_organisation(organisation_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    org = app.read(Organisation, organisation_id)
    return with_etag(organisation_public(org), org.version, if_none_match)


@router.post("/{organisation_id}/members", status_code=201, response_model=CommandAccepted)
async def admit_member(organisation_id: UUID, body: MemberAdmit, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.admit_member,
        organisation_id,
        body.person_id,
        body.role,
        body.category,
        body.joined_on,
    )
    return accepted(result, 201)


@router.post("/{organisation_id}/members/{person_id}/role", response_model=CommandAccepted)
async def change_member_role(
    organisation_id: UUID, person_id: UUID, body: RoleChange, run: CommandsDep
) -> OrjsonResponse:
    return accepted(await run(run.application.change_member_role, organisation_id, person_id, body.role))


@router.post("/{organisation_id}/members/{person_id}/departure", response_model=CommandAccepted)
async def record_departure(
    organisation_id: UUID, person_id: UUID, body: Departure, run: CommandsDep
) -> OrjsonResponse:
    app = run.application
    return accepted(await run(app.record_departure, organisation_id, person_id, body.reason, body.note))


@router.post("/{organisation_id}/suspension", response_model=CommandAccepted)
async def suspend(organisation_id: UUID, body: WithReason, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.suspend_organisation, organisation_id, body.reason))


@router.delete("/{organisation_id}/suspension", response_model=CommandAccepted)
async def reinstate(organisation_id: UUID, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.reinstate_organisation, organisation_id))


@router.post("/{organisation_id}/dissolution", response_model=CommandAccepted)
async def dissolve(organisation_id: UUID, body: WithReason, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.dissolve_organisation, organisation_id, body.reason))


@router.post("/{organisation_id}/member-organisations", status_code=201, response_model=CommandAccepted)
async def join_council(
    organisation_id: UUID, body: MemberOrganisationJoin, run: CommandsDep
) -> OrjsonResponse:
    result = await run(run.application.join_council, organisation_id, body.organisation_id)
    return accepted(result, 201)


@router.post(
    "/{organisation_id}/member-organisations/{member_id}/departure",
    response_model=CommandAccepted,
)
async def leave_council(
    organisation_id: UUID, member_id: UUID, run: CommandsDep, body: Empty | None = None
) -> OrjsonResponse:
    return accepted(await run(run.application.leave_council, organisation_id, member_id))
