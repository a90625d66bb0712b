"""The governance views: an organisation's offices (also as of a moment) and its resolutions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.moments import AsOf
from api.responses import PROBLEM_RESPONSES, OrjsonResponse
from api.routers.views import NO_AS_OF, Cursor, Limit, Queries, Runner, existing, page, paged, read
from infra.audit.past_views import offices_as_of
from infra.viewstore.governance_queries import offices, resolutions, vacancies
from infra.viewstore.queries import RowQueries

router = APIRouter(prefix="/views", tags=["views"], responses=PROBLEM_RESPONSES)


@router.get("/organisations/{organisation_id}/offices")
async def organisation_offices(
    request: Request, organisation_id: UUID, views: Queries, runner: Runner, as_of: AsOf = None
) -> OrjsonResponse:
    """Who holds which office, elected by which motion; a term past its end shows as
    ``expired`` (on the day of ``as_of``, or today) until the next election."""
    identifier = str(organisation_id)
    existing(await read(request, views, views.organisation, identifier), "organisation", organisation_id)
    source: RowQueries = views
    day = date.today()
    if as_of is not None:
        source = await run_in_threadpool(offices_as_of, runner.recorder, organisation_id, as_of)
        day = as_of.astimezone(UTC).date() if as_of.tzinfo else as_of.date()

    def reads(organisation: str) -> OrjsonResponse:
        return OrjsonResponse(
            {
                "organisation_id": organisation,
                "as_of": (as_of or datetime.now(UTC)).isoformat(),
                "items": offices(source, organisation, day.isoformat()),
                "vacant": vacancies(source, organisation),
            }
        )

    if as_of is not None:
        return reads(identifier)
    return await read(request, views, reads, identifier)


@router.get("/organisations/{organisation_id}/resolutions", dependencies=[NO_AS_OF])
async def organisation_resolutions(
    request: Request, organisation_id: UUID, views: Queries, cursor: Cursor = None, limit: Limit = 50
) -> OrjsonResponse:
    """Passed motions, oldest first: date, kind, tally and, for spending, what is reserved,
    paid and remaining of the amount."""

    def reads(identifier: str) -> OrjsonResponse:
        existing(views.organisation(identifier), "organisation", organisation_id)
        return page(paged(resolutions, views, identifier, cursor, limit), organisation_id=identifier)

    return await read(request, views, reads, str(organisation_id))
