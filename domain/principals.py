"""Who may act: the principals that API keys stand for, and what each may reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.jurisdiction import under


class PrincipalRole(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"  # acts for the organisations it names, and their funds and projects
    AUDITOR = "auditor"  # reads everything, including the audit trail; writes nothing
    INTEGRATION = "integration"  # a government system: scoped per resource and jurisdiction
    DASHBOARD = "dashboard"  # reads views and statistics only


class Resource(StrEnum):
    """What an integration's scopes name: ``funds:write``, ``views:read``, ``privacy:erase``."""

    PEOPLE = "people"
    ORGANISATIONS = "organisations"
    PROJECTS = "projects"
    FUNDS = "funds"
    MEDIATION = "mediation"  # mediation cases
    HAZARDS = "hazards"
    VOLUNTEERING = "volunteering"  # activities, service, points and dividends
    VIEWS = "views"
    PRIVACY = "privacy"  # only privacy:erase


class Action(StrEnum):
    READ = "read"
    WRITE = "write"  # implies read
    ERASE = "erase"  # a person's details, for good: privacy:erase alone


def scope_name(resource: Resource, action: Action) -> str:
    return f"{resource}:{action}"


ERASE_PEOPLE = scope_name(Resource.PRIVACY, Action.ERASE)
"""Erasing people's details is a scope apart: no other scope implies it."""
ALL_SCOPES = (
    *(scope_name(r, a) for r in Resource if r is not Resource.PRIVACY for a in (Action.READ, Action.WRITE)),
    ERASE_PEOPLE,
)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. Its name is the actor recorded on the events it causes."""

    name: str
    role: PrincipalRole
    organisations: frozenset[str] = field(default_factory=frozenset)
    jurisdictions: tuple[str, ...] = ()
    scopes: frozenset[str] = field(default_factory=frozenset)
    person_id: str | None = None
    """An officer's key may be bound to a person: its actions are then recorded as the person's."""

    def may(self, resource: Resource, action: Action) -> bool:
        """An integration's scope check; other roles are limited by their role alone."""
        if self.role is not PrincipalRole.INTEGRATION:
            return True
        if scope_name(resource, action) in self.scopes:
            return True
        return action is Action.READ and scope_name(resource, Action.WRITE) in self.scopes

    def covers(self, jurisdiction: str) -> bool:
        """Whether an integration's jurisdiction prefixes include this path."""
        return any(under(jurisdiction, prefix) for prefix in self.jurisdictions)

    @property
    def sees_everything(self) -> bool:
        return self.role in (PrincipalRole.ADMIN, PrincipalRole.AUDITOR, PrincipalRole.DASHBOARD)
