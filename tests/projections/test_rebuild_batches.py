"""How a rebuild reads the log and keeps rows between batches: ranges of
positions, rows in use kept and others forgotten, new rows written without a
conflict check, and all of it ending row for row where the live views are."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from infra.database import Database
from infra.demo import DemoLoader
from infra.views import open_views
from infra.viewstore.runner import ViewRunner
from infra.viewstore.statements import Statement
from infra.viewstore.tables import UnitOfWork, ViewTables
from projections.events import EventRecord, records
from testing.generate import generate
from tests.conftest import BACKENDS
from tests.projections.test_runner import digest

PEOPLE = 60


@pytest.fixture
def comings_and_goings(app: Gongzhi) -> ViewRunner:
    """One organisation whose members join, all leave, and all join again."""
    with acting(CommandContext(actor="registrar")):
        organisation = app.register_organisation("mutual_aid_association", "互助会", "浙江省/杭州市").id
        people = [app.register_person(f"居民{n}").id for n in range(PEOPLE)]
        for person in people:
            app.admit_member(organisation, person, "member")
        for person in people:
            app.record_departure(organisation, person, "left")
        for person in people:
            app.admit_member(organisation, person, "member", category="new_resident")
    runner = open_views(app, ["membership"])
    runner.catch_up(runner.live("membership"))
    return runner


@pytest.fixture
def tiny_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild in batches of a few events that keeps a few dozen rows: it forgets
    rows every few batches."""
    monkeypatch.setattr("infra.viewstore.tables.MAX_KNOWN_ROWS", 40)
    monkeypatch.setattr("infra.viewstore.runner.REBUILD_BATCH_SIZE", 7)


def test_the_log_is_read_by_ranges_of_positions_as_the_library_reads_it(app: Gongzhi) -> None:
    DemoLoader(app).load()
    head = app.recorder.max_notification_id() or 0
    donations = ["domain.fund:Fund.DonationReceived"]
    some = [*donations, "domain.organisation:Organisation.Registered"]

    for start, stop, topics in [(0, head, []), (0, head, some), (7, 40, donations), (head - 5, head, some)]:
        read = app.recorder.select_records(start, stop, topics)  # type: ignore[attr-defined]
        notifications = app.recorder.select_notifications(
            start=start, limit=head, stop=stop, topics=topics, inclusive_of_start=False
        )
        assert read == records(notifications)
        assert all(start < event.position <= stop for event in read)
    assert app.recorder.select_records(head, head + 100, []) == []  # type: ignore[attr-defined]


def test_views_wanting_few_events_still_take_them_in_batches_of_about_the_batch_size(
    app: Gongzhi, monkeypatch: pytest.MonkeyPatch
) -> None:
    DemoLoader(app).load()
    generate(app, 3_000)
    runner = open_views(app, ["projects"])
    batches: list[int] = []
    handle = ViewTables.handle

    def counting(self: ViewTables, events: list[EventRecord]) -> UnitOfWork:
        batches.append(len(events))
        return handle(self, events)

    monkeypatch.setattr(ViewTables, "handle", counting)

    runner.catch_up(runner.live("projects"), batch_size=20)

    # Few of the log's positions hold project events: each batch spans many of them.
    assert runner.live("projects").position() == runner.head()
    assert len(batches) > 2
    assert all(20 <= size < 40 for size in batches[:-1])
    assert sum(batches) < runner.head() / 5


def test_a_rebuild_keeps_the_rows_it_uses_every_batch_and_forgets_the_others(
    comings_and_goings: ViewRunner, tiny_budget: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = comings_and_goings
    live = digests_of(runner)
    reads = tables_read(monkeypatch)

    runner.rebuild()

    read_from = reads.copy()
    assert digests_of(runner) == live
    # The organisation's row changes with every member: it is never forgotten.
    assert read_from["organisations"] == 0
    # Members admitted long before they leave were forgotten, and read again.
    assert read_from["members"] > 0


@pytest.mark.parametrize("settings", [BACKENDS[1]], indirect=True)
def test_a_rebuild_on_postgresql_copies_in_the_rows_it_knows_are_new(
    comings_and_goings: ViewRunner, tiny_budget: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = comings_and_goings
    live = digests_of(runner)
    written = statements_run(monkeypatch)

    runner.rebuild()

    # A member who left and came back is written again after the delete: a row
    # wrongly taken for new would fail on the primary key.
    assert digests_of(runner) == live
    assert written["copy"] and written["upsert"] and written["delete"]


def test_a_live_view_never_takes_a_row_for_new(app: Gongzhi, monkeypatch: pytest.MonkeyPatch) -> None:
    """Other processes may write a live view's tables: what this one has not seen
    may be there."""
    runner = open_views(app, ["membership"])
    DemoLoader(app).load()
    written = statements_run(monkeypatch)

    runner.catch_up(runner.live("membership"))

    assert written["upsert"] and not written["copy"]


def digests_of(runner: ViewRunner) -> dict[str, str]:
    return {name: digest(runner.live(name)) for name in runner.views}


def tables_read(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the queries of a view table, by table, from now on."""
    read: Counter[str] = Counter()
    query = Database.query

    def counting(self: Database, statement: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        if statement.startswith("SELECT * FROM") and "view_membership_" in statement:
            table = statement.split()[3].split("view_membership_", 1)[1].rsplit("_g", 1)[0]
            read[table] += 1
        return query(self, statement, *args, **kwargs)

    monkeypatch.setattr(Database, "query", counting)
    return read


def statements_run(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the statements that write view rows, by kind, from now on."""
    written: Counter[str] = Counter()
    run = Statement.run

    def counting(self: Statement, cursor: Any) -> None:
        written[self.sql.split()[0].lower() if "ON CONFLICT" not in self.sql else "upsert"] += 1
        run(self, cursor)

    monkeypatch.setattr(Statement, "run", counting)
    return written
