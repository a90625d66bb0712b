"""Figures per jurisdiction, rolled up by any prefix of the path when read.

An organisation, its members and its funds' money count at its jurisdiction;
a project counts at its lead organisation's; "" holds what has no known
jurisdiction. Rows are kept per full path only (one write per change, not one
per prefix); a read sums the paths under a prefix (``domain.jurisdiction``: any
of a path's ``prefixes``), which an index on the path answers as a range (see
``infra.viewstore.queries.at_or_under``).
"""

from __future__ import annotations

from projections.events import EventRecord
from projections.rows import Rows, Table, View
from projections.waiting import WAITING, settle, wait_for

ORGANISATIONS = Table(
    "organisations",
    {"id": "text", "jurisdiction": "text", "kind": "text", "status": "text"},
    key=("id",),
)
PROJECTS = Table("projects", {"id": "text", "jurisdiction": "text", "status": "text"}, key=("id",))
FUNDS = Table(
    "funds",
    {"id": "text", "jurisdiction": "text", "donated_fen": "integer", "paid_fen": "integer"},
    key=("id",),
)
FIGURES = Table(
    "figures",
    {"jurisdiction": "text", "metric": "text", "value": "integer"},
    key=("jurisdiction", "metric"),
)

ORGANISATION_STATUSES = {
    "Organisation.Suspended": "suspended",
    "Organisation.Reinstated": "active",
    "Organisation.Dissolved": "dissolved",
}
PROJECT_STATUSES = {
    "Project.Approved": "approved",
    "Project.Started": "started",
    "Project.Completed": "completed",
    "Project.Cancelled": "cancelled",
}
TOTALS = ("members", "projects", "donated_fen", "paid_fen")
"""Shown (as 0) wherever an organisation is registered, before anything happens."""


def add(rows: Rows, jurisdiction: str | None, metric: str, delta: int) -> None:
    key = (jurisdiction or "", metric)
    row = rows.get("figures", key)
    value = (row["value"] if row else 0) + delta
    if value == 0 and (not key[0] or metric not in TOTALS):
        # A count back at zero is as if never counted, so the rows do not depend on
        # the order things arrived in; the totals stay, shown as 0, where an
        # organisation is registered.
        rows.delete("figures", key)
    else:
        rows.put("figures", {"jurisdiction": key[0], "metric": metric, "value": value})


def move(rows: Rows, metric: str, value: int, jurisdiction: str) -> None:
    """Moves ``value`` of a metric from no known jurisdiction ("") to ``jurisdiction``,
    once the organisation something waited for is known."""
    add(rows, "", metric, -value)
    add(rows, jurisdiction, metric, value)


class StatisticsView(View):
    name = "statistics"
    tables = (ORGANISATIONS, PROJECTS, FUNDS, FIGURES, WAITING)
    events = frozenset(
        {
            "Organisation.Registered",
            "Organisation.MemberAdmitted",
            "Organisation.MemberDeparted",
            *ORGANISATION_STATUSES,
            "Project.Proposed",
            *PROJECT_STATUSES,
            "Fund.Opened",
            "Fund.DonationReceived",
            "Fund.DisbursementPaid",
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        p, kind = event.payload, event.type
        match kind:
            case "Organisation.Registered":
                self._registered(event, rows)
            case "Organisation.MemberAdmitted" | "Organisation.MemberDeparted":
                organisation = rows.get("organisations", (event.aggregate_id,))
                if organisation is not None:
                    delta = 1 if kind == "Organisation.MemberAdmitted" else -1
                    add(rows, organisation["jurisdiction"], "members", delta)
            case _ if kind in ORGANISATION_STATUSES:
                self._move(rows, "organisations", event.aggregate_id, ORGANISATION_STATUSES[kind])
            case "Project.Proposed":
                lead = rows.get("organisations", (p["lead_organisation_id"],))
                jurisdiction = lead["jurisdiction"] if lead else None
                if lead is None:
                    wait_for(rows, p["lead_organisation_id"], "project", event.aggregate_id)
                rows.put(
                    "projects", {"id": event.aggregate_id, "jurisdiction": jurisdiction, "status": "proposed"}
                )
                add(rows, jurisdiction, "projects", 1)
                add(rows, jurisdiction, "projects.status.proposed", 1)
            case _ if kind in PROJECT_STATUSES:
                self._move(rows, "projects", event.aggregate_id, PROJECT_STATUSES[kind])
            case "Fund.Opened":
                owner = rows.get("organisations", (p["organisation_id"],))
                jurisdiction = owner["jurisdiction"] if owner else None
                if owner is None:
                    wait_for(rows, p["organisation_id"], "fund", event.aggregate_id)
                rows.put(
                    "funds",
                    {"id": event.aggregate_id, "jurisdiction": jurisdiction, "donated_fen": 0, "paid_fen": 0},
                )
            case "Fund.DonationReceived" | "Fund.DisbursementPaid":
                fund = rows.get("funds", (event.aggregate_id,))
                if fund is not None:
                    metric = "donated_fen" if kind == "Fund.DonationReceived" else "paid_fen"
                    rows.put("funds", {**fund, metric: fund[metric] + p["amount_fen"]})
                    add(rows, fund["jurisdiction"], metric, p["amount_fen"])

    @staticmethod
    def _registered(event: EventRecord, rows: Rows) -> None:
        p = event.payload
        organisation = {
            "id": event.aggregate_id,
            "jurisdiction": p["jurisdiction"],
            "kind": p["kind"],
            "status": "active",
        }
        rows.put("organisations", organisation)
        for metric in ("organisations", f"organisations.kind.{p['kind']}", "organisations.status.active"):
            add(rows, p["jurisdiction"], metric, 1)
        for metric in TOTALS:
            add(rows, p["jurisdiction"], metric, 0)
        # What arrived before the organisation (from Kafka) counted nowhere in particular.
        for project_id in settle(rows, event.aggregate_id, "project"):
            project = rows.get("projects", (project_id,))
            if project is not None:
                rows.put("projects", {**project, "jurisdiction": p["jurisdiction"]})
                for metric in ("projects", f"projects.status.{project['status']}"):
                    move(rows, metric, 1, p["jurisdiction"])
        for fund_id in settle(rows, event.aggregate_id, "fund"):
            fund = rows.get("funds", (fund_id,))
            if fund is not None:
                rows.put("funds", {**fund, "jurisdiction": p["jurisdiction"]})
                for metric in ("donated_fen", "paid_fen"):
                    move(rows, metric, fund[metric], p["jurisdiction"])

    @staticmethod
    def _move(rows: Rows, table: str, id_: str, status: str) -> None:
        """Moves an organisation or project from its status's count to another's."""
        row = rows.get(table, (id_,))
        if row is None or row["status"] == status:
            return
        rows.put(table, {**row, "status": status})
        add(rows, row["jurisdiction"], f"{table}.status.{row['status']}", -1)
        add(rows, row["jurisdiction"], f"{table}.status.{status}", 1)
