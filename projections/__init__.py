"""Read-model projections (pure handlers of domain events)."""

from __future__ import annotations

from collections.abc import Iterable

from projections.casework import CaseworkView
from projections.events import EventRecord
from projections.funds import FundsView
from projections.governance import GovernanceView
from projections.membership import MembershipView
from projections.projects import ProjectsView
from projections.rows import MemoryRows, View
from projections.statistics import StatisticsView
from projections.volunteering import VolunteeringView

ALL_VIEWS: tuple[type[View], ...] = (
    MembershipView,
    ProjectsView,
    FundsView,
    StatisticsView,
    GovernanceView,
    CaseworkView,
    VolunteeringView,
)


def fold(view: View, events: Iterable[EventRecord]) -> MemoryRows:
    """The rows a view holds after applying these events to empty tables, in memory."""
    rows = MemoryRows(view.tables)
    for event in events:
        view.handle(event, rows)
    return rows
