"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from api import problems
from api.access import Reaches
from api.auth import authorise
from api.body_limit import BodyLimit
from api.documentation import document_security
from api.hot_reads import HotReads
from api.metrics import CommandOutcomes, ProjectionCollector, RequestMetrics
from api.rate_limit import rate_limiter
from api.request_log import RequestLog
from api.responses import OrjsonResponse
from api.routers import (
    audit,
    community_views,
    contract,
    funds,
    governance_views,
    hazards,
    health,
    mediation,
    meetings,
    organisations,
    people,
    projects,
    statistics,
    views,
    volunteering,
)
from domain.application import Gongzhi
from infra.api_keys import KeyStore
from infra.audit.sealer import in_process_sealer
from infra.changes import watch
from infra.kafka.relay import Relay
from infra.log_format import configure_logging
from infra.settings import Settings, load_settings
from infra.store.application import open_application
from infra.store.probes import open_probes
from infra.tracing import configure_tracing, tracing_on
from infra.views import open_views
from infra.viewstore.queries import LiveViews


def create_app(settings: Settings | None = None, application: Gongzhi | None = None) -> FastAPI:
    settings = settings or load_settings()
    application = application or open_application(settings)
    runner = open_views(application)
    changes = watch(runner.database)
    registry = CollectorRegistry()
    registry.register(ProjectionCollector(runner, relayed=bool(settings.kafka_bootstrap_servers)))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.projections_in_process:
            runner.start()
        # The embedded default publishes to Kafka from inside the API process when told where it is.
        relay = Relay(application.recorder, settings) if settings.kafka_bootstrap_servers else None
        if relay:
            relay.start()
        sealer = in_process_sealer(application.recorder, settings)
        if sealer:
            sealer.start()
        yield
        if sealer:
            sealer.close()
        if relay:
            relay.close()
        runner.stop()
        app.state.command_lanes.shutdown()
        runner.join()
        changes.close()
        await app.state.probes.close()
        application.close()

    app = FastAPI(
        title="gongzhi",
        summary="Event-sourced coordination backend for grassroots co-governance",
        version="0.1.0",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
        dependencies=[Depends(authorise)],
    )
    app.state.settings = settings
    app.state.application = application
    app.state.views = runner
    app.state.keys = KeyStore(runner.database, changes)
    app.state.live_views = LiveViews(runner, changes)
    events_table = application.recorder.events_table_name  # type: ignore[attr-defined]
    app.state.probes = open_probes(runner.database, events_table)
    app.state.reaches = Reaches(application, runner, settings.read_wait_seconds)
    app.state.command_outcomes = CommandOutcomes(registry)
    app.state.command_lanes = ThreadPoolExecutor(settings.command_concurrency, "command-lane")
    app.state.rate_limiter = rate_limiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    problems.install(app)
    for router in (
        health.router,
        people.router,
        organisations.router,
        projects.router,
        funds.router,
        meetings.router,
        mediation.router,
        hazards.router,
        volunteering.router,
        views.router,
        governance_views.router,
        community_views.router,
        statistics.router,
        contract.router,
        audit.router,
    ):
        app.include_router(router)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    def metrics() -> Response:
        """Prometheus text format: requests, latencies, projection lag."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(HotReads)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, registry=registry)
    configure_tracing()
    if tracing_on():
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="/metrics,/ready,/health")
    if settings.log_format == "json":
        configure_logging("json")
        app.add_middleware(RequestLog)
    document_security(app)
    return app
