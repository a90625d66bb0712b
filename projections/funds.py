"""Each fund's money: totals, per purpose, disbursements, and a ledger with running balance.

Balance is donated less paid; reserved is what is approved but not yet paid;
available is balance less reserved (what a new request may still take).
"""

from __future__ import annotations

from typing import Any

from projections.events import EventRecord
from projections.rows import Row, Rows, Table, View

FUNDS = Table(
    "funds",
    {
        "id": "text",
        "organisation_id": "text",
        "name": "text",
        "purposes": "json",
        "approvals_required": "integer",
        "donated_fen": "integer",
        "paid_fen": "integer",
        "reserved_fen": "integer",
        "balance_fen": "integer",
        "available_fen": "integer",
        "donor_count": "integer",
        "version": "integer",
    },
    key=("id",),
)
FUND_PURPOSES = Table(
    "fund_purposes",
    {"fund_id": "text", "purpose": "text", "donated_fen": "integer", "paid_fen": "integer"},
    key=("fund_id", "purpose"),
)
"""Donations given without a purpose count under the purpose ``""``."""
FUND_DONORS = Table("fund_donors", {"fund_id": "text", "donor": "text"}, key=("fund_id", "donor"))
"""A donor is a person id or, for someone not registered, the donor's name."""
DISBURSEMENTS = Table(
    "disbursements",
    {
        "fund_id": "text",
        "id": "text",
        "amount_fen": "integer",
        "purpose": "text",
        "payee": "text",
        "project_id": "text",
        "requested_by": "text",
        "status": "text",
        "approvals": "json",
        "requested_at": "text",
        "decided_at": "text",
    },
    key=("fund_id", "id"),
)
LEDGER = Table(
    "ledger",
    {
        "fund_id": "text",
        "position": "integer",
        "entry": "text",
        "amount_fen": "integer",
        "balance_fen": "integer",
        "business_date": "text",
        "reference": "text",
        "counterparty": "text",
    },
    key=("fund_id", "position"),
)


