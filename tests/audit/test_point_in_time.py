"""``gongzhi projections rebuild --as-of T --into P``: every view as it stood at T, in a
separate SQLite file or PostgreSQL schema, while the live views stay as they are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg import sql

from api.cli import main
from infra.database import Database
from infra.settings import Settings
from infra.viewstore.generations import live_generation
from infra.viewstore.tables import ViewTables
from projections import ALL_VIEWS, fold
from projections.events import EventRecord, records
from projections.funds import FundsView
from tests.audit.conftest import Clock
from tests.conftest import Api

Tables = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


@pytest.fixture
def target(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Where the point-in-time views go; the CLI reads the test's store from the environment."""
    for name in ("GONGZHI_DATABASE_URL", "GONGZHI_DATABASE_SCHEMA", "GONGZHI_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GONGZHI_MASTER_KEY", settings.master_key.get_secret_value())
    if not settings.uses_postgres:
        monkeypatch.setenv("GONGZHI_DATA_DIR", str(settings.data_dir))
        yield str(tmp_path / "views-2021-06-30.db")
        return
    assert settings.database_url
    monkeypatch.setenv("GONGZHI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GONGZHI_DATABASE_SCHEMA", settings.database_schema)
    schema = f"{settings.database_schema}_as_of"
    try:
        yield schema
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def open_target(settings: Settings, target: str) -> SQLiteDatastore | PostgresDatastore:
    if not settings.uses_postgres:
        return SQLiteDatastore(target)
    pg = settings.postgres_parts()
    return PostgresDatastore(pg["dbname"], pg["host"], pg["port"], pg["user"], pg["password"], schema=target)


def contents(database: Database, generation_of: dict[str, int] | None = None) -> dict[str, Tables]:
    """Every row of every view's live generation in ``database``, by view, table and key."""
    found: dict[str, Tables] = {}
    for view in ALL_VIEWS:
        generation = (generation_of or {}).get(view.name) or live_generation(database, view.name)
        assert generation is not None
        tables = ViewTables(database, view(), generation)
        found[view.name] = {
            t.name: {tuple(row[c] for c in t.key): row for row in tables.rows(t.name)} for t in view.tables
        }
    return found


def folded(events: list[EventRecord]) -> dict[str, Tables]:
    by_view: dict[str, Tables] = {}
    for view in ALL_VIEWS:
        rows = fold(view(), events)
        by_view[view.name] = {table: dict(keyed) for table, keyed in rows.data.items()}
    return by_view


def history(api: Api, clock: Clock) -> tuple[datetime, dict[str, str]]:
    """Organisations, members, a project and a fund, some of it after the moment returned.
    Last, an event stamped before the moment is committed after events stamped after it
    (as a transaction slower than others would be)."""
    org = api.organisation(jurisdiction="浙江省/嘉兴市/桐乡市/龙翔街道/皂林村")
    chair = api.member(org, role="chair")
    api.member(org)
    fund = api.fund(org)
    api.donate(fund, 600_000)
    other_fund = api.fund(org, name="助学基金")
    project = api.project(org)
    moment = clock.advance(days=29)  # 2021-06-30 09:00 UTC
    clock.advance(days=1)
    api.command(f"/organisations/{org}/members/{chair}/departure", {"reason": "left"})
    disbursement = api.disbursement(fund, 100_000)
    api.approve(fund, disbursement)
    api.pay(fund, disbursement)
    api.command(f"/projects/{project}/approval")
    api.organisation(jurisdiction="浙江省/金华市/金东区/澧浦镇/蒲塘村")
    clock.now = moment  # stamped at the moment, committed after all the above
    late = api.donate(other_fund, 7_000)
    return moment, {"org": org, "fund": fund, "other_fund": other_fund, "late_donation": late}


def test_views_as_of_a_moment_are_the_fold_of_the_events_recorded_by_then_and_the_live_ones_stay(
    api: Api, clock: Clock, settings: Settings, target: str
) -> None:
    moment, ids = history(api, clock)
    runner = api.client.app.state.views  # type: ignore[attr-defined]
    head = api.store_head()
    assert api.client.get("/views/statistics", params={"min_position": head}).status_code == 200
    live_generations = {name: runner.live(name).generation for name in runner.views}
    live_positions = {name: runner.live(name).position() for name in runner.views}
    live_rows = contents(runner.database, live_generations)

    assert main(["projections", "rebuild", "--as-of", moment.isoformat(), "--into", target]) == 0

    everything = records(runner.recorder.select_notifications(start=1, limit=head))
    by_then = [e for e in everything if datetime.fromisoformat(e.recorded_at) <= moment]
    datastore = open_target(settings, target)
    try:
        built = Database(datastore)
        assert contents(built) == folded(by_then)
        marks = built.query("SELECT as_of FROM " + built.prefix + "point_in_time")
        assert marks == [{"as_of": moment.isoformat()}]
    finally:
        datastore.close()
    assert len(by_then) < len(everything)
    assert by_then[-1].payload.get("donation_id") == ids["late_donation"]
    assert {name: runner.live(name).generation for name in runner.views} == live_generations
    assert {name: runner.live(name).position() for name in runner.views} == live_positions
    assert contents(runner.database, live_generations) == live_rows


def test_the_fund_in_the_point_in_time_views_is_the_fund_view_as_of_that_moment(
    api: Api, clock: Clock, settings: Settings, target: str
) -> None:
    moment, ids = history(api, clock)
    on_demand = api.client.get(f"/views/funds/{ids['fund']}", params={"as_of": moment.isoformat()}).json()

    assert main(["projections", "rebuild", "funds", "--as-of", moment.isoformat(), "--into", target]) == 0

    datastore = open_target(settings, target)
    try:
        built = Database(datastore)
        generation = live_generation(built, "funds")
        assert generation is not None
        funds = ViewTables(built, FundsView(), generation).rows("funds")
        assert live_generation(built, "membership") is None
    finally:
        datastore.close()
    (fund,) = [row for row in funds if row["id"] == ids["fund"]]
    assert fund["balance_fen"] == on_demand["balance_fen"] == 600_000
    assert fund["reserved_fen"] == on_demand["reserved_fen"] == 0
    assert fund == {key: on_demand[key] for key in fund}


def test_a_target_that_is_not_new_and_separate_is_refused(
    api: Api, settings: Settings, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api.organisation()
    moment = "2021-06-30T23:59:59+08:00"

    assert main(["projections", "rebuild", "--as-of", moment, "--into", target]) == 0
    assert main(["projections", "rebuild", "--as-of", moment, "--into", target]) == 2
    assert "new" in capsys.readouterr().err
    assert main(["projections", "rebuild", "--as-of", moment]) == 2
    assert main(["projections", "rebuild", "--into", target + "_other"]) == 2
    assert (
        main(["projections", "rebuild", "--as-of", "2999-01-01T00:00:00+00:00", "--into", target + "2"]) == 2
    )
    assert "future" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["projections", "rebuild", "--as-of", "2021-06-30T23:59:59", "--into", target + "3"])
    assert "UTC offset" in capsys.readouterr().err
    live = settings.database_schema if settings.uses_postgres else str(settings.data_dir / "gongzhi.db")
    assert main(["projections", "rebuild", "--as-of", moment, "--into", live]) == 2
