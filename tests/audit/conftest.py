"""A clock the tests set, so that the times stamped on events are known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

START = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)


class Clock:
    """What the library reads when it stamps an event's recorded time."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("eventsourcing.domain.datetime_now_with_tzinfo", clock)
    return clock
