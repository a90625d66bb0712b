"""Who belongs to which organisation now, and who left, when and why.

Only people are members here: a coordination council's member units are not.
No personal details are kept (names live on the Person aggregate alone).
"""

from __future__ import annotations

from typing import Any

from projections.events import EventRecord
from projections.rows import Rows, Table, View

ORGANISATIONS = Table(
    "organisations",
    {
        "id": "text",
        "kind": "text",
        "name": "text",
        "jurisdiction": "text",
        "status": "text",
        "member_count": "integer",
    },
    key=("id",),
)
MEMBERS = Table(
    "members",
    {
        "organisation_id": "text",
        "person_id": "text",
        "role": "text",
        "category": "text",
        "joined_on": "text",
        "admitted_position": "integer",
    },
    key=("organisation_id", "person_id"),
    indexes=(("person_id",),),
)
DEPARTURES = Table(
    "departures",
    {
        "organisation_id": "text",
        "person_id": "text",
        "role": "text",
        "category": "text",
        "joined_on": "text",
        "left_on": "text",
        "reason": "text",
        "note": "text",
        "position": "integer",
    },
    key=("organisation_id", "position"),
)

STATUSES = {
    "Organisation.Suspended": "suspended",
    "Organisation.Reinstated": "active",
    "Organisation.Dissolved": "dissolved",
}


class MembershipView(View):
    name = "membership"
    tables = (ORGANISATIONS, MEMBERS, DEPARTURES)
    events = frozenset(
        {
            "Organisation.Registered",
            "Organisation.MemberAdmitted",
            "Organisation.MemberRoleChanged",
            "Organisation.MemberDeparted",
            "Organisation.OfficeHandedOver",
            *STATUSES,
        }
    )

    def handle(self, event: EventRecord, rows: Rows) -> None:
        org, p = event.aggregate_id, event.payload
        match event.type:
            case "Organisation.Registered":
                rows.put(
                    "organisations",
                    {
                        "id": org,
                        "kind": p["kind"],
                        "name": p["name"],
                        "jurisdiction": p["jurisdiction"],
                        "status": "active",
                        "member_count": 0,
                    },
                )
            case "Organisation.MemberAdmitted":
                rows.put(
                    "members",
                    {
                        "organisation_id": org,
                        "person_id": p["person_id"],
                        "role": p["role"],
                        "category": p["category"],
                        "joined_on": p["joined_on"],
                        "admitted_position": event.position,
                    },
                )
                self._update_organisation(rows, org, count=+1)
            case "Organisation.MemberRoleChanged":
                member = rows.get("members", (org, p["person_id"]))
                if member is not None:
                    rows.put("members", {**member, "role": p["role"]})
            case "Organisation.MemberDeparted":
                self._departed(event, rows)
            case "Organisation.OfficeHandedOver":  # roles follow the offices members hold
                for person_id, role in p["roles"].items():
                    member = rows.get("members", (org, person_id))
                    if member is not None:
                        rows.put("members", {**member, "role": role})
            case _ if event.type in STATUSES:
                self._update_organisation(rows, org, status=STATUSES[event.type])

    def _departed(self, event: EventRecord, rows: Rows) -> None:
        org, p = event.aggregate_id, event.payload
        member = rows.get("members", (org, p["person_id"]))
        if member is None:
            return
        rows.put(
            "departures",
            {
                "organisation_id": org,
                "person_id": p["person_id"],
                "role": member["role"],
                "category": member["category"],
                "joined_on": member["joined_on"],
                "left_on": event.recorded_on,
                "reason": p["reason"],
                "note": p.get("note"),
                "position": event.position,
            },
        )
        rows.delete("members", (org, p["person_id"]))
        self._update_organisation(rows, org, count=-1)

    @staticmethod
    def _update_organisation(rows: Rows, org: str, count: int = 0, **changes: Any) -> None:
        row = rows.get("organisations", (org,))
        if row is not None:
            rows.put("organisations", {**row, "member_count": row["member_count"] + count, **changes})
