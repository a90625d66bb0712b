"""Views of one organisation or one fund as they stood at a moment, computed on demand:
the same view handlers folded in memory over that aggregate's events as of the moment
(see ``infra.audit.as_of``), read by the same queries as the live views.

The membership view reads only its organisation's events and the funds view only
its fund's, so nothing else need be read.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder

from infra.audit.history import events_as_of, stream
from infra.viewstore.queries import RowQueries
from infra.viewstore.sources import FoldedRows
from projections import fold
from projections.events import EventRecord
from projections.funds import FundsView
from projections.governance import GovernanceView
from projections.membership import MembershipView

MONEY_DATES = {"Fund.DonationReceived": "received_on", "Fund.DisbursementPaid": "paid_on"}
"""The business date on which each movement of money counts."""


def organisation_as_of(recorder: ApplicationRecorder, organisation_id: UUID, moment: datetime) -> RowQueries:
    events = events_as_of(recorder, organisation_id, moment)
    return RowQueries(FoldedRows({MembershipView.name: fold(MembershipView(), events)}))


def offices_as_of(recorder: ApplicationRecorder, organisation_id: UUID, moment: datetime) -> RowQueries:
    """The governance view's offices as the organisation's events had them at ``moment``."""
    events = events_as_of(recorder, organisation_id, moment)
    return RowQueries(FoldedRows({GovernanceView.name: fold(GovernanceView(), events)}))


def fund_as_of(
    recorder: ApplicationRecorder, fund_id: UUID, moment: datetime | None, on: date | None = None
) -> RowQueries:
    """The fund as of ``moment`` (recorded time; now if None), counting, when ``on`` is
    given, only donations received and payments paid on or before that business date."""
    events = events_as_of(recorder, fund_id, moment) if moment else list(stream(recorder, fund_id))
    if on is not None:
        events = [event for event in events if moved_by(event, on)]
    return RowQueries(FoldedRows({FundsView.name: fold(FundsView(), events)}))


def moved_by(event: EventRecord, day: date) -> bool:
    """False for money that moved after ``day``; requests, approvals and rejections
    carry no business date and count as recorded."""
    field = MONEY_DATES.get(event.type)
    return field is None or date.fromisoformat(event.payload[field]) <= day
