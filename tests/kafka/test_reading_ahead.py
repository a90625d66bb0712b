"""A Kafka-fed batch reads the rows it needs that the projector does not know in one
statement a table, and comes out as the batch handled row by row would."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Gongzhi
from infra.database import Database
from infra.viewstore.batch import apply
from infra.viewstore.tables import ViewTables
from projections.events import EventRecord
from projections.rows import Rows, Table, View

TALLIES = Table(
    "tallies",
    {"place": "text", "year": "integer", "count": "integer", "seen": "json"},
    key=("place", "year"),
)


class Tally(View):
    """Counts events by place and year; a ``Tally.Checked`` needs its row to exist."""

    name = "tally"
    tables = (TALLIES,)
    events = frozenset({"Tally.Counted", "Tally.Checked", "Tally.Forgotten"})

    def handle(self, event: EventRecord, rows: Rows) -> None:
        key = (event.payload["place"], event.payload["year"])
        row = rows.get("tallies", key)
        if event.type == "Tally.Forgotten":
            rows.delete("tallies", key)
        elif event.type == "Tally.Checked" and row is None:
            raise LookupError(f"no tally for {key}")
        elif event.type == "Tally.Counted":
            count, seen = (row["count"], row["seen"]) if row else (0, [])
            rows.put(
                "tallies",
                {"place": key[0], "year": key[1], "count": count + 1, "seen": [*seen, event.position]},
            )


def event(position: int, place: str, year: int, kind: str = "Counted") -> EventRecord:
    payload: dict[str, Any] = {"place": place, "year": year}
    return EventRecord(f"Tally.{kind}", "a", position, position, "2026-01-01T00:00:00+00:00", payload)


@pytest.fixture
def database(app: Gongzhi) -> Database:
    return Database(app.recorder.datastore)  # type: ignore[attr-defined]


def written(database: Database, events: list[EventRecord]) -> None:
    tables = ViewTables(database, Tally(), 1)
    tables.create()
    apply(tables, events)


def both_ways(database: Database, events: list[EventRecord]) -> tuple[Any, Any]:
    """The changes of the batch read ahead and row by row, each by a projector that
    knows no rows yet."""
    ahead = ViewTables(database, Tally(), 1).handle_reading_ahead(events).changes
    by_row = ViewTables(database, Tally(), 1).handle(events).changes
    return ahead, by_row


def test_rows_in_the_database_are_read_and_counted_on(database: Database) -> None:
    written(database, [event(1, "龙翔", 2025), event(2, "龙翔", 2026), event(3, "皂林", 2026)])
    batch = [event(4, "龙翔", 2026), event(5, "皂林", 2025), event(6, "龙翔", 2026), event(7, "龙翔", 2025)]

    ahead, by_row = both_ways(database, batch)

    assert ahead == by_row
    assert ahead["tallies"][("龙翔", 2026)] == {"place": "龙翔", "year": 2026, "count": 3, "seen": [2, 4, 6]}
    assert ahead["tallies"][("皂林", 2025)]["count"] == 1


def test_rows_absent_from_the_database_too_take_one_pass(database: Database) -> None:
    written(database, [event(1, "龙翔", 2025)])
    batch = [event(2, "皂林", 2026), event(3, "皂林", 2026), event(4, "皂林", 2027, "Forgotten")]

    ahead, by_row = both_ways(database, batch)

    assert ahead == by_row
    assert ahead["tallies"][("皂林", 2026)]["count"] == 2


def test_a_handler_that_fails_without_a_row_the_database_has_is_run_again_with_it(
    database: Database,
) -> None:
    written(database, [event(1, "龙翔", 2025)])
    batch = [event(2, "龙翔", 2025, "Checked"), event(3, "龙翔", 2025)]

    ahead, by_row = both_ways(database, batch)

    assert ahead == by_row
    assert ahead["tallies"][("龙翔", 2025)]["count"] == 2


def test_a_handler_that_fails_without_a_row_nobody_has_fails_the_batch(database: Database) -> None:
    written(database, [event(1, "龙翔", 2025)])

    with pytest.raises(LookupError):
        ViewTables(database, Tally(), 1).handle_reading_ahead([event(2, "皂林", 2025, "Checked")])
