"""Query parameters naming a moment (recorded time) or a business date."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import AwareDatetime, BeforeValidator

from api.fields import BusinessDate
from api.problems import BadRequest

# A "+08:00" pasted into a URL unencoded arrives as " 08:00" (a "+" in a query means a
# space); a space is never valid there, so it can only have been that plus.
_DECODED_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def _restore_plus(value: Any) -> Any:
    return _DECODED_PLUS.sub(r"\1+\2", value) if isinstance(value, str) else value


AsOf = Annotated[
    AwareDatetime | None,
    BeforeValidator(_restore_plus),
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
