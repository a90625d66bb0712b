"""Read models for dashboards and integrators (never the aggregates)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.access import within
from api.auth import CurrentPrincipal
from api.fields import Jurisdiction
from api.moments import AsOf, On, refuse_as_of
from api.problems import BadRequest, ViewBehind
from api.responses import PROBLEM_RESPONSES, OrjsonResponse
from api.schemas import MAX_INT64
from domain.errors import NotFound
from domain.values import ProjectStatus
from infra.audit.past_views import fund_as_of, organisation_as_of
from infra.status import read_status
from infra.viewstore.queries import BadCursor, LiveViews, Page, RowQueries, ViewQueries
from infra.viewstore.runner import Behind, ViewRunner

router = APIRouter(prefix="/views", tags=["views"], responses=PROBLEM_RESPONSES)

MAX_PAGE = 200
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")]
Cursor = Annotated[str | None, Query(max_length=512, description="Opaque cursor from next_cursor")]
MinPosition = Annotated[
    int | None,
    Query(ge=0, le=MAX_INT64, description="Wait until the view has applied this store position"),
]
T = TypeVar("T")


async def get_runner(request: Request) -> ViewRunner:
    runner: ViewRunner = request.app.state.views
    return runner


Runner = Annotated[ViewRunner, Depends(get_runner)]


async def queries(request: Request, runner: Runner, min_position: MinPosition = None) -> ViewQueries:
    """The view queries, once the views have reached ``min_position`` (read-your-writes)."""
    if min_position is not None:
        behind = await run_in_threadpool(
            _wait, runner, min_position, request.app.state.settings.read_wait_seconds
        )
        if behind is not None:
            raise ViewBehind(behind.view, behind.position, min_position)
    live: LiveViews = request.app.state.live_views
    return ViewQueries(live)


def _wait(runner: ViewRunner, min_position: int, seconds: float) -> Behind | None:
    if min_position > runner.head():  # no view will get there: refuse rather than wait
        raise BadRequest(
            422, "Invalid request", "min_position is past the last event recorded", "query.min_position"
        )
    return runner.wait_for(min_position, seconds=seconds)


async def read(request: Request, views: RowQueries, reads: Callable[..., T], *args: Any) -> T:
    """The reads, in one transaction: on the event loop on SQLite (quick and local), on a
    worker thread on PostgreSQL."""
    if request.app.state.settings.uses_postgres:
        return await run_in_threadpool(views.read, reads, *args)
    return views.read(reads, *args)


Queries = Annotated[ViewQueries, Depends(queries)]


async def organisation_reads(
    organisation_id: UUID, views: Queries, runner: Runner, as_of: AsOf = None
) -> RowQueries:
    """The live view, or the view as of a moment folded from the organisation's events."""
    if as_of is None:
        return views
    return await run_in_threadpool(organisation_as_of, runner.recorder, organisation_id, as_of)


async def fund_reads(
    fund_id: UUID, views: Queries, runner: Runner, as_of: AsOf = None, on: On = None
) -> RowQueries:
    """The live view, or the view as of a moment and/or business date folded from the fund's events."""
    if as_of is None and on is None:
        return views
    return await run_in_threadpool(fund_as_of, runner.recorder, fund_id, as_of, on)


OrganisationReads = Annotated[RowQueries, Depends(organisation_reads)]
FundReads = Annotated[RowQueries, Depends(fund_reads)]
NO_AS_OF = Depends(refuse_as_of)


def page(result: Page, **extra: Any) -> OrjsonResponse:
    return OrjsonResponse({**extra, "items": result.items, "next_cursor": result.next_cursor})


def paged(read: Any, *args: Any) -> Page:
    try:
        result: Page = read(*args)
    except BadCursor:
        raise BadRequest(
            422, "Invalid cursor", "cursor was not issued by this service", "query.cursor"
        ) from None
    return result


@router.get("/organisations/{organisation_id}/members")
async def organisation_members(
    request: Request,
    organisation_id: UUID,
    views: OrganisationReads,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrjsonResponse:
    def reads(identifier: str) -> OrjsonResponse:
        organisation = existing(views.organisation(identifier), "organisation", organisation_id)
        counts = views.member_counts(identifier)
        return page(paged(views.members, identifier, cursor, limit), organisation=organisation, counts=counts)

    return await read(request, views, reads, str(organisation_id))


@router.get("/organisations/{organisation_id}/departures")
async def organisation_departures(
    request: Request,
    organisation_id: UUID,
    views: OrganisationReads,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrjsonResponse:
    def reads(identifier: str) -> OrjsonResponse:
        existing(views.organisation(identifier), "organisation", organisation_id)
        return page(paged(views.departures, identifier, cursor, limit))

    return await read(request, views, reads, str(organisation_id))


@router.get("/people/{person_id}/memberships", dependencies=[NO_AS_OF])
async def person_memberships(
    request: Request,
    person_id: UUID,
    views: Queries,
    reader: CurrentPrincipal,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrjsonResponse:
    result = await read(
        request, views, paged, views.memberships, str(person_id), cursor, limit, within(reader)
    )
    return page(result, person_id=str(person_id))


@router.get("/projects", dependencies=[NO_AS_OF])
async def projects(
    request: Request,
    views: Queries,
    reader: CurrentPrincipal,
    status: ProjectStatus | None = None,
    organisation_id: UUID | None = None,
    jurisdiction: Annotated[Jurisdiction | None, Query(description="Slash-separated path prefix")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrjsonResponse:
    organisation = str(organisation_id) if organisation_id else None
    reads = (views.projects, status, organisation, jurisdiction, cursor, limit, within(reader))
    return page(await read(request, views, paged, *reads))


def existing(found: dict[str, Any] | None, kind: str, identifier: UUID) -> dict[str, Any]:
    if found is None:
        raise NotFound(kind, identifier)
    return found


@router.get("/projects/{project_id}", dependencies=[NO_AS_OF])
async def project(request: Request, project_id: UUID, views: Queries) -> OrjsonResponse:
    return OrjsonResponse(
        existing(await read(request, views, views.project, str(project_id)), "project", project_id)
    )


@router.get("/funds/{fund_id}")
async def fund(request: Request, fund_id: UUID, views: FundReads) -> OrjsonResponse:
    return OrjsonResponse(existing(await read(request, views, views.fund, str(fund_id)), "fund", fund_id))


@router.get("/funds/{fund_id}/ledger")
async def ledger(
    request: Request, fund_id: UUID, views: FundReads, cursor: Cursor = None, limit: Limit = 50
) -> OrjsonResponse:
    def reads(identifier: str) -> Page:
        existing(views.fund(identifier), "fund", fund_id)
        return paged(views.ledger, identifier, cursor, limit)

    return page(await read(request, views, reads, str(fund_id)), fund_id=str(fund_id))


@router.get("/status", dependencies=[NO_AS_OF])
def status(request: Request, runner: Runner) -> OrjsonResponse:
    relayed = bool(request.app.state.settings.kafka_bootstrap_servers)
    return OrjsonResponse(read_status(runner, relayed=relayed).as_json())
