"""The form in which projections receive events, whatever their source.

An ``EventRecord`` is built from a row of the store's notification log or from
a Kafka message; handlers see nothing else, so the same handler serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson
from eventsourcing.persistence import Notification

RESERVED = ("timestamp", "metadata", "originator_topic")


class EventRecord(NamedTuple):
    type: str
    """Aggregate class and event name, e.g. ``Fund.DonationReceived``."""
    aggregate_id: str
    version: int
    position: int
    recorded_at: str
    """ISO 8601 time the event was recorded (not a business date)."""
    payload: dict[str, Any]
    metadata: dict[str, Any] | None = None
    """Who recorded it and why (actor, correlation id), when known."""

    @property
    def aggregate_type(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def recorded_on(self) -> str:
        return self.recorded_at[:10]


def event_type(topic: str) -> str:
    """``domain.fund:Fund.DonationReceived`` → ``Fund.DonationReceived``."""
    return topic.rpartition(":")[2]


def from_stored(topic: str, originator_id: object, version: int, position: int, state: bytes) -> EventRecord:
    """An event record from the stored form of an event (the orjson transcoder's)."""
    payload = orjson.loads(state)
    recorded_at = payload.pop("timestamp", "")
    metadata = payload.pop("metadata", None)
    payload.pop("originator_topic", None)
    return EventRecord(
        topic[topic.rfind(":") + 1 :], str(originator_id), version, position, recorded_at, payload, metadata
    )


def records(notifications: Sequence[Notification]) -> list[EventRecord]:
    """Event records of notifications read from the store's log."""
    return [from_stored(n.topic, n.originator_id, n.originator_version, n.id, n.state) for n in notifications]
