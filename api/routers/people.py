from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import Application, CommandsDep
from api.public import person_public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted, PersonCreate, PersonPublic
from domain.person import Person

router = APIRouter(prefix="/people", tags=["people"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def register_person(body: PersonCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(run.application.register_person, body.name, body.phone, body.id_number)
    return accepted(result, 201)


@router.get("/{person_id}", response_model=PersonPublic)
def get_person(person_id: UUID, app: Application) -> OrjsonResponse:
    person = app.get(Person, person_id)
    return with_etag(person_public(person), person.version)
