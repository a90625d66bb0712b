"""What a client sees of each aggregate: the bodies of ``GET /people/{id}`` and the
like, also served for past states by the audit endpoints."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from eventsourcing.domain import Aggregate

from api.community_public import community_public
from api.schemas import ProjectPublic
from domain.fund import Fund
from domain.meeting import Meeting, Motion
from domain.organisation import Organisation
from domain.person import Person
from domain.project import Project


def masked(id_number: str | None) -> str | None:
    """Only the last four characters of an ID-card number are ever shown."""
    if id_number is None:
        return None
    return "*" * (len(id_number) - 4) + id_number[-4:]


def person_public(person: Person, full_id_number: bool = False) -> dict[str, Any]:
    """An erased person reads with null details and ``erased`` true; the ID-card number
    is masked unless the caller may see it in full (``full_id_number``)."""
    return {
        "id": str(person.id),
        "name": person.name,
        "phone": person.phone,
        "id_number": person.id_number if full_id_number else masked(person.id_number),
        "erased": person.erased,
        "version": person.version,
    }


def organisation_public(org: Organisation) -> dict[str, Any]:
    return {
        "id": str(org.id),
        "kind": org.kind,
        "name": org.name,
        "jurisdiction": org.jurisdiction,
        "status": org.status,
        "charter": org.charter,
        "members": [asdict(m) for m in org.members.values()],
        "member_organisations": list(org.member_organisations),
        "version": org.version,
    }


def project_public(project: Project) -> dict[str, Any]:
    fields = ProjectPublic.model_fields.keys() - {"id", "version"}
    body = {"id": str(project.id), "version": project.version}
    return body | {name: getattr(project, name) for name in fields}


def fund_public(fund: Fund) -> dict[str, Any]:
    return {
        "id": str(fund.id),
        "organisation_id": fund.organisation_id,
        "name": fund.name,
        "purposes": list(fund.purposes),
        "approvals_required": fund.approvals_required,
        "balance_fen": fund.balance_fen,
        "available_fen": fund.available_fen,
        "donated_fen": fund.donated_fen,
        "paid_fen": fund.paid_fen,
        # copies, as dataclasses.asdict would make, at a fraction of its cost
        "disbursements": [{**vars(d), "approvals": list(d.approvals)} for d in fund.disbursements.values()],
        "resolution_required_above_fen": fund.resolution_required_above_fen,
        "version": fund.version,
    }


def motion_public(motion: Motion) -> dict[str, Any]:
    return {
        "id": motion.id,
        "title": motion.title,
        "text": motion.text,
        "kind": motion.kind,
        "spending": motion.spending,
        "election": motion.election,
        "status": motion.status,
        "votes": len(motion.votes),
        "tally": motion.tally,
        "elected": motion.elected,
        "reserved_fen": motion.reserved_fen if motion.spending else None,
    }


def meeting_public(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": str(meeting.id),
        "organisation_id": meeting.organisation_id,
        "title": meeting.title,
        "kind": meeting.kind,
        "scheduled_for": meeting.scheduled_for,
        "status": meeting.status,
        "electorate": list(meeting.electorate),
        "present": list(meeting.present),
        "quorate": meeting.quorate,
        "rules": meeting.rules or None,
        "motions": [motion_public(m) for m in meeting.motions.values()],
        "minutes": meeting.minutes,
        "version": meeting.version,
    }


def public(aggregate: Aggregate, full_id_number: bool = False) -> dict[str, Any]:
    """Any aggregate's public body (a person's ID-card number in full only if asked)."""
    match aggregate:
        case Person():
            return person_public(aggregate, full_id_number)
        case Organisation():
            return organisation_public(aggregate)
        case Project():
            return project_public(aggregate)
        case Fund():
            return fund_public(aggregate)
        case Meeting():
            return meeting_public(aggregate)
    community = community_public(aggregate)
    if community is not None:
        return community
    raise TypeError(f"no public form for {type(aggregate).__name__}")
