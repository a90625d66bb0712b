"""Volunteer activities, service, points statements and dividends.

A person's statement in an organisation's points book lists each line with its cause
(confirmed service, an addition or deduction with its reason, a redemption) and the
balance after it; their balance row sums earned, adjusted and redeemed points. A
dividend's allocation is one row a member.
"""

from __future__ import annotations

from typing import Any

from projections.events import EventRecord
from projections.rows import Row, Rows, Table, View

BOOKS = Table("books", {"id": "text", "organisation_id": "text"}, key=("id",))
ACTIVITIES = Table(
    "activities",
    {
        "id": "text",
        "organisation_id": "text",
        "jurisdiction": "text",
        "title": "text",
        "category": "text",
        "held_on": "text",
    },
    key=("id",),
    indexes=(("organisation_id", "held_on"), ("jurisdiction",)),
)
SERVICE = Table(
    "service",
    {
        "book_id": "text",
        "service_id": "text",
        "activity_id": "text",
        "organisation_id": "text",
        "jurisdiction": "text",
        "person_id": "text",
        "minutes": "integer",
        "held_on": "text",
        "status": "text",
        "points": "integer",
        "recorded_by": "text",
        "confirmed_by": "text",
    },
    key=("book_id", "service_id"),
    indexes=(("activity_id",), ("jurisdiction",), ("organisation_id", "person_id")),
)
BALANCES = Table(
    "balances",
    {
        "organisation_id": "text",
        "person_id": "text",
        "earned": "integer",
        "adjusted": "integer",
        "redeemed": "integer",
        "balance": "integer",
        "confirmed_minutes": "integer",
    },
    key=("organisation_id", "person_id"),
)
LINES = Table(
    "points_lines",
    {
        "organisation_id": "text",
        "person_id": "text",
        "position": "integer",
        "cause": "text",
        "points": "integer",
        "dated": "text",
        "reason": "text",
        "note": "text",
        "activity_id": "text",
        "balance": "integer",
    },
    key=("organisation_id", "person_id", "position"),
)
DIVIDENDS = Table(
    "dividends",
    {
        "id": "text",
        "organisation_id": "text",
        "total_fen": "integer",
        "points_share": "text",
        "as_of": "text",
        "points_fen": "integer",
        "equal_fen": "integer",
        "members": "integer",
    },
    key=("id",),
    indexes=(("organisation_id",),),
)
ALLOCATIONS = Table(
    "dividend_allocations",
    {
        "dividend_id": "text",
        "person_id": "text",
        "points": "integer",
        "points_fen": "integer",
        "equal_fen": "integer",
        "amount_fen": "integer",
    },
    key=("dividend_id", "person_id"),
)


class VolunteeringView(View):
    name = "volunteering"
    tables = (BOOKS, ACTIVITIES, SERVICE, BALANCES, LINES, DIVIDENDS, ALLOCATIONS)
    events = frozenset(
        {
            "Activity.Held",
            "PointsBook.Opened",
            "PointsBook.ServiceRecorded",
            "PointsBook.ServiceConfirmed",
            "PointsBook.Adjusted",
            "PointsBook.Redeemed",
            "Dividend.Declared",
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        match event.type:
            case "Activity.Held":
                fields = ("organisation_id", "jurisdiction", "title", "category", "held_on")
                row = {"id": event.aggregate_id, **{f: p[f] for f in fields}}
                rows.put("activities", row)
            case "PointsBook.Opened":
                rows.put("books", {"id": event.aggregate_id, "organisation_id": p["organisation_id"]})
            case "PointsBook.ServiceRecorded":
                self._service_recorded(event, rows)
            case "PointsBook.ServiceConfirmed":
                self._service_confirmed(event, rows)
            case "PointsBook.Adjusted":
                reason = p["reason"]
                self._line(
                    event, rows, p["person_id"], "adjustment", p["points"], p["on"], reason, p.get("note")
                )
            case "PointsBook.Redeemed":
                self._line(event, rows, p["person_id"], "redemption", -p["points"], p["on"], p["reward"])
            case "Dividend.Declared":
                self._declared(event, rows)

    def _service_recorded(self, event: EventRecord, rows: Rows) -> None:
        book = rows.get("books", (event.aggregate_id,))
        if book is None:
            return
        p = event.payload
        fields = ("activity_id", "jurisdiction", "person_id", "minutes", "held_on", "recorded_by")
        rows.put(
            "service",
            {
                "book_id": event.aggregate_id,
                "service_id": p["service_id"],
                "organisation_id": book["organisation_id"],
                **{f: p[f] for f in fields},
                "status": "pending",
                "points": 0,
                "confirmed_by": None,
            },
        )

    def _service_confirmed(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        service = rows.get("service", (event.aggregate_id, p["service_id"]))
        if service is None:
            return
        rows.put(
            "service",
            {**service, "status": "confirmed", "points": p["points"], "confirmed_by": p["confirmed_by"]},
        )
        self._line(
            event,
            rows,
            service["person_id"],
            "service",
            p["points"],
            service["held_on"],
            activity_id=service["activity_id"],
            minutes=p["minutes"],
        )

    def _line(
        self,
        event: EventRecord,
        rows: Rows,
        person_id: str,
        cause: str,
        points: int,
        on: str,
        reason: str | None = None,
        note: str | None = None,
        activity_id: str | None = None,
        minutes: int = 0,
    ) -> None:
        book = rows.get("books", (event.aggregate_id,))
        if book is None:
            return
        organisation = book["organisation_id"]
        balance = self._balance(rows, organisation, person_id)
        column = {"service": "earned", "adjustment": "adjusted", "redemption": "redeemed"}[cause]
        balance[column] += abs(points) if cause == "redemption" else points
        balance["balance"] += points
        balance["confirmed_minutes"] += minutes
        rows.put("balances", balance)
        rows.put(
            "points_lines",
            {
                "organisation_id": organisation,
                "person_id": person_id,
                "position": event.position,
                "cause": cause,
                "points": points,
                "dated": on,
                "reason": reason,
                "note": note,
                "activity_id": activity_id,
                "balance": balance["balance"],
            },
        )

    @staticmethod
    def _balance(rows: Rows, organisation_id: str, person_id: str) -> dict[str, Any]:
        found = rows.get("balances", (organisation_id, person_id))
        if found is not None:
            return dict(found)
        zero = dict.fromkeys(("earned", "adjusted", "redeemed", "balance", "confirmed_minutes"), 0)
        return {"organisation_id": organisation_id, "person_id": person_id, **zero}

    @staticmethod
    def _declared(event: EventRecord, rows: Rows) -> None:
        p = event.payload
        allocations: list[Row] = [
            {
                "dividend_id": event.aggregate_id,
                "person_id": person,
                "points": points,
                "points_fen": points_fen,
                "equal_fen": equal_fen,
                "amount_fen": points_fen + equal_fen,
            }
            for person, points, points_fen, equal_fen in p["allocations"]
        ]
        rows.put(
            "dividends",
            {
                "id": event.aggregate_id,
                "organisation_id": p["organisation_id"],
                "total_fen": p["total_fen"],
                "points_share": p["points_share"],
                "as_of": p["as_of"],
                "points_fen": p["points_fen"],
                "equal_fen": p["total_fen"] - p["points_fen"],
                "members": len(allocations),
            },
        )
        for allocation in allocations:
            rows.put("dividend_allocations", allocation)
