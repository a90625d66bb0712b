"""One rebuild of a store's views at a time, across processes: a second one is
refused before it touches a table, and the lock goes with a process that dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from domain.application import Gongzhi
from infra.database import Busy
from infra.demo import DemoLoader
from infra.kafka.rebuild import rebuild_from_kafka
from infra.settings import Settings
from infra.views import open_views
from infra.viewstore.runner import REBUILD_RUNNING, ViewRunner
from testing.processes import settings_env
from tests.projections.test_runner import digests

HOLD_THE_LOCK = """
import time
from infra.store.application import open_application
from infra.settings import load_settings
from infra.views import open_views

application = open_application(load_settings())
runner = open_views(application)
with runner.database.exclusively("rebuild", "busy"):
    print("held", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def runner(app: Gongzhi) -> ViewRunner:
    DemoLoader(app).load()
    views = open_views(app)
    views.catch_up(*(views.live(name) for name in views.views))
    return views


def generations(runner: ViewRunner) -> dict[str, int]:
    return {name: runner.live(name).generation for name in runner.views}


def test_a_rebuild_is_refused_while_another_runs_and_touches_no_table(runner: ViewRunner) -> None:
    live, before = digests(runner), generations(runner)

    with runner.database.exclusively("rebuild", "busy"), pytest.raises(Busy) as refusal:
        runner.rebuild()

    assert str(refusal.value) == REBUILD_RUNNING
    assert generations(runner) == before
    assert digests(runner) == live
    runner.rebuild()  # once the other is done
    assert generations(runner) == {name: g + 1 for name, g in before.items()}
    assert digests(runner) == live


def test_a_rebuild_from_kafka_is_refused_while_another_runs(runner: ViewRunner, settings: Settings) -> None:
    before = generations(runner)

    with runner.database.exclusively("rebuild", "busy"), pytest.raises(Busy):
        rebuild_from_kafka(runner, settings)

    assert generations(runner) == before


def test_the_command_says_a_rebuild_is_running_and_exits_non_zero(
    runner: ViewRunner, settings: Settings
) -> None:
    with runner.database.exclusively("rebuild", "busy"):
        refused = subprocess.run(
            [sys.executable, "-m", "api.cli", "projections", "rebuild"],
            env=settings_env(settings) | {"PYTHONPATH": os.getcwd()},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert refused.returncode == 2
    assert REBUILD_RUNNING in refused.stderr


def test_the_lock_goes_with_a_process_killed_while_holding_it(runner: ViewRunner, settings: Settings) -> None:
    before = generations(runner)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK],
        env=settings_env(settings) | {"PYTHONPATH": os.getcwd()},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Busy):
            runner.rebuild()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    # PostgreSQL ends the dead client's session (and its lock) a moment after the kill.
    deadline = time.monotonic() + 10
    while True:
        try:
            runner.rebuild()
            break
        except Busy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)

    assert generations(runner) == {name: g + 1 for name, g in before.items()}