class FundsView(View):
    name = "funds"
    tables = (FUNDS, FUND_PURPOSES, FUND_DONORS, DISBURSEMENTS, LEDGER)
    events = frozenset(
        {
            "Fund.Opened",
            "Fund.DonationReceived",
            "Fund.DisbursementRequested",
            "Fund.DisbursementApproved",
            "Fund.DisbursementRejected",
            "Fund.DisbursementPaid",
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        match event.type:
            case "Fund.Opened":
                self._opened(event, rows)
            case "Fund.DonationReceived":
                self._donation(event, rows)
            case "Fund.DisbursementRequested":
                self._requested(event, rows)
            case "Fund.DisbursementApproved":
                self._approved(event, rows)
            case "Fund.DisbursementRejected":
                self._rejected(event, rows)
            case "Fund.DisbursementPaid":
                self._paid(event, rows)

    # Handlers

    def _opened(self, event: EventRecord, rows: Rows) -> None:
        p, fund_id = event.payload, event.aggregate_id
        rows.put(
            "funds",
            {
                "id": fund_id,
                "organisation_id": p["organisation_id"],
                "name": p["name"],
                "purposes": list(p["purposes"]),
                "approvals_required": p["approvals_required"],
                "donated_fen": 0,
                "paid_fen": 0,
                "reserved_fen": 0,
                "balance_fen": 0,
                "available_fen": 0,
                "donor_count": 0,
                "version": event.version,
            },
        )
        for purpose in p["purposes"]:
            rows.put(
                "fund_purposes", {"fund_id": fund_id, "purpose": purpose, "donated_fen": 0, "paid_fen": 0}
            )

    def _donation(self, event: EventRecord, rows: Rows) -> None:
        p, fund_id = event.payload, event.aggregate_id
        fund = rows.get("funds", (fund_id,))
        if fund is None:
            return
        amount = p["amount_fen"]
        donor = p.get("donor_person_id") or p.get("donor_name") or ""
        new_donor = rows.get("fund_donors", (fund_id, donor)) is None
        if new_donor:
            rows.put("fund_donors", {"fund_id": fund_id, "donor": donor})
        fund = self._put_fund(rows, event, fund, donated_fen=amount, donor_count=1 if new_donor else 0)
        self._add_to_purpose(rows, fund_id, p.get("purpose") or "", "donated_fen", amount)
        self._ledger(rows, event, fund, "donation", amount, p["received_on"], p["donation_id"], donor)

    def _requested(self, event: EventRecord, rows: Rows) -> None:
        p, fund_id = event.payload, event.aggregate_id
        fund = rows.get("funds", (fund_id,))
        if fund is None:
            return
        rows.put(
            "disbursements",
            {
                "fund_id": fund_id,
                "id": p["disbursement_id"],
                "amount_fen": p["amount_fen"],
                "purpose": p["purpose"],
                "payee": p["payee"],
                "project_id": p.get("project_id"),
                "requested_by": p["requested_by"],
                "status": "requested",
                "approvals": [],
                "requested_at": event.recorded_at,
                "decided_at": None,
            },
        )
        self._put_fund(rows, event, fund)

    def _approved(self, event: EventRecord, rows: Rows) -> None:
        fund, request = self._fund_and_request(event, rows)
        if fund is None or request is None:
            return
        changes: Row = {"approvals": [*request["approvals"], event.payload["approver"]]}
        reserved = 0
        if event.payload["fully_approved"]:
            changes |= {"status": "approved", "decided_at": event.recorded_at}
            reserved = request["amount_fen"]
        rows.put("disbursements", {**request, **changes})
        self._put_fund(rows, event, fund, reserved_fen=reserved)

    def _rejected(self, event: EventRecord, rows: Rows) -> None:
        fund, request = self._fund_and_request(event, rows)
        if fund is None or request is None:
            return
        released = request["amount_fen"] if request["status"] == "approved" else 0
        rows.put("disbursements", {**request, "status": "rejected", "decided_at": event.recorded_at})
        self._put_fund(rows, event, fund, reserved_fen=-released)

    def _paid(self, event: EventRecord, rows: Rows) -> None:
        fund, request = self._fund_and_request(event, rows)
        if fund is None or request is None:
            return
        p, amount = event.payload, event.payload["amount_fen"]
        released = request["amount_fen"] if request["status"] == "approved" else 0
        rows.put("disbursements", {**request, "status": "paid"})
        fund = self._put_fund(rows, event, fund, paid_fen=amount, reserved_fen=-released)
        self._add_to_purpose(rows, event.aggregate_id, request["purpose"], "paid_fen", amount)
        self._ledger(
            rows, event, fund, "payment", -amount, p["paid_on"], p["disbursement_id"], request["payee"]
        )

    # Helpers

    @staticmethod
    def _fund_and_request(event: EventRecord, rows: Rows) -> tuple[Row | None, Row | None]:
        fund_id = event.aggregate_id
        request = rows.get("disbursements", (fund_id, event.payload["disbursement_id"]))
        return rows.get("funds", (fund_id,)), request

    @staticmethod
    def _put_fund(rows: Rows, event: EventRecord, fund: Row, **deltas: int) -> Row:
        """Adds the deltas to the fund's totals, recomputes balance and available, puts it."""
        changed = dict(fund)
        for column, delta in deltas.items():
            changed[column] += delta
        changed["balance_fen"] = changed["donated_fen"] - changed["paid_fen"]
        changed["available_fen"] = changed["balance_fen"] - changed["reserved_fen"]
        changed["version"] = event.version
        rows.put("funds", changed)
        return changed

    @staticmethod
    def _add_to_purpose(rows: Rows, fund_id: str, purpose: str, column: str, amount: int) -> None:
        row: dict[str, Any] = dict(
            rows.get("fund_purposes", (fund_id, purpose))
            or {"fund_id": fund_id, "purpose": purpose, "donated_fen": 0, "paid_fen": 0}
        )
        row[column] += amount
        rows.put("fund_purposes", row)

    @staticmethod
    def _ledger(
        rows: Rows,
        event: EventRecord,
        fund: Row,
        entry: str,
        amount: int,
        business_date: str,
        reference: str,
        counterparty: str,
    ) -> None:
        rows.put(
            "ledger",
            {
                "fund_id": event.aggregate_id,
                "position": event.position,
                "entry": entry,
                "amount_fen": amount,
                "balance_fen": fund["balance_fen"],
                "business_date": business_date,
                "reference": reference,
                "counterparty": counterparty,
            },
        )
