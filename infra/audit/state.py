"""An aggregate exactly as it stood at a version or a moment, replayed from its events."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.application import Gongzhi
from domain.errors import NotFound
from infra.audit.history import events_as_of, head


class NoStateThen(LookupError):
    """The aggregate exists, but not at the version or moment asked for."""


def past_state(
    application: Gongzhi, aggregate_id: UUID, version: int | None = None, moment: datetime | None = None
) -> Aggregate:
    """The aggregate at ``version``, or after its last event that counts as of ``moment``
    (see ``infra.audit.as_of``), or now when neither is given."""
    stream = head(application.recorder, aggregate_id)
    if stream is None:
        raise NotFound("aggregate", aggregate_id)
    name = f"{stream.aggregate_type} {aggregate_id}"
    if moment is not None:
        kept = events_as_of(application.recorder, aggregate_id, moment)
        if not kept:
            raise NoStateThen(f"{name} had no event recorded at or before {moment.isoformat()}")
        version = kept[-1].version
    elif version is None:
        version = stream.version
    elif version > stream.version:
        raise NoStateThen(f"{name} is at version {stream.version}; it has no version {version}")
    aggregate: Aggregate = application.repository.get(aggregate_id, version=version)
    return aggregate
