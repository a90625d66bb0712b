"""Which events count "as of" a moment: the rule every point-in-time read shares.

An event's recorded time is the timestamp the library stamps on it when the
command runs, *before* its transaction commits; positions (notification ids)
are issued in commit order. So an event stamped before a moment may sit at a
higher position than one stamped after it, and a read as of ``T`` cannot stop
at the first event stamped after ``T``: it reads to the head and keeps what was
stamped at or before ``T``.

Within one aggregate, versions follow positions. Clocks of different hosts may
disagree, so an aggregate's stream is cut at its first event stamped after
``T``: later versions are left out even if stamped earlier, and a stream read
as of ``T`` is always a prefix of the stream (the state it replays existed).
Kept events are applied in position order, as the live views apply them.
"""

from __future__ import annotations

from datetime import datetime

from projections.events import EventRecord


def recorded_at(event: EventRecord) -> datetime:
    return datetime.fromisoformat(event.recorded_at)


class RecordedBy:
    """Keeps, of events read in position order, those recorded as of ``moment``
    (each aggregate's stream cut at its first event stamped later)."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a moment to read as of must carry its UTC offset")
        self.moment = moment
        self.cut: set[str] = set()

    def __call__(self, event: EventRecord) -> bool:
        if event.aggregate_id in self.cut:
            return False
        if recorded_at(event) > self.moment:
            self.cut.add(event.aggregate_id)
            return False
        return True


def prefix_as_of(events: list[EventRecord], moment: datetime) -> list[EventRecord]:
    """The events of one stream (in version order) that count as of ``moment``."""
    keep = RecordedBy(moment)
    return [event for event in events if keep(event)]
