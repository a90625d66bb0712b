"""Who holds which office, the resolutions each organisation passed (with what spending
resolutions have reserved and paid), its meetings, and governance figures per jurisdiction.

A resolution's ``reserved_fen`` is held by disbursements requested or approved,
``paid_fen`` by those paid; ``remaining_fen`` is what it still grants. Whether a
term has expired depends on the day it is read, so reads work it out
(``infra.viewstore.governance_queries``).

Fed from Kafka, a meeting may arrive before its organisation, and a payment before
the reservation it settles: the meeting waits under no jurisdiction ("") until the
organisation is registered (``projections.waiting``), and the payment waits in
``payments`` for its reservation, so that every order ends in the same rows.
"""

from __future__ import annotations

from typing import Any

from projections.events import EventRecord
from projections.rows import Row, Rows, Table, View
from projections.waiting import WAITING, settle, wait_for

ORGANISATIONS = Table("organisations", {"id": "text", "jurisdiction": "text"}, key=("id",))
MEETINGS = Table(
    "meetings",
    {
        "id": "text",
        "organisation_id": "text",
        "jurisdiction": "text",
        "title": "text",
        "kind": "text",
        "scheduled_for": "text",
        "status": "text",
        "electorate": "integer",
        "present": "integer",
        "turnout_bp": "integer",
        "resolutions": "json",
        "version": "integer",
    },
    key=("id",),
    indexes=(("organisation_id",),),
)
"""A meeting's ``turnout_bp`` (present per electorate, in basis points) once it opened,
and the motions it passed: what it adds to the figures where its organisation is."""
MOTIONS = Table(
    "motions",
    {
        "meeting_id": "text",
        "motion_id": "text",
        "title": "text",
        "kind": "text",
        "fund_id": "text",
        "purpose": "text",
        "amount_fen": "integer",
    },
    key=("meeting_id", "motion_id"),
)
RESOLUTIONS = Table(
    "resolutions",
    {
        "organisation_id": "text",
        "motion_id": "text",
        "meeting_id": "text",
        "jurisdiction": "text",
        "title": "text",
        "kind": "text",
        "passed_on": "text",
        "tally": "json",
        "elected": "json",
        "fund_id": "text",
        "purpose": "text",
        "amount_fen": "integer",
        "reserved_fen": "integer",
        "paid_fen": "integer",
        "remaining_fen": "integer",
        "position": "integer",
    },
    key=("organisation_id", "motion_id"),
)
RESERVATIONS = Table(
    "reservations",
    {"disbursement_id": "text", "organisation_id": "text", "motion_id": "text", "amount_fen": "integer"},
    key=("disbursement_id",),
)
PAYMENTS = Table("payments", {"disbursement_id": "text", "amount_fen": "integer"}, key=("disbursement_id",))
"""Payments with no reservation (yet): most cite no resolution; from Kafka, one may come
before the reservation it settles."""
OFFICES = Table(
    "offices",
    {
        "organisation_id": "text",
        "office": "text",
        "person_id": "text",
        "jurisdiction": "text",
        "term_start": "text",
        "term_end": "text",
        "motion_id": "text",
    },
    key=("organisation_id", "office", "person_id"),
)
VACANCIES = Table(
    "vacancies",
    {"organisation_id": "text", "office": "text", "jurisdiction": "text", "vacant": "integer"},
    key=("organisation_id", "office"),
)
FIGURES = Table(
    "figures",
    {"jurisdiction": "text", "metric": "text", "value": "integer"},
    key=("jurisdiction", "metric"),
)
"""``meetings.held``, ``meetings.turnout_bp`` (each held meeting's turnout in basis
points, summed), ``resolutions.passed``."""


def add(rows: Rows, jurisdiction: str, metric: str, delta: int) -> None:
    """A figure back at zero is as if never counted, so rows do not depend on arrival order."""
    row = rows.get("figures", (jurisdiction, metric))
    value = (row["value"] if row else 0) + delta
    if value == 0:
        rows.delete("figures", (jurisdiction, metric))
    else:
        rows.put("figures", {"jurisdiction": jurisdiction, "metric": metric, "value": value})


def figures_of(meeting: Row) -> dict[str, int]:
    """What a meeting adds to the figures."""
    return {
        "meetings.held": 0 if meeting["status"] == "scheduled" else 1,
        "meetings.turnout_bp": meeting["turnout_bp"],
        "resolutions.passed": len(meeting["resolutions"]),
    }


