from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.auth import CurrentPrincipal
from api.deps import Application, CommandsDep, IfNoneMatch
from api.public import person_public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted, Erasure, PersonCreate, PersonPublic
from domain.person import Person
from domain.principals import PrincipalRole

router = APIRouter(prefix="/people", tags=["people"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def register_person(body: PersonCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(run.application.register_person, body.name, body.phone, body.id_number)
    return accepted(result, 201)


@router.get("/{person_id}", response_model=PersonPublic)
def get_person(
    person_id: UUID, app: Application, reader: CurrentPrincipal, if_none_match: IfNoneMatch = None
) -> Response:
    """The ID-card number is masked but for its last four characters, except to admins."""
    person = app.read(Person, person_id)
    public = person_public(person, full_id_number=reader.role is PrincipalRole.ADMIN)
    return with_etag(public, person.version, if_none_match)


@router.post("/{person_id}/erasure", response_model=CommandAccepted)
async def erase_person(person_id: UUID, body: Erasure, run: CommandsDep) -> OrjsonResponse:
    """Erases the person's name, phone and ID-card number everywhere, for good: their key is
    destroyed with the erasure's event. Their id, history and memberships remain. Admins (and
    integrations with the privacy:erase scope) erase, on a data subject's request whose
    reference the event records; officers ask for it out of band. The reason and reference
    are kept in clear for auditors, so they must not repeat the details. Erasing twice is a 409."""
    erase = run.application.erase_person
    return accepted(await run(erase, person_id, body.reason, body.request_reference))
