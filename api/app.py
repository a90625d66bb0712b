"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from threading import Semaphore

from fastapi import FastAPI

from api import problems
from api.responses import OrjsonResponse
from api.routers import funds, health, organisations, people, projects
from domain.application import Gongzhi
from infra.persistence import open_application
from infra.settings import Settings, load_settings


def create_app(settings: Settings | None = None, application: Gongzhi | None = None) -> FastAPI:
    settings = settings or load_settings()
    application = application or open_application(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        application.close()

    app = FastAPI(
        title="gongzhi",
        summary="Event-sourced coordination backend for grassroots co-governance",
        version="0.1.0",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.application = application
    app.state.command_lanes = Semaphore(settings.command_concurrency)
    problems.install(app)
    for router in (
        health.router,
        people.router,
        organisations.router,
        projects.router,
        funds.router,
    ):
        app.include_router(router)
    return app
