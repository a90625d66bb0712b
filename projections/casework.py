"""Mediation cases and hazard reports, one row each, for lists and statistics.

No text about a case's parties is kept (the summary and notes stay sealed in the
store; from Kafka a case comes with how many parties it has, not who): a case shows
its category, dates, mediator, how many parties and sessions, and its outcome. Days
to an ending (or to closing a hazard) are kept with the row, so statistics can take
their median under any jurisdiction prefix.
"""

from __future__ import annotations

from datetime import date

from projections.events import EventRecord
from projections.rows import Row, Rows, Table, View

CASES = Table(
    "mediation_cases",
    {
        "id": "text",
        "organisation_id": "text",
        "jurisdiction": "text",
        "category": "text",
        "status": "text",
        "party_count": "integer",
        "mediator_person_id": "text",
        "sessions": "integer",
        "received_on": "text",
        "ended_on": "text",
        "days_to_end": "integer",
        "referred_to": "text",
        "version": "integer",
    },
    key=("id",),
    indexes=(("organisation_id", "received_on"), ("jurisdiction",)),
)
HAZARDS = Table(
    "hazards",
    {
        "id": "text",
        "organisation_id": "text",
        "jurisdiction": "text",
        "category": "text",
        "location": "text",
        "description": "text",
        "status": "text",
        "reported_by_person_id": "text",
        "assignee_person_id": "text",
        "found_on": "text",
        "due_on": "text",
        "rectifications": "integer",
        "rectified_on": "text",
        "closed_on": "text",
        "days_to_close": "integer",
        "version": "integer",
    },
    key=("id",),
    indexes=(("organisation_id",), ("jurisdiction",)),
)

CASE_ENDINGS = {
    "MediationCase.AgreementSigned": ("resolved", "signed_on"),
    "MediationCase.Failed": ("unresolved", "ended_on"),
    "MediationCase.Withdrawn": ("withdrawn", "ended_on"),
}


def days_between(start: str, end: str) -> int:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


class CaseworkView(View):
    name = "casework"
    tables = (CASES, HAZARDS)
    events = frozenset(
        {
            "MediationCase.Received",
            "MediationCase.Assigned",
            "MediationCase.SessionHeld",
            *CASE_ENDINGS,
            "Hazard.Reported",
            "Hazard.Assigned",
            "Hazard.Rectified",
            "Hazard.Verified",
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        if event.aggregate_type == "MediationCase":
            self._case(event, rows)
        else:
            self._hazard(event, rows)

    def _case(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        if event.type == "MediationCase.Received":
            rows.put(
                "mediation_cases",
                {
                    "id": event.aggregate_id,
                    "organisation_id": p["organisation_id"],
                    "jurisdiction": p["jurisdiction"],
                    "category": p["category"],
                    "status": "received",
                    "party_count": p["party_count"] if "party_count" in p else len(p["parties"]),
                    "mediator_person_id": None,
                    "sessions": 0,
                    "received_on": p["received_on"],
                    "ended_on": None,
                    "days_to_end": None,
                    "referred_to": None,
                    "version": event.version,
                },
            )
            return
        case = rows.get("mediation_cases", (event.aggregate_id,))
        if case is None:
            return
        changes: Row = {"version": event.version}
        if event.type == "MediationCase.Assigned":
            changes |= {"mediator_person_id": p["mediator_person_id"], "status": "assigned"}
        elif event.type == "MediationCase.SessionHeld":
            changes["sessions"] = case["sessions"] + 1
        else:
            status, field = CASE_ENDINGS[event.type]
            ended = p[field]
            changes |= {
                "status": status,
                "ended_on": ended,
                "days_to_end": days_between(case["received_on"], ended),
                "referred_to": p.get("referred_to"),
            }
        rows.put("mediation_cases", {**case, **changes})

    def _hazard(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        if event.type == "Hazard.Reported":
            rows.put(
                "hazards",
                {
                    "id": event.aggregate_id,
                    "organisation_id": p["organisation_id"],
                    "jurisdiction": p["jurisdiction"],
                    "category": p["category"],
                    "location": p["location"],
                    "description": p["description"],
                    "status": "open",
                    "reported_by_person_id": p.get("reported_by_person_id"),
                    "assignee_person_id": None,
                    "found_on": p["found_on"],
                    "due_on": None,
                    "rectifications": 0,
                    "rectified_on": None,
                    "closed_on": None,
                    "days_to_close": None,
                    "version": event.version,
                },
            )
            return
        hazard = rows.get("hazards", (event.aggregate_id,))
        if hazard is None:
            return
        changes: Row = {"version": event.version}
        if event.type == "Hazard.Assigned":
            changes |= {"assignee_person_id": p["person_id"], "due_on": p["due_on"], "status": "assigned"}
        elif event.type == "Hazard.Rectified":
            changes |= {
                "status": "rectified",
                "rectified_on": p["rectified_on"],
                "rectifications": hazard["rectifications"] + 1,
            }
        elif p["passed"]:
            closed = p["verified_on"]
            changes |= {
                "status": "closed",
                "closed_on": closed,
                "days_to_close": days_between(hazard["found_on"], closed),
            }
        else:
            changes["status"] = "assigned"
        rows.put("hazards", {**hazard, **changes})
