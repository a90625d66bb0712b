"""What an object belongs to, and whether a principal reaches it.

An officer reaches the objects of the organisations its key names: the
organisation itself, the funds it owns, the projects it leads (and, to read,
those it is a partner in), the people who are its members, and its mediation
cases, hazards, activities and dividends. A coordination
council's officer reaches the council, not its member organisations. An
integration reaches objects whose organisations lie in its jurisdictions.
Admins, auditors and dashboards are limited by their role alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from api.community_access import community_owner
from domain.application import Gongzhi
from domain.fund import Fund
from domain.meeting import Meeting
from domain.organisation import Organisation
from domain.person import Person
from domain.principals import Principal, PrincipalRole
from domain.project import Project
from infra.viewstore.queries import Within
from infra.viewstore.runner import ViewRunner
from infra.viewstore.sources import SqlRows

MEMBERSHIP_VIEW = "membership"


@dataclass(frozen=True)
class Reach:
    """The organisations an object belongs to, and their jurisdictions."""

    organisations: frozenset[str]
    jurisdictions: tuple[str, ...]


def reaches(principal: Principal, reach: Reach) -> bool:
    if principal.role is PrincipalRole.OFFICER:
        return not principal.organisations.isdisjoint(reach.organisations)
    if principal.role is PrincipalRole.INTEGRATION:
        return any(principal.covers(j) for j in reach.jurisdictions)
    return True


def within(principal: Principal) -> Within:
    """What of a list a principal may see: an officer, its organisations' rows; an
    integration, the rows within its jurisdictions; the others, everything."""
    if principal.role is PrincipalRole.OFFICER:
        return Within(organisations=principal.organisations)
    if principal.role is PrincipalRole.INTEGRATION:
        return Within(jurisdictions=principal.jurisdictions)
    return Within()


class Reaches:
    """Finds the reach of objects from the aggregates (cached by the application) and,
    for people, from the membership view."""

    def __init__(self, application: Gongzhi, views: ViewRunner, wait_seconds: float) -> None:
        self.application = application
        self.views = views
        self.wait_seconds = wait_seconds

    def of(self, kind: str, identifier: UUID) -> Reach:
        """Raises NotFound when there is no such object."""
        match kind:
            case "organisation":
                return self.organisations([str(identifier)])
            case "fund":
                return self.organisations([self.application.get(Fund, identifier).organisation_id])
            case "project":
                project = self.application.get(Project, identifier)
                return self.organisations([project.lead_organisation_id, *project.partner_organisation_ids])
            case "led_project":
                return self.organisations([self.application.get(Project, identifier).lead_organisation_id])
            case "person":
                return self.organisations(self.memberships(identifier))
            case "mediation_case" | "hazard" | "activity" | "dividend":
                return self.organisations([community_owner(self.application, kind, identifier)])
            case "meeting":
                return self.organisations([self.application.get(Meeting, identifier).organisation_id])
        raise ValueError(f"no reach for {kind}")

    def organisations(self, identifiers: Iterable[str]) -> Reach:
        ids = frozenset(identifiers)
        orgs = (self.application.get(Organisation, UUID(i)) for i in ids)
        return Reach(ids, tuple(org.jurisdiction for org in orgs))

    def memberships(self, person_id: UUID) -> list[str]:
        """The organisations a person is an active member of (the person must exist)."""
        self.application.get(Person, person_id)
        self._membership_view_current()
        rows = SqlRows(self.views.live).select(
            MEMBERSHIP_VIEW, "members", {"person_id": str(person_id)}, ("organisation_id",)
        )
        return [row["organisation_id"] for row in rows]

    def _membership_view_current(self) -> None:
        """Waits (boundedly) for the membership view to reach the store's head, so that an
        admission just made counts; past the bound, the view as it is decides."""
        self.views.wait_for(self.views.head(), [MEMBERSHIP_VIEW], self.wait_seconds)
