from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import Application, CommandsDep
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted, PersonCreate, PersonPublic
from domain.person import Person

router = APIRouter(prefix="/people", tags=["people"], responses=PROBLEM_RESPONSES)


def masked(id_number: str | None) -> str | None:
    """Only the last four characters of an ID-card number are ever shown."""
    if id_number is None:
        return None
    return "*" * (len(id_number) - 4) + id_number[-4:]


@router.post("", status_code=201, response_model=CommandAccepted)
async def register_person(body: PersonCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(run.application.register_person, body.name, body.phone, body.id_number)
    return accepted(result, 201)


@router.get("/{person_id}", response_model=PersonPublic)
def get_person(person_id: UUID, app: Application) -> OrjsonResponse:
    person = app.get(Person, person_id)
    body = PersonPublic(
        id=person.id,
        name=person.name,
        phone=person.phone,
        id_number=masked(person.id_number),
        version=person.version,
    )
    return with_etag(body.model_dump(mode="json"), person.version)
