"""Real `gongzhi` processes on the test's store (SQLite or PostgreSQL, from ``settings``):
every one is stopped when the test ends, killed if it will not stop, and the tail of
each one's log is printed when the test failed."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from infra.settings import Settings
from tests.processes.running import Processes


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def processes(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(settings, tmp_path / "logs")
    try:
        yield running
    finally:
        running.stop()
        if request.node.stash.get(FAILED, False):
            print(running.tails())


@pytest.fixture
def rebuild_target(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """Where a point-in-time rebuild of the views goes: a new SQLite file, or a new
    PostgreSQL schema (dropped afterwards)."""
    if not settings.database_url:
        yield str(tmp_path / "rebuilt.db")
        return
    schema = f"{settings.database_schema}_rebuilt"
    try:
        yield schema
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
