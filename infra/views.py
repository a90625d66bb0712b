"""Wires the projections to the application's store."""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from domain.activity import Activity
from domain.application import Gongzhi
from domain.dividend import Dividend
from domain.fund import Fund
from domain.hazard import Hazard
from domain.mediation_case import MediationCase
from domain.meeting import Meeting
from domain.organisation import Organisation
from domain.person import Person
from domain.points import PointsBook
from domain.project import Project
from infra.database import Database
from infra.kafka.offsets import create_kafka_tables
from infra.kafka.producing import publishing_tracking
from infra.store.setup_lock import views_setup
from infra.viewstore.runner import ViewRunner
from projections import ALL_VIEWS
from projections.rows import View

AGGREGATES = (Person, Organisation, Project, Fund, Meeting)
COMMUNITY_WORK = (MediationCase, Hazard, Activity, PointsBook, Dividend)


class UnknownView(ValueError):
    pass


def stored_topics() -> dict[str, str]:
    """Event type (``Fund.DonationReceived``) → the topic the store records it under."""
    return {
        member.__qualname__: get_topic(member)
        for aggregate in (*AGGREGATES, *COMMUNITY_WORK)
        for member in vars(aggregate).values()
        if isinstance(member, type) and issubclass(member, DomainEvent)
    }


def views_named(names: Sequence[str] = ()) -> list[View]:
    """The named views (all of them by default)."""
    known = {view.name: view for view in ALL_VIEWS}
    unknown = sorted(set(names) - known.keys())
    if unknown:
        raise UnknownView(f"unknown view(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return [known[name]() for name in names or known]


def open_views(application: Gongzhi, names: Sequence[str] = ()) -> ViewRunner:
    """A runner for the named views (all of them by default) on the application's store."""
    with views_setup(application.recorder.datastore):  # type: ignore[attr-defined]
        return _open_views(application, names)


def _open_views(application: Gongzhi, names: Sequence[str]) -> ViewRunner:
    chosen = views_named(names)
    database = Database(application.recorder.datastore)  # type: ignore[attr-defined]
    runner = ViewRunner(application.recorder, database, chosen, topics=stored_topics())
    for name in runner.views:
        runner.live(name)  # creates the first generation's tables once, up front
    # Tables the status and metrics read, whether or not Kafka is in use.
    publishing_tracking(application.recorder)
    create_kafka_tables(database)
    return runner