class GovernanceView(View):
    name = "governance"
    tables = (
        ORGANISATIONS,
        MEETINGS,
        MOTIONS,
        RESOLUTIONS,
        RESERVATIONS,
        PAYMENTS,
        OFFICES,
        VACANCIES,
        FIGURES,
        WAITING,
    )
    events = frozenset(
        {
            "Organisation.Registered",
            "Organisation.OfficeHandedOver",
            "Meeting.Scheduled",
            "Meeting.Opened",
            "Meeting.MotionProposed",
            "Meeting.MotionClosed",
            "Meeting.Closed",
            "Meeting.ResolutionReserved",
            "Meeting.ResolutionReleased",
            "Fund.DisbursementPaid",
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        match event.type:
            case "Organisation.Registered":
                self._registered(event, rows)
            case "Organisation.OfficeHandedOver":
                self._handed_over(event, rows)
            case "Meeting.Scheduled":
                self._scheduled(event, rows)
            case "Meeting.Opened":
                self._opened(event, rows)
            case "Meeting.MotionProposed":
                self._proposed(event, rows)
            case "Meeting.MotionClosed":
                self._motion_closed(event, rows)
            case "Meeting.Closed":
                self._meeting(rows, event, status="closed")
            case "Meeting.ResolutionReserved":
                self._reserved(event, rows)
            case "Meeting.ResolutionReleased":
                self._released(event, rows)
            case "Fund.DisbursementPaid":
                self._paid(event, rows)

    # Organisations

    def _registered(self, event: EventRecord, rows: Rows) -> None:
        """Records where the organisation is, and settles the meetings that waited for it."""
        org, jurisdiction = event.aggregate_id, event.payload["jurisdiction"]
        rows.put("organisations", {"id": org, "jurisdiction": jurisdiction})
        for meeting_id in settle(rows, org, "meeting"):
            meeting = rows.get("meetings", (meeting_id,))
            if meeting is None:
                continue
            rows.put("meetings", {**meeting, "jurisdiction": jurisdiction})
            for metric, value in figures_of(meeting).items():
                add(rows, "", metric, -value)
                add(rows, jurisdiction, metric, value)
            for motion_id in meeting["resolutions"]:
                resolution = rows.get("resolutions", (org, motion_id))
                if resolution is not None:
                    rows.put("resolutions", {**resolution, "jurisdiction": jurisdiction})

    # Offices

    def _handed_over(self, event: EventRecord, rows: Rows) -> None:
        p, org = event.payload, event.aggregate_id
        jurisdiction = self._jurisdiction(rows, org)
        for person_id in p["ended"]:
            rows.delete("offices", (org, p["office"], person_id))
        for person_id in p["elected"]:
            rows.put(
                "offices",
                {
                    "organisation_id": org,
                    "office": p["office"],
                    "person_id": person_id,
                    "jurisdiction": jurisdiction,
                    "term_start": p["term_start"],
                    "term_end": p["term_end"],
                    "motion_id": p["motion_id"],
                },
            )
        vacant = p["seats"] - len(p["elected"])
        rows.put(
            "vacancies",
            {"organisation_id": org, "office": p["office"], "jurisdiction": jurisdiction, "vacant": vacant},
        )

    # Meetings

    def _scheduled(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        if rows.get("organisations", (p["organisation_id"],)) is None:
            wait_for(rows, p["organisation_id"], "meeting", event.aggregate_id)
        rows.put(
            "meetings",
            {
                "id": event.aggregate_id,
                "organisation_id": p["organisation_id"],
                "jurisdiction": self._jurisdiction(rows, p["organisation_id"]),
                "title": p["title"],
                "kind": p["kind"],
                "scheduled_for": p["scheduled_for"],
                "status": "scheduled",
                "electorate": 0,
                "present": 0,
                "turnout_bp": 0,
                "resolutions": [],
                "version": event.version,
            },
        )

    def _opened(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        electorate, present = len(p["electorate"]), len(p["present"])
        turnout = present * 10_000 // max(electorate, 1)
        status = "open" if p["quorate"] else "inquorate"
        changes = {"status": status, "electorate": electorate, "present": present, "turnout_bp": turnout}
        meeting = self._meeting(rows, event, **changes)
        if meeting is not None:
            add(rows, meeting["jurisdiction"], "meetings.held", 1)
            add(rows, meeting["jurisdiction"], "meetings.turnout_bp", turnout)

    def _proposed(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        spending = p.get("spending") or {}
        rows.put(
            "motions",
            {
                "meeting_id": event.aggregate_id,
                "motion_id": p["motion_id"],
                "title": p["title"],
                "kind": p["kind"],
                "fund_id": spending.get("fund_id"),
                "purpose": spending.get("purpose"),
                "amount_fen": spending.get("amount_fen"),
            },
        )
        self._meeting(rows, event)

    def _motion_closed(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        meeting = rows.get("meetings", (event.aggregate_id,))
        motion = rows.get("motions", (event.aggregate_id, p["motion_id"]))
        if meeting is None or motion is None or p["outcome"] != "passed":
            self._meeting(rows, event)
            return
        meeting = {
            **meeting,
            "resolutions": [*meeting["resolutions"], p["motion_id"]],
            "version": event.version,
        }
        rows.put("meetings", meeting)
        amount = motion["amount_fen"]
        rows.put(
            "resolutions",
            {
                "organisation_id": meeting["organisation_id"],
                "motion_id": p["motion_id"],
                "meeting_id": event.aggregate_id,
                "jurisdiction": meeting["jurisdiction"],
                "title": motion["title"],
                "kind": motion["kind"],
                "passed_on": meeting["scheduled_for"],
                "tally": p["tally"],
                "elected": p.get("elected"),
                "fund_id": motion["fund_id"],
                "purpose": motion["purpose"],
                "amount_fen": amount,
                "reserved_fen": 0 if amount is not None else None,
                "paid_fen": 0 if amount is not None else None,
                "remaining_fen": amount,
                "position": event.position,
            },
        )
        add(rows, meeting["jurisdiction"], "resolutions.passed", 1)

    # Spending resolutions

    def _reserved(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        meeting = self._meeting(rows, event)
        if meeting is None:
            return
        organisation_id = meeting["organisation_id"]
        rows.put(
            "reservations",
            {
                "disbursement_id": p["disbursement_id"],
                "organisation_id": organisation_id,
                "motion_id": p["motion_id"],
                "amount_fen": p["amount_fen"],
            },
        )
        self._resolution(rows, organisation_id, p["motion_id"], reserved_fen=p["amount_fen"])
        payment = rows.get("payments", (p["disbursement_id"],))
        if payment is not None:  # paid before the reservation arrived (from Kafka)
            self._settle_payment(rows, p["disbursement_id"], payment["amount_fen"])

    def _released(self, event: EventRecord, rows: Rows) -> None:
        self._meeting(rows, event)
        reservation = rows.get("reservations", (event.payload["disbursement_id"],))
        if reservation is None:
            return
        rows.delete("reservations", (reservation["disbursement_id"],))
        amount = reservation["amount_fen"]
        self._resolution(rows, reservation["organisation_id"], reservation["motion_id"], reserved_fen=-amount)

    def _paid(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        if rows.get("reservations", (p["disbursement_id"],)) is None:
            rows.put("payments", {"disbursement_id": p["disbursement_id"], "amount_fen": p["amount_fen"]})
            return
        self._settle_payment(rows, p["disbursement_id"], p["amount_fen"])

    def _settle_payment(self, rows: Rows, disbursement_id: str, amount: int) -> None:
        """Moves a paid reservation's amount from reserved to paid."""
        reservation = rows.get("reservations", (disbursement_id,))
        if reservation is None:
            return
        rows.delete("reservations", (disbursement_id,))
        rows.delete("payments", (disbursement_id,))
        self._resolution(
            rows,
            reservation["organisation_id"],
            reservation["motion_id"],
            reserved_fen=-amount,
            paid_fen=amount,
        )

    # Helpers

    @staticmethod
    def _jurisdiction(rows: Rows, organisation_id: str) -> str:
        organisation = rows.get("organisations", (organisation_id,))
        return organisation["jurisdiction"] if organisation else ""

    @staticmethod
    def _meeting(rows: Rows, event: EventRecord, **changes: Any) -> Row | None:
        meeting = rows.get("meetings", (event.aggregate_id,))
        if meeting is None:
            return None
        changed = {**meeting, **changes, "version": event.version}
        rows.put("meetings", changed)
        return changed

    @staticmethod
    def _resolution(rows: Rows, organisation_id: str, motion_id: str, **deltas: int) -> None:
        resolution = rows.get("resolutions", (organisation_id, motion_id))
        if resolution is None or resolution["amount_fen"] is None:
            return
        changed = dict(resolution)
        for column, delta in deltas.items():
            changed[column] += delta
        changed["remaining_fen"] = changed["amount_fen"] - changed["reserved_fen"] - changed["paid_fen"]
        rows.put("resolutions", changed)
