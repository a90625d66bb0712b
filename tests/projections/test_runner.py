"""Views kept from the store's log: live, rebuilt blue/green, and after a crash."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import orjson
import pytest

from benchmarks.generate import generate
from benchmarks.support import settings_env
from domain.application import Gongzhi
from infra.demo import DemoLoader
from infra.persistence import open_application
from infra.settings import Settings
from infra.views import open_views
from projections.runner import ViewRunner
from projections.store import ViewTables


@pytest.fixture
def app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    yield application
    application.close()


def digest(tables: ViewTables) -> str:
    """A digest of every row of every table of one generation of a view."""
    hasher = hashlib.sha256()
    for name in sorted(tables.tables):
        for row in tables.rows(name):
            hasher.update(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))
    return hasher.hexdigest()


def digests(runner: ViewRunner) -> dict[str, str]:
    assert set(runner.views) == {"membership", "projects", "funds", "statistics"}
    return {name: digest(runner.live(name)) for name in runner.views}


def test_a_rebuilt_view_is_identical_row_for_row_to_the_live_one(app: Gongzhi) -> None:
    runner = open_views(app)
    DemoLoader(app).load()
    runner.catch_up(*(runner.live(name) for name in runner.views))
    live = digests(runner)
    generations = {name: runner.live(name).generation for name in runner.views}

    rebuilt = runner.rebuild()

    assert digests(runner) == live
    assert {t.view.name: t.generation for t in rebuilt} == {n: g + 1 for n, g in generations.items()}
    assert all(t.position() == runner.head() for t in rebuilt)


def test_views_record_their_position_and_catch_up_from_it(app: Gongzhi) -> None:
    runner = open_views(app)
    generate(app, 600)
    first_head = runner.head()
    runner.catch_up(*(runner.live(name) for name in runner.views))
    generate(app, 600, seed=2)

    read = runner.catch_up(*(runner.live(name) for name in runner.views))

    assert read == runner.head() - first_head
    assert {runner.live(name).position() for name in runner.views} == {runner.head()}


def test_a_projection_process_killed_mid_batch_resumes_without_loss_or_double_counting(
    app: Gongzhi, settings: Settings
) -> None:
    generate(app, 30_000)
    runner = open_views(app)
    head = runner.head()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "project"],
        env=settings_env(settings) | {"PYTHONPATH": os.getcwd()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while max((runner.live(n).position() for n in runner.views), default=0) == 0:
            assert time.monotonic() < deadline, "the projection process applied nothing"
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    positions = [runner.live(name).position() for name in runner.views]
    assert min(positions) < head, "killed too late to test a restart"

    runner.catch_up(*(runner.live(name) for name in runner.views))
    resumed = digests(runner)
    runner.rebuild()

    assert digests(runner) == resumed
