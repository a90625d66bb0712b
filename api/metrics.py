"""Prometheus metrics: request counts and latencies, projection lag."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from infra.status import read_status
from infra.viewstore.runner import ViewRunner

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]


class RequestMetrics:
    """A plain ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "gongzhi_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "gongzhi_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)


class CommandOutcomes:
    """Commands by name and outcome: recorded, repeated (an idempotent retry), refused (a
    domain rule or a bad value), failed (anything else)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.counter = Counter(
            "gongzhi_commands", "Commands run, by outcome", ["command", "outcome"], registry=registry
        )

    def count(self, command: str, outcome: str) -> None:
        self.counter.labels(command, outcome).inc()


class ProjectionCollector(Collector):
    """Reads positions and lag when scraped, so the figures are never stale. The relay's lag
    is reported only where Kafka is configured (``relayed``): elsewhere there is no relay."""

    def __init__(self, runner: ViewRunner, relayed: bool = False) -> None:
        self.runner = runner
        self.relayed = relayed

    def collect(self) -> Iterator[GaugeMetricFamily]:
        status = read_status(self.runner, relayed=self.relayed)
        position = GaugeMetricFamily("gongzhi_projection_position", "Last applied position", labels=["view"])
        lag_events = GaugeMetricFamily(
            "gongzhi_projection_lag_events", "Events not yet applied", labels=["view"]
        )
        lag_seconds = GaugeMetricFamily(
            "gongzhi_projection_lag_seconds", "Age of the oldest unapplied event", labels=["view"]
        )
        applying = GaugeMetricFamily(
            "gongzhi_projection_applying", "1 where this process applies the view", labels=["view"]
        )
        for name, view in status.views.items():
            applying.add_metric([name], int(view.applying_here))
            position.add_metric([name], view.position)
            lag_events.add_metric([name], view.lag_events)
            lag_seconds.add_metric([name], view.lag_seconds)
        head = GaugeMetricFamily("gongzhi_store_head_position", "Newest position in the event store")
        head.add_metric([], status.head_position)
        dead = GaugeMetricFamily(
            "gongzhi_kafka_dead_letters", "Messages a Kafka-fed projector could not apply", labels=["group"]
        )
        for group, count in status.dead_letters.items():
            dead.add_metric([group], count)
        yield from (position, lag_events, lag_seconds, applying, head, dead)
        if status.relay is not None:
            relay = GaugeMetricFamily(
                "gongzhi_relay_lag_events", "Stored events not yet acknowledged by Kafka (the relay's lag)"
            )
            relay.add_metric([], status.relay.lag_events)
            yield relay
