"""Read models of community work: an organisation's mediation cases (no party or text in
them), hazards with whether each is overdue, an organisation's volunteers and hours, a
person's points statement, and a dividend's allocation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.access import within
from api.auth import CurrentPrincipal
from api.fields import Jurisdiction
from api.problems import BadRequest
from api.responses import PROBLEM_RESPONSES, OrjsonResponse
from api.routers.views import NO_AS_OF, Cursor, Limit, Queries, existing, page, read
from domain.hazard import HazardStatus
from infra.viewstore import community_queries as q
from infra.viewstore.queries import BadCursor, Page, ViewQueries

router = APIRouter(prefix="/views", tags=["views"], responses=PROBLEM_RESPONSES, dependencies=[NO_AS_OF])


T = TypeVar("T")


def paged(read_rows: Callable[..., T], *args: Any) -> T:
    try:
        return read_rows(*args)
    except BadCursor:
        raise BadRequest(
            422, "Invalid cursor", "cursor was not issued by this service", "query.cursor"
        ) from None


def _organisation(views: ViewQueries, organisation_id: UUID) -> None:
    existing(views.organisation(str(organisation_id)), "organisation", organisation_id)


@router.get("/organisations/{organisation_id}/mediation-cases")
async def mediation_cases(
    request: Request, organisation_id: UUID, views: Queries, cursor: Cursor = None, limit: Limit = 50
) -> OrjsonResponse:
    def reads() -> Page:
        _organisation(views, organisation_id)
        return paged(q.mediation_cases, views, str(organisation_id), cursor, limit)

    return page(await read(request, views, reads), organisation_id=str(organisation_id))


@router.get("/hazards")
async def hazards(
    request: Request,
    views: Queries,
    reader: CurrentPrincipal,
    organisation_id: UUID | None = None,
    jurisdiction: Annotated[Jurisdiction | None, Query(description="Slash-separated path prefix")] = None,
    status: HazardStatus | None = None,
    overdue: Annotated[
        bool | None, Query(description="Only those past their due date and not closed")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrjsonResponse:
    today = date.today().isoformat()
    organisation = str(organisation_id) if organisation_id else None
    status_value = status.value if status else None
    reads = (q.hazards, views, today, within(reader), organisation, jurisdiction, status_value, overdue)
    return page(await read(request, views, paged, *reads, cursor, limit), today=today)


@router.get("/organisations/{organisation_id}/volunteers")
async def volunteers(
    request: Request, organisation_id: UUID, views: Queries, cursor: Cursor = None, limit: Limit = 50
) -> OrjsonResponse:
    def reads() -> OrjsonResponse:
        _organisation(views, organisation_id)
        found, totals = paged(q.volunteers, views, str(organisation_id), cursor, limit)
        return page(found, organisation_id=str(organisation_id), **totals)

    return await read(request, views, reads)


@router.get("/organisations/{organisation_id}/points/{person_id}")
async def points_statement(
    request: Request,
    organisation_id: UUID,
    person_id: UUID,
    views: Queries,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrjsonResponse:
    """Earned, adjusted, redeemed and the balance, then each line with its cause."""

    def reads() -> OrjsonResponse:
        _organisation(views, organisation_id)
        lines, totals = paged(q.points_statement, views, str(organisation_id), str(person_id), cursor, limit)
        return page(lines, organisation_id=str(organisation_id), person_id=str(person_id), **totals)

    return await read(request, views, reads)


@router.get("/dividends/{dividend_id}/allocations")
async def allocations(
    request: Request, dividend_id: UUID, views: Queries, cursor: Cursor = None, limit: Limit = 200
) -> OrjsonResponse:
    def reads() -> OrjsonResponse:
        dividend = existing(q.dividend(views, str(dividend_id)), "dividend", dividend_id)
        return page(paged(q.allocations, views, str(dividend_id), cursor, limit), dividend=dividend)

    return await read(request, views, reads)
