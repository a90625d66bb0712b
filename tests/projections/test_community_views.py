"""The casework and volunteering views' handlers, over hand-built events."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from projections import fold
from projections.casework import CaseworkView
from projections.events import EventRecord
from projections.volunteering import VolunteeringView

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


class Story:
    def __init__(self) -> None:
        self.events: list[EventRecord] = []
        self.versions: Counter[str] = Counter()

    def emit(self, type_: str, aggregate_id: str | None = None, **payload: Any) -> str:
        aggregate_id = aggregate_id or str(uuid4())
        self.versions[aggregate_id] += 1
        position = len(self.events) + 1
        at = (START + timedelta(seconds=position)).isoformat()
        self.events.append(
            EventRecord(type_, aggregate_id, self.versions[aggregate_id], position, at, payload)
        )
        return aggregate_id


def test_a_case_row_keeps_no_text_and_counts_days_to_its_ending() -> None:
    story = Story()
    case = story.emit(
        "MediationCase.Received",
        organisation_id="org",
        jurisdiction=VILLAGE,
        category="land",
        summary="aesgcm:sealed",
        parties=["p1", "p2", "p3"],
        received_on="2024-03-01",
    )
    story.emit("MediationCase.Assigned", case, mediator_person_id="m1")
    story.emit("MediationCase.SessionHeld", case, held_on="2024-03-02", note="aesgcm:x", parties=["p1"])
    story.emit("MediationCase.Failed", case, reason="不成", referred_to="法院", ended_on="2024-03-11")

    (row,) = fold(CaseworkView(), story.events).data["mediation_cases"].values()
    assert row == {
        "id": case,
        "organisation_id": "org",
        "jurisdiction": VILLAGE,
        "category": "land",
        "status": "unresolved",
        "party_count": 3,
        "mediator_person_id": "m1",
        "sessions": 1,
        "received_on": "2024-03-01",
        "ended_on": "2024-03-11",
        "days_to_end": 10,
        "referred_to": "法院",
        "version": 4,
    }


def test_a_case_from_kafka_counts_its_parties_without_naming_them() -> None:
    story = Story()
    story.emit(
        "MediationCase.Received",
        organisation_id="org",
        jurisdiction=VILLAGE,
        category="family",
        party_count=2,
        received_on="2024-03-01",
    )
    (row,) = fold(CaseworkView(), story.events).data["mediation_cases"].values()
    assert row["party_count"] == 2


def test_a_hazard_reopened_then_closed_counts_days_to_close() -> None:
    story = Story()
    hazard = story.emit(
        "Hazard.Reported",
        organisation_id="org",
        jurisdiction=VILLAGE,
        category="fire",
        location="楼道",
        description="杂物",
        found_on="2024-05-01",
        reported_by_person_id=None,
    )
    story.emit("Hazard.Assigned", hazard, person_id="p1", due_on="2024-05-10")
    story.emit("Hazard.Rectified", hazard, note="已清理", rectified_on="2024-05-03")
    story.emit("Hazard.Verified", hazard, passed=False, note="仍有", verified_on="2024-05-04")
    reopened = fold(CaseworkView(), story.events).data["hazards"][(hazard,)]
    assert (reopened["status"], reopened["closed_on"]) == ("assigned", None)
    story.emit("Hazard.Rectified", hazard, note="再清理", rectified_on="2024-05-05")
    story.emit("Hazard.Verified", hazard, passed=True, note="合格", verified_on="2024-05-06")

    row = fold(CaseworkView(), story.events).data["hazards"][(hazard,)]
    assert (row["status"], row["rectifications"], row["days_to_close"], row["version"]) == ("closed", 2, 5, 6)


def volunteering_story() -> tuple[Story, str, str]:
    story = Story()
    activity = story.emit(
        "Activity.Held",
        organisation_id="org",
        title="清扫",
        category="environment",
        held_on="2024-04-01",
        jurisdiction=VILLAGE,
    )
    book = story.emit(
        "PointsBook.Opened", organisation_id="org", points_per_hour=10, additions=None, deductions=None
    )
    story.emit(
        "PointsBook.ServiceRecorded",
        book,
        service_id="s1",
        activity_id=activity,
        jurisdiction=VILLAGE,
        person_id="p1",
        minutes=90,
        held_on="2024-04-01",
        recorded_by="clerk",
    )
    return story, activity, book


def test_service_counts_in_the_statement_once_confirmed() -> None:
    story, activity, book = volunteering_story()
    pending = fold(VolunteeringView(), story.events)
    assert pending.data["service"][(book, "s1")]["status"] == "pending"
    assert pending.data["balances"] == {}

    story.emit(
        "PointsBook.ServiceConfirmed",
        book,
        service_id="s1",
        person_id="p1",
        minutes=90,
        points=15,
        confirmed_by="o",
    )
    story.emit(
        "PointsBook.Adjusted",
        book,
        person_id="p1",
        points=-20,
        reason="illegal_building",
        note=None,
        on="2024-04-02",
    )
    story.emit("PointsBook.Redeemed", book, person_id="p1", points=1, reward="毛巾", on="2024-04-03")

    rows = fold(VolunteeringView(), story.events)
    assert rows.data["balances"][("org", "p1")] == {
        "organisation_id": "org",
        "person_id": "p1",
        "earned": 15,
        "adjusted": -20,
        "redeemed": 1,
        "balance": -6,
        "confirmed_minutes": 90,
    }
    lines = sorted(rows.data["points_lines"].values(), key=lambda line: line["position"])
    assert [(line["cause"], line["points"], line["balance"]) for line in lines] == [
        ("service", 15, 15),
        ("adjustment", -20, -5),
        ("redemption", -1, -6),
    ]
    assert rows.data["activities"][(activity,)]["title"] == "清扫"


def test_a_dividend_is_one_row_a_member() -> None:
    story = Story()
    dividend = story.emit(
        "Dividend.Declared",
        organisation_id="org",
        total_fen=1_000,
        points_share="0.5",
        as_of="2024-06-30",
        points_fen=500,
        allocations=[["a", 3, 375, 167], ["b", 1, 125, 167], ["c", 0, 0, 166]],
    )
    rows = fold(VolunteeringView(), story.events)
    assert rows.data["dividends"][(dividend,)]["equal_fen"] == 500
    amounts = {key[1]: row["amount_fen"] for key, row in rows.data["dividend_allocations"].items()}
    assert amounts == {"a": 542, "b": 292, "c": 166}
