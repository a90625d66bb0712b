"""Read-your-writes: waiting, for a bounded time, until views have applied a position."""

from __future__ import annotations

import threading

import pytest

from domain.application import Gongzhi
from infra.demo import DemoLoader
from infra.views import open_views
from infra.viewstore.runner import Behind, ViewRunner


@pytest.fixture
def runner(app: Gongzhi) -> ViewRunner:
    DemoLoader(app).load()
    return open_views(app, ["membership", "statistics"])


def test_a_view_that_has_not_applied_the_position_in_time_is_named(runner: ViewRunner) -> None:
    runner.catch_up(runner.live("statistics"))

    assert runner.wait_for(runner.head(), seconds=0.05) == Behind("membership", 0)
    assert runner.wait_for(runner.head(), ["statistics"]) is None


def test_the_wait_ends_once_every_view_has_applied_the_position(runner: ViewRunner) -> None:
    applier = threading.Timer(0.1, lambda: runner.catch_up(*(runner.live(name) for name in runner.views)))
    applier.start()
    try:
        assert runner.wait_for(runner.head(), seconds=30) is None
    finally:
        applier.join()
    assert runner.wait_for(runner.head()) is None
