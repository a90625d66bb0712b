"""Audit: every event of a stream, an aggregate as it stood at a version or a moment, and
proof that nothing recorded was altered, inserted, removed or reordered (verify, export)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from api.auth import CurrentPrincipal
from api.community_schemas import AnyPastState
from api.deps import Application
from api.problems import BadRequest
from api.public import masked, public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse
from api.schemas import MAX_INT64, StreamHistory
from domain.application import Gongzhi
from domain.errors import NotFound
from domain.principals import PrincipalRole
from infra.audit import history
from infra.audit.export import export_lines
from infra.audit.history import StreamEvent
from infra.audit.signing_key import verification_key
from infra.audit.state import NoStateThen, past_state
from infra.audit.tables import audit_tables
from infra.audit.verify import verify, verify_stream
from infra.privacy.mapper import in_clear
from projections.events import EventRecord

router = APIRouter(prefix="/audit", tags=["audit"], responses=PROBLEM_RESPONSES)

MAX_EVENTS = 500
AsOf = Annotated[
    AwareDatetime | None,
    Query(description="ISO 8601 time with its UTC offset: the state after the last event recorded by then"),
]


@router.get("/streams/{aggregate_id}/events", response_model=StreamHistory)
def stream_events(
    aggregate_id: UUID,
    app: Application,
    after_version: Annotated[int, Query(ge=0, le=MAX_INT64, description="Start after this version")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS, description="Events per page")] = 100,
) -> OrjsonResponse:
    """Every event of one person, organisation, project or fund, in version order."""
    stream = history.head(app.recorder, aggregate_id)
    if stream is None:
        raise NotFound("aggregate", aggregate_id)
    items = _in_clear(app, history.events(app.recorder, aggregate_id, after_version, limit))
    more = bool(items) and items[-1].event.version < stream.version
    body = {
        "aggregate_id": str(aggregate_id),
        "aggregate_type": stream.aggregate_type.lower(),
        "version": stream.version,
        "items": [_item(item) for item in items],
        "next_after_version": items[-1].event.version if more else None,
    }
    return OrjsonResponse(body)


@router.get("/streams/{aggregate_id}/state", response_model=AnyPastState)
def stream_state(
    aggregate_id: UUID,
    app: Application,
    reader: CurrentPrincipal,
    version: Annotated[
        int | None, Query(ge=1, le=MAX_INT64, description="The state after this version")
    ] = None,
    as_of: AsOf = None,
) -> OrjsonResponse:
    """The aggregate replayed from its events up to a version or a moment (now if neither)."""
    if version is not None and as_of is not None:
        raise BadRequest(422, "Invalid request", "give version or as_of, not both", "query.as_of")
    try:
        aggregate = past_state(app, aggregate_id, version, as_of)
    except NoStateThen as absent:
        raise BadRequest(404, "Not found", str(absent)) from None
    body = {
        "aggregate_id": str(aggregate_id),
        "aggregate_type": type(aggregate).__name__.lower(),
        "version": aggregate.version,
        "recorded_at": aggregate.modified_on,
        "state": public(aggregate, full_id_number=reader.role is PrincipalRole.ADMIN),
    }
    return OrjsonResponse(body)


def _item(item: StreamEvent) -> dict[str, Any]:
    event = item.event
    return {
        "type": event.type,
        "version": event.version,
        "position": event.position,
        "recorded_at": event.recorded_at,
        "business_date": item.business_date,
        "actor": item.actor,
        "correlation_id": item.correlation_id,
        "on_behalf_of": item.on_behalf_of,
        "payload": _payload(event),
        "hash": item.hash,
        "previous_hash": item.previous_hash,
    }


def _in_clear(app: Gongzhi, items: list[StreamEvent]) -> list[StreamEvent]:
    """The items with a person's details opened (null once the person is erased)."""
    opened = in_clear(app, [item.event for item in items])
    return [replace(item, event=event) for item, event in zip(items, opened, strict=True)]


def _payload(event: EventRecord) -> dict[str, Any]:
    """The event's payload, with an ID-card number masked as everywhere else."""
    if "id_number" in event.payload:
        return {**event.payload, "id_number": masked(event.payload["id_number"])}
    return event.payload


# One below the largest 64-bit integer: a range's end is read as "before end + 1".
Position = Annotated[
    int | None, Query(ge=1, le=MAX_INT64 - 1, description="A store position (a command's `position`)")
]


@router.get("/verify")
def verify_log(
    request: Request,
    app: Application,
    from_position: Position = None,
    to_position: Position = None,
    aggregate_id: Annotated[UUID | None, Query(description="Check this stream's chain only")] = None,
) -> OrjsonResponse:
    """Recomputes the hash chains and checkpoints: ok with the range covered and the last
    sealed position, or the first position that fails and how (modified, missing, inserted,
    reordered, truncated, bad_signature)."""
    _check_range(from_position, to_position)
    tables = audit_tables(app.recorder)
    if aggregate_id is not None:
        return OrjsonResponse(verify_stream(tables, str(aggregate_id)).to_json())
    public_key = verification_key(request.app.state.settings)
    return OrjsonResponse(verify(tables, public_key, from_position, to_position).to_json())


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "JSON Lines"}},
)
def export_log(
    app: Application, from_position: Position = None, to_position: Position = None
) -> StreamingResponse:
    """The events and checkpoints of a range as JSON Lines, for `gongzhi audit verify-export`."""
    _check_range(from_position, to_position)
    lines = export_lines(audit_tables(app.recorder), from_position, to_position)
    return StreamingResponse(lines, media_type="application/x-ndjson")


def _check_range(from_position: int | None, to_position: int | None) -> None:
    if from_position is not None and to_position is not None and from_position > to_position:
        raise BadRequest(422, "Invalid request", "from_position is after to_position", "query.from_position")
