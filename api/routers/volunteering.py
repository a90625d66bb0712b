"""Volunteer activities and service, the organisation's points book, and points dividends.

Service, confirmations, adjustments and redemptions are kept in the organisation's points
book (``GET /organisations/{id}/points``): their answers carry the book's id and version,
and ``If-Match`` on them names the book's version. Holding an activity takes the
organisation's version; declaring a dividend, the points book's (0 before it opened).
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.community_public import activity_public, dividend_public, points_book_public
from api.community_schemas import (
    ActivityCreate,
    ActivityPublic,
    AdjustmentAccepted,
    DividendCreate,
    DividendPublic,
    PointsAdjustment,
    PointsBookPublic,
    PointsRedemption,
    PointsSettings,
    RedemptionAccepted,
    ServiceAccepted,
    ServiceConfirmed,
    ServiceCreate,
)
from api.deps import Application, CommandsDep, IfNoneMatch
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import CommandAccepted, Empty
from domain.activity import Activity
from domain.dividend import Dividend
from domain.errors import NotFound
from domain.organisation import Organisation
from domain.points import PointsBook

router = APIRouter(tags=["volunteering"], responses=PROBLEM_RESPONSES)

ORG = "/organisations/{organisation_id}"


@router.post(f"{ORG}/activities", status_code=201, response_model=CommandAccepted)
async def hold_activity(organisation_id: UUID, body: ActivityCreate, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(
        app.hold_activity, organisation_id, body.title, body.category, body.held_on, body.jurisdiction
    )
    return accepted(result, 201)


@router.get("/activities/{activity_id}", response_model=ActivityPublic)
def get_activity(activity_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    activity = app.read(Activity, activity_id)
    return with_etag(activity_public(activity), activity.version, if_none_match)


@router.post("/activities/{activity_id}/service", status_code=201, response_model=ServiceAccepted)
async def record_service(activity_id: UUID, body: ServiceCreate, run: CommandsDep) -> OrjsonResponse:
    return accepted(await run(run.application.record_service, activity_id, body.person_id, body.minutes), 201)


@router.post("/activities/{activity_id}/service/{service_id}/confirmation", response_model=ServiceConfirmed)
async def confirm_service(
    activity_id: UUID, service_id: UUID, run: CommandsDep, body: Empty | None = None
) -> OrjsonResponse:
    return accepted(await run(run.application.confirm_service, activity_id, service_id))


@router.get(f"{ORG}/points", response_model=PointsBookPublic)
def get_points_book(organisation_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    """The book's settings and pending service; a book not yet opened reads with the defaults, version 0."""
    app.read(Organisation, organisation_id)
    try:
        book = app.read(PointsBook, PointsBook.id_for(str(organisation_id)))
    except NotFound:
        book = PointsBook(organisation_id=str(organisation_id))
        body = points_book_public(book) | {"version": 0}
        return with_etag(body, 0, if_none_match)
    return with_etag(points_book_public(book), book.version, if_none_match)


@router.post(f"{ORG}/points/settings", response_model=CommandAccepted)
async def change_points_settings(
    organisation_id: UUID, body: PointsSettings, run: CommandsDep
) -> OrjsonResponse:
    app = run.application
    result = await run(
        app.change_points_settings, organisation_id, body.points_per_hour, body.additions, body.deductions
    )
    return accepted(result)


@router.post(f"{ORG}/points/adjustments", status_code=201, response_model=AdjustmentAccepted)
async def adjust_points(organisation_id: UUID, body: PointsAdjustment, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(
        app.adjust_points, organisation_id, body.person_id, body.points, body.reason, body.note
    )
    return accepted(result, 201)


@router.post(f"{ORG}/points/redemptions", status_code=201, response_model=RedemptionAccepted)
async def redeem_points(organisation_id: UUID, body: PointsRedemption, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    return accepted(
        await run(app.redeem_points, organisation_id, body.person_id, body.points, body.reward), 201
    )


@router.post(f"{ORG}/dividends", status_code=201, response_model=CommandAccepted)
async def declare_dividend(organisation_id: UUID, body: DividendCreate, run: CommandsDep) -> OrjsonResponse:
    app = run.application
    result = await run(app.declare_dividend, organisation_id, body.total_fen, body.points_share, body.as_of)
    return accepted(result, 201)


@router.get("/dividends/{dividend_id}", response_model=DividendPublic)
def get_dividend(dividend_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    """The dividend's totals; each member's amount is in ``/views/dividends/{id}/allocations``."""
    dividend = app.read(Dividend, dividend_id)
    return with_etag(dividend_public(dividend), dividend.version, if_none_match)
