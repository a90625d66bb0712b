"""Every project's state, where it is, and how much money has been paid for it."""

from __future__ import annotations

from typing import Any

from projections.events import EventRecord
from projections.rows import Rows, Table, View
from projections.waiting import WAITING, settle, wait_for

PROJECTS = Table(
    "projects",
    {
        "id": "text",
        "title": "text",
        "category": "text",
        "lead_organisation_id": "text",
        "partner_organisation_ids": "json",
        "jurisdiction": "text",
        "status": "text",
        "budget_fen": "integer",
        "disbursed_fen": "integer",
        "beneficiaries": "integer",
        "last_progress_note": "text",
        "proposed_at": "text",
        "approved_at": "text",
        "started_at": "text",
        "completed_at": "text",
        "cancelled_at": "text",
        "outcome": "text",
        "cancellation_reason": "text",
        "version": "integer",
    },
    key=("id",),
    indexes=(("status",), ("lead_organisation_id",)),
)
ORGANISATIONS = Table("organisations", {"id": "text", "jurisdiction": "text"}, key=("id",))
DISBURSEMENTS = Table(
    "disbursements",
    {"fund_id": "text", "id": "text", "project_id": "text", "amount_fen": "integer"},
    key=("fund_id", "id"),
)
"""Requested disbursements that name a project, until they are paid or rejected."""

UNCLAIMED = Table("unclaimed_payments", {"project_id": "text", "paid_fen": "integer"}, key=("project_id",))
"""Money paid for a project this view has not yet seen proposed (only when fed from Kafka)."""

TRANSITIONS = {
    "Project.Approved": ("approved", "approved_at"),
    "Project.Started": ("started", "started_at"),
    "Project.Completed": ("completed", "completed_at"),
    "Project.Cancelled": ("cancelled", "cancelled_at"),
}


class ProjectsView(View):
    name = "projects"
    tables = (PROJECTS, ORGANISATIONS, DISBURSEMENTS, UNCLAIMED, WAITING)
    events = frozenset(
        {
            "Organisation.Registered",
            "Project.Proposed",
            "Project.ProgressReported",
            *TRANSITIONS,
            "Fund.DisbursementRequested",
            "Fund.DisbursementRejected",
            "Fund.DisbursementPaid",
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        match event.type:
            case "Organisation.Registered":
                rows.put("organisations", {"id": event.aggregate_id, "jurisdiction": p["jurisdiction"]})
                for project_id in settle(rows, event.aggregate_id, "project"):
                    project = rows.get("projects", (project_id,))
                    if project is not None:
                        rows.put("projects", {**project, "jurisdiction": p["jurisdiction"]})
            case "Project.Proposed":
                self._proposed(event, rows)
            case "Project.ProgressReported":
                self._update(event, rows, last_progress_note=p["note"], add_beneficiaries=p["beneficiaries"])
            case "Project.Completed":
                self._update(event, rows, outcome=p["outcome"])
            case "Project.Cancelled":
                self._update(event, rows, cancellation_reason=p["reason"])
            case "Project.Approved" | "Project.Started":
                self._update(event, rows)
            case "Fund.DisbursementRequested" if p.get("project_id"):
                rows.put(
                    "disbursements",
                    {
                        "fund_id": event.aggregate_id,
                        "id": p["disbursement_id"],
                        "project_id": p["project_id"],
                        "amount_fen": p["amount_fen"],
                    },
                )
            case "Fund.DisbursementRejected":
                rows.delete("disbursements", (event.aggregate_id, p["disbursement_id"]))
            case "Fund.DisbursementPaid":
                self._paid(event, rows)

    def _proposed(self, event: EventRecord, rows: Rows) -> None:
        p = event.payload
        lead = rows.get("organisations", (p["lead_organisation_id"],))
        if lead is None:
            wait_for(rows, p["lead_organisation_id"], "project", event.aggregate_id)
        unclaimed = rows.get("unclaimed_payments", (event.aggregate_id,))
        if unclaimed is not None:
            rows.delete("unclaimed_payments", (event.aggregate_id,))
        rows.put(
            "projects",
            {
                "id": event.aggregate_id,
                "title": p["title"],
                "category": p["category"],
                "lead_organisation_id": p["lead_organisation_id"],
                "partner_organisation_ids": list(p["partner_organisation_ids"]),
                "jurisdiction": lead["jurisdiction"] if lead else None,
                "status": "proposed",
                "budget_fen": p.get("budget_fen"),
                "disbursed_fen": unclaimed["paid_fen"] if unclaimed else 0,
                "beneficiaries": 0,
                "last_progress_note": None,
                "proposed_at": event.recorded_at,
                "approved_at": None,
                "started_at": None,
                "completed_at": None,
                "cancelled_at": None,
                "outcome": None,
                "cancellation_reason": None,
                "version": event.version,
            },
        )

    @staticmethod
    def _update(event: EventRecord, rows: Rows, add_beneficiaries: int = 0, **changes: Any) -> None:
        project = rows.get("projects", (event.aggregate_id,))
        if project is None:
            return
        if event.type in TRANSITIONS:
            status, stamp = TRANSITIONS[event.type]
            changes |= {"status": status, stamp: event.recorded_at}
        beneficiaries = project["beneficiaries"] + add_beneficiaries
        rows.put("projects", {**project, **changes, "beneficiaries": beneficiaries, "version": event.version})

    @staticmethod
    def _paid(event: EventRecord, rows: Rows) -> None:
        key = (event.aggregate_id, event.payload["disbursement_id"])
        disbursement = rows.get("disbursements", key)
        if disbursement is None:
            return
        rows.delete("disbursements", key)
        project_id, amount = disbursement["project_id"], event.payload["amount_fen"]
        project = rows.get("projects", (project_id,))
        if project is not None:
            rows.put("projects", {**project, "disbursed_fen": project["disbursed_fen"] + amount})
        else:
            unclaimed = rows.get("unclaimed_payments", (project_id,))
            paid = (unclaimed["paid_fen"] if unclaimed else 0) + amount
            rows.put("unclaimed_payments", {"project_id": project_id, "paid_fen": paid})
