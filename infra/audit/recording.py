"""Writes each event's chain link in the transaction that records the event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent

from infra.audit.chain import ChainHeads, Link, link_events
from infra.audit.queries import AuditTables

LINKS_KWARG = "audit_links"
"""The recorder's keyword argument that carries a transaction's links out, for after commit."""


class ChainWriter:
    def __init__(self, tables: AuditTables, heads: ChainHeads | None = None) -> None:
        self.tables = tables
        self.heads = heads or ChainHeads()

    def record(
        self,
        cursor: Any,
        stored_events: Sequence[StoredEvent],
        positions: Sequence[int] | None,
        **kwargs: Any,
    ) -> None:
        """Links the events to their streams' chains and writes the links with them."""
        if not stored_events or not positions:
            return
        links = link_events(
            stored_events, positions, self.heads, lambda keys: self.tables.lookup(cursor, keys)
        )
        self.tables.write_links(cursor, links)
        carried: list[Link] | None = kwargs.get(LINKS_KWARG)
        if carried is not None:
            carried[:] = links  # a retried transaction replaces what a failed one linked

    def committed(self, links: list[Link]) -> None:
        """Only committed links become stream heads: a rolled-back one may never be version N."""
        self.heads.remember(links)
