"""The organisation each community-work object belongs to, for ``api.access``."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.activity import Activity
from domain.application import Gongzhi
from domain.dividend import Dividend
from domain.errors import NotFound
from domain.hazard import Hazard
from domain.mediation_case import MediationCase

KINDS: dict[str, type[MediationCase | Hazard | Activity | Dividend]] = {
    "mediation_case": MediationCase,
    "hazard": Hazard,
    "activity": Activity,
    "dividend": Dividend,
}


def community_owner(application: Gongzhi, kind: str, identifier: UUID) -> str:
    """The owning organisation's id; NotFound when there is no such object."""
    try:
        found: Aggregate = application.read(KINDS[kind], identifier)
    except NotFound:
        raise NotFound(kind, identifier) from None
    organisation_id: str = found.organisation_id  # type: ignore[attr-defined]
    return organisation_id
