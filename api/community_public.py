"""What a client sees of the community-work aggregates (also their past states, for auditors)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from domain.activity import Activity
from domain.dividend import Dividend
from domain.hazard import Hazard
from domain.mediation_case import MediationCase
from domain.points import PointsBook


def mediation_case_public(case: MediationCase) -> dict[str, Any]:
    fields = (
        "organisation_id",
        "jurisdiction",
        "category",
        "summary",
        "received_on",
        "status",
        "mediator_person_id",
        "agreement",
        "ended_on",
        "outcome_reason",
        "referred_to",
    )
    body = {"id": str(case.id), **{name: getattr(case, name) for name in fields}}
    return body | {
        "parties": list(case.parties),
        "sessions": [asdict(s) for s in case.sessions],
        "version": case.version,
    }


def hazard_public(hazard: Hazard, today: str | None = None) -> dict[str, Any]:
    fields = (
        "organisation_id",
        "jurisdiction",
        "category",
        "location",
        "description",
        "found_on",
        "reported_by_person_id",
        "status",
        "assignee_person_id",
        "due_on",
        "rectified_on",
        "rectifications",
        "closed_on",
    )
    body = {"id": str(hazard.id), **{name: getattr(hazard, name) for name in fields}}
    overdue = hazard.overdue(today or date.today().isoformat())
    return body | {"overdue": overdue, "version": hazard.version}


def activity_public(activity: Activity) -> dict[str, Any]:
    fields = ("organisation_id", "title", "category", "held_on", "jurisdiction")
    return {
        "id": str(activity.id),
        **{name: getattr(activity, name) for name in fields},
        "version": activity.version,
    }


def points_book_public(book: PointsBook) -> dict[str, Any]:
    pending = [
        {"id": service_id, **asdict(service)}
        for service_id, service in book.services.items()
        if service.confirmed_by is None
    ]
    return {
        "id": str(book.id),
        "organisation_id": book.organisation_id,
        "points_per_hour": book.points_per_hour,
        "additions": list(book.additions),
        "deductions": list(book.deductions),
        "pending_service": pending,
        "version": book.version,
    }


def dividend_public(dividend: Dividend) -> dict[str, Any]:
    """The dividend without its allocation (one row a member: see its view)."""
    return {
        "id": str(dividend.id),
        "organisation_id": dividend.organisation_id,
        "total_fen": dividend.total_fen,
        "points_share": dividend.points_share,
        "as_of": dividend.as_of,
        "points_fen": dividend.points_fen,
        "equal_fen": dividend.total_fen - dividend.points_fen,
        "members": dividend.members,
        "version": dividend.version,
    }


def community_public(aggregate: Aggregate) -> dict[str, Any] | None:
    match aggregate:
        case MediationCase():
            return mediation_case_public(aggregate)
        case Hazard():
            return hazard_public(aggregate)
        case Activity():
            return activity_public(aggregate)
        case PointsBook():
            return points_book_public(aggregate)
        case Dividend():
            return dividend_public(aggregate)
    return None
