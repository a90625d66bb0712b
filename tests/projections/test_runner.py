"""Views kept from the store's log: live, rebuilt blue/green, and after a crash."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import orjson
import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from infra.demo import DemoLoader
from infra.parallel_rebuild import parallel_fill
from infra.settings import Settings
from infra.views import open_views
from infra.viewstore.cache import KeyFilter
from infra.viewstore.runner import ViewRunner
from infra.viewstore.tables import ViewTables
from projections import ALL_VIEWS, fold
from projections.events import EventRecord, records
from projections.rows import MemoryRows, View
from testing.generate import generate
from testing.processes import settings_env


def digest(tables: ViewTables) -> str:
    """A digest of every row of every table of one generation of a view."""
    hasher = hashlib.sha256()
    for name in sorted(tables.tables):
        for row in tables.rows(name):
            hasher.update(orjson.dumps(row, option=orjson.OPT_SORT_KEYS))
    return hasher.hexdigest()


def digests(runner: ViewRunner) -> dict[str, str]:
    assert set(runner.views) == {
        "membership",
        "projects",
        "funds",
        "statistics",
        "governance",
        "casework",
        "volunteering",
    }
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


def test_a_rebuild_started_again_after_failing_part_way_starts_from_the_first_event(app: Gongzhi) -> None:
    runner = open_views(app)
    DemoLoader(app).load()
    runner.catch_up(*(runner.live(name) for name in runner.views))
    live = digests(runner)
    # A rebuild that stopped after its first batches: its tables and positions stay behind.
    abandoned = runner.next_generations()
    runner.catch_up(*abandoned, until=runner.head() // 2, batch_size=50)
    assert all(t.position() > 0 for t in abandoned)

    runner.rebuild()

    assert digests(runner) == live


def test_a_rebuild_shared_between_processes_is_identical_to_the_live_views(
    app: Gongzhi, settings: Settings
) -> None:
    runner = open_views(app)
    DemoLoader(app).load()
    generate(app, 3000)
    runner.catch_up(*(runner.live(name) for name in runner.views))
    live = digests(runner)

    runner.rebuild(fill_elsewhere=parallel_fill(settings, runner, jobs=2))

    assert digests(runner) == live
    assert {runner.live(name).position() for name in runner.views} == {runner.head()}


def test_views_reach_the_head_when_the_newest_events_are_of_types_they_do_not_read(
    app: Gongzhi,
) -> None:
    runner = open_views(app)
    DemoLoader(app).load()
    with acting(CommandContext(actor="registrar")):
        position = app.register_person("新居民", None, None).position
    assert not any("Person.Registered" in view.events for view in runner.views.values())

    runner.catch_up(*(runner.live(name) for name in runner.views))

    assert position == runner.head()
    assert {runner.live(name).position() for name in runner.views} == {position}


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


def history(app: Gongzhi) -> list[EventRecord]:
    return records(app.recorder.select_notifications(start=1, limit=1_000_000))


def rows_by_table(rows: MemoryRows) -> dict[str, list[dict[str, object]]]:
    """Every table of an in-memory fold, sorted as ``ViewTables.rows`` sorts."""
    return {name: [rows.data[name][key] for key in sorted(rows.data[name])] for name in rows.data}


@pytest.fixture
def rich_history(app: Gongzhi) -> list[EventRecord]:
    DemoLoader(app).load()
    generate(app, 3_000, seed=7)
    return history(app)


@pytest.mark.parametrize("view", ALL_VIEWS, ids=lambda v: v.name)
def test_a_view_ignores_exactly_the_event_types_it_does_not_declare(
    rich_history: list[EventRecord], view: type[View]
) -> None:
    assert set(view.events) & {e.type for e in rich_history}, "no declared event in the history"
    everything = fold(view(), rich_history)
    declared = fold(view(), [e for e in rich_history if e.type in view.events])

    assert rows_by_table(declared) == rows_by_table(everything)


ARRIVAL_ORDERS = {
    "funds first": [
        "Fund",
        "Dividend",
        "PointsBook",
        "Project",
        "Person",
        "MediationCase",
        "Meeting",
        "Organisation",
        "Activity",
        "Hazard",
    ],
    "projects first": [
        "Project",
        "Activity",
        "Organisation",
        "Meeting",
        "Hazard",
        "Fund",
        "PointsBook",
        "Person",
        "MediationCase",
        "Dividend",
    ],
    "organisations last": [
        "Person",
        "PointsBook",
        "Hazard",
        "Project",
        "MediationCase",
        "Fund",
        "Meeting",
        "Dividend",
        "Activity",
        "Organisation",
    ],
    "meetings first": [
        "Meeting",
        "Person",
        "PointsBook",
        "Organisation",
        "Activity",
        "Project",
        "Hazard",
        "Fund",
        "Dividend",
        "MediationCase",
    ],
}


@pytest.mark.parametrize("view", ALL_VIEWS, ids=lambda v: v.name)
@pytest.mark.parametrize("order", ARRIVAL_ORDERS, ids=str)
def test_a_view_ends_the_same_whatever_order_aggregates_of_different_types_arrive_in(
    rich_history: list[EventRecord], view: type[View], order: str
) -> None:
    """From Kafka, each aggregate type has its own topic: only each aggregate's own
    events keep their order. A view must end in the same rows however the topics
    interleave."""
    rank = {name: n for n, name in enumerate(ARRIVAL_ORDERS[order])}
    # Stable: each aggregate's events keep their order; types arrive one after another.
    arrived = sorted(rich_history, key=lambda e: rank[e.aggregate_type])

    assert rows_by_table(fold(view(), arrived)) == rows_by_table(fold(view(), rich_history))


def test_views_kept_through_the_store_equal_the_pure_fold_of_the_history(
    app: Gongzhi, rich_history: list[EventRecord]
) -> None:
    runner = open_views(app)
    runner.catch_up(*(runner.live(name) for name in runner.views))

    for name, view in runner.views.items():
        expected = rows_by_table(fold(view, rich_history))
        tables = runner.live(name)
        assert {table: tables.rows(table) for table in tables.tables} == expected, name


def test_a_rebuild_that_must_forget_rows_as_it_goes_still_equals_the_live_views(
    app: Gongzhi, rich_history: list[EventRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = open_views(app)
    runner.catch_up(*(runner.live(name) for name in runner.views))
    live = digests(runner)
    # A tiny memory bound makes the rebuild forget rows every batch, so that it
    # must find evicted rows again (and trust that never-written ones are absent).
    monkeypatch.setattr("infra.viewstore.tables.MAX_KNOWN_ROWS", 50)
    monkeypatch.setattr("infra.viewstore.runner.REBUILD_BATCH_SIZE", 97)

    runner.rebuild()

    assert digests(runner) == live


def test_a_key_filter_holds_every_key_added_and_rarely_others() -> None:
    keys = KeyFilter(bits=1 << 16)
    added = [("members", (f"org{n}", f"person{n}")) for n in range(1_000)]
    for key in added:
        keys.add(key)

    assert all(key in keys for key in added)
    others = sum(("members", (f"org{n}", "nobody")) in keys for n in range(10_000))
    assert others < 500
