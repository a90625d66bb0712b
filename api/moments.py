"""Query parameters naming a moment (recorded time) or a business date."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from pydantic import AwareDatetime

from api.fields import BusinessDate
from api.problems import BadRequest

AsOf = Annotated[
    AwareDatetime | None,
    Query(
        description="ISO 8601 time with its UTC offset: as things stood then, "
        "counting the events recorded at or before it"
    ),
]
On = Annotated[
    BusinessDate | None,
    Query(description="Business date: count only donations received and payments paid on or before it"),
]
AS_OF_VIEWS = (
    "/views/organisations/{id}/members, /views/organisations/{id}/departures, "
    "/views/organisations/{id}/offices, /views/funds/{id} and /views/funds/{id}/ledger"
)


async def refuse_as_of(request: Request) -> None:
    """Views computed from many aggregates do not answer as of a moment (a point-in-time
    rebuild, ``gongzhi projections rebuild --as-of``, holds them)."""
    if "as_of" in request.query_params:
        raise BadRequest(422, "Invalid request", f"as_of is taken only by {AS_OF_VIEWS}", "query.as_of")
