"""The rule for "as of a moment": events stamped by then, each stream cut at its first later one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.audit.as_of import RecordedBy
from projections.events import EventRecord

MOMENT = datetime(2021, 6, 30, 16, 0, tzinfo=UTC)


def event(aggregate: str, version: int, position: int, minutes: float) -> EventRecord:
    stamped = (MOMENT + timedelta(minutes=minutes)).isoformat()
    return EventRecord("Fund.DonationReceived", aggregate, version, position, stamped, {})


def kept(events: list[EventRecord]) -> list[tuple[str, int]]:
    keep = RecordedBy(MOMENT)
    return [(e.aggregate_id, e.version) for e in events if keep(e)]


def test_an_event_stamped_by_the_moment_counts_though_committed_after_a_later_one() -> None:
    log = [event("a", 1, 1, -5), event("b", 1, 2, +1), event("c", 1, 3, -0.01), event("a", 2, 4, 0)]

    assert kept(log) == [("a", 1), ("c", 1), ("a", 2)]


def test_a_stream_is_cut_at_its_first_event_stamped_later_whatever_the_clocks_say_after() -> None:
    log = [event("a", 1, 1, -5), event("a", 2, 2, +1), event("a", 3, 3, -1), event("b", 1, 4, -1)]

    assert kept(log) == [("a", 1), ("b", 1)]


def test_a_moment_without_its_utc_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        RecordedBy(datetime(2021, 6, 30, 16, 0))
