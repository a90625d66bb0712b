"""Rows that wait for an organisation the view has not seen yet.

Fed from the store's log, a view sees an organisation registered before any
project it leads or fund it owns. Fed from Kafka, where each aggregate type has
its own topic, a project can arrive first; the view then keeps it in this table
under the organisation, and settles it when the registration arrives. Once
settled the row is gone, so both orders end in the same rows.
"""

from __future__ import annotations

from projections.rows import Rows, Table

WAITING = Table(
    "waiting",
    {"organisation_id": "text", "kind": "text", "ids": "json"},
    key=("organisation_id", "kind"),
)


def wait_for(rows: Rows, organisation_id: str, kind: str, id_: str) -> None:
    """Notes that ``id_`` (a project or a fund) waits for ``organisation_id``."""
    row = rows.get("waiting", (organisation_id, kind))
    ids = [*(row["ids"] if row else []), id_]
    rows.put("waiting", {"organisation_id": organisation_id, "kind": kind, "ids": ids})


def settle(rows: Rows, organisation_id: str, kind: str) -> list[str]:
    """The ids that waited for ``organisation_id`` (no longer waiting)."""
    row = rows.get("waiting", (organisation_id, kind))
    if row is None:
        return []
    rows.delete("waiting", (organisation_id, kind))
    return list(row["ids"])
