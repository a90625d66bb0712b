"""How far things have got: what ``GET /views/status`` shows and ``/metrics`` exports,
read in one place when asked, so neither is ever stale nor says the other's figures
differently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.kafka.offsets import dead_letter_counts
from infra.kafka.relay import published_position
from infra.viewstore.runner import ViewRunner


@dataclass(frozen=True)
class ViewStatus:
    position: int
    lag_events: int
    lag_seconds: float
    applying_here: bool
    """This process applies the view (holds its applier lock)."""


@dataclass(frozen=True)
class RelayStatus:
    position: int
    lag_events: int


@dataclass(frozen=True)
class Status:
    head_position: int
    views: dict[str, ViewStatus]
    relay: RelayStatus | None
    """None where no relay is configured (no Kafka)."""
    dead_letters: dict[str, int]
    """Consumer group → messages its projectors sent to the dead-letter topic."""

    def as_json(self) -> dict[str, Any]:
        relay: dict[str, Any] = {"configured": self.relay is not None}
        if self.relay is not None:
            relay |= {"position": self.relay.position, "lag_events": self.relay.lag_events}
        return {
            "head_position": self.head_position,
            "applying_here": any(view.applying_here for view in self.views.values()),
            "views": {
                name: {
                    "position": view.position,
                    "lag_events": view.lag_events,
                    "lag_seconds": round(view.lag_seconds, 3),
                    "applying_here": view.applying_here,
                }
                for name, view in self.views.items()
            },
            "relay": relay,
            "dead_letters": self.dead_letters,
        }


def read_status(runner: ViewRunner, *, relayed: bool) -> Status:
    """The status now; ``relayed``: a relay is configured (Kafka is)."""
    applying = runner.applying()
    views = {}
    for name in runner.views:
        position, behind, seconds = runner.lag(runner.live(name))
        views[name] = ViewStatus(position, behind, seconds, name in applying)
    head = runner.head()
    relay = None
    if relayed:
        published = published_position(runner.recorder)
        relay = RelayStatus(published, head - published)
    return Status(head, views, relay, dead_letter_counts(runner.database))
