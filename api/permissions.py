"""Who may call which route: one table, enforced on every route.

Each entry names the roles that may call the route, the resource and action an
integration's scopes must grant, and the object the request addresses, which the
principal must reach (see ``api.access``). A route with no entry is refused, so a
new route is closed until someone decides who may call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from api.access import Reaches, reaches
from api.problems import Forbidden
from domain.errors import InvalidValue, NotFound
from domain.principals import Action, Principal, PrincipalRole, Resource

# By name, never by position: a new role must not shift a permission onto another.
ADMIN, OFFICER, AUDITOR = PrincipalRole.ADMIN, PrincipalRole.OFFICER, PrincipalRole.AUDITOR
INTEGRATION, DASHBOARD = PrincipalRole.INTEGRATION, PrincipalRole.DASHBOARD
READ, WRITE = Action.READ, Action.WRITE


class Target(Protocol):
    """The object a request addresses; refuses the request if the principal does not reach it."""

    def check(self, principal: Principal, found: Reaches, path: Mapping[str, str], body: Any) -> None: ...


def _uuid(value: Any) -> UUID | None:
    """The id, or None when it is not one (request validation then refuses it)."""
    try:
        return UUID(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class InPath:
    """An object named by a path parameter: one out of reach is as unknown (404) as one that
    does not exist, so that its existence does not leak."""

    kind: str
    param: str

    def check(self, principal: Principal, found: Reaches, path: Mapping[str, str], body: Any) -> None:
        identifier = _uuid(path.get(self.param))
        if identifier is not None and not reaches(principal, found.of(self.kind, identifier)):
            raise NotFound(self.kind.removeprefix("led_"), identifier)


@dataclass(frozen=True)
class InBody:
    """An organisation named in a command's body: one out of reach is refused as one that
    does not exist would be (422 on that field)."""

    field: str

    def check(self, principal: Principal, found: Reaches, path: Mapping[str, str], body: Any) -> None:
        identifier = _uuid(body.get(self.field)) if isinstance(body, dict) else None
        if identifier is None:
            return
        try:
            reach = found.of("organisation", identifier)
        except NotFound:
            return  # the command refuses it, as for anyone
        if not reaches(principal, reach):
            raise InvalidValue(self.field, f"no organisation with id {identifier}")


@dataclass(frozen=True)
class JurisdictionInBody:
    """Where a new organisation will be: an integration registers only in its jurisdictions."""

    field: str

    def check(self, principal: Principal, found: Reaches, path: Mapping[str, str], body: Any) -> None:
        where = body.get(self.field) if isinstance(body, dict) else None
        if (
            principal.role is PrincipalRole.INTEGRATION
            and isinstance(where, str)
            and not principal.covers(where)
        ):
            raise Forbidden(f"{where!r} is outside this key's jurisdictions", self.field)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[PrincipalRole]
    resource: Resource | None = None
    action: Action = READ
    target: Target | None = None

    def check(self, principal: Principal) -> None:
        """The role and scope checks, which need no object."""
        if principal.role not in self.roles:
            raise Forbidden(f"The {principal.role} role may not do this")
        if self.resource is not None and not principal.may(self.resource, self.action):
            raise Forbidden(f"This key has no {self.resource}:{self.action} scope")


PUBLIC = Rule(frozenset(PrincipalRole))
"""Marks a route that needs no credentials; see ``is_public``."""


def allow(
    *roles: PrincipalRole,
    resource: Resource | None = None,
    action: Action = READ,
    target: Target | None = None,
) -> Rule:
    if INTEGRATION in roles and resource is None:
        raise ValueError("a rule that admits integrations names the resource their scopes must grant")
    return Rule(frozenset(roles), resource, action, target)


READERS = (ADMIN, AUDITOR, OFFICER, INTEGRATION)
VIEW_READERS = (*READERS, DASHBOARD)

PEOPLE, ORGANISATIONS, PROJECTS = Resource.PEOPLE, Resource.ORGANISATIONS, Resource.PROJECTS
FUNDS, VIEWS, PRIVACY = Resource.FUNDS, Resource.VIEWS, Resource.PRIVACY
MEDIATION, HAZARDS, VOLUNTEERING = Resource.MEDIATION, Resource.HAZARDS, Resource.VOLUNTEERING

organisation = InPath("organisation", "organisation_id")
council = organisation
person = InPath("person", "person_id")
fund = InPath("fund", "fund_id")
project = InPath("project", "project_id")
led_project = InPath("led_project", "project_id")
mediation_case = InPath("mediation_case", "case_id")
hazard = InPath("hazard", "hazard_id")
activity = InPath("activity", "activity_id")
dividend = InPath("dividend", "dividend_id")
meeting = InPath("meeting", "meeting_id")

PERMISSIONS: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/public/statistics"): PUBLIC,
    ("GET", "/metrics"): allow(ADMIN, AUDITOR, DASHBOARD),
    ("GET", "/asyncapi.json"): allow(*VIEW_READERS, resource=VIEWS),
    ("GET", "/schemas/events/{public_type}"): allow(*VIEW_READERS, resource=VIEWS),
    # People
    ("POST", "/people"): allow(ADMIN, OFFICER, INTEGRATION, resource=PEOPLE, action=WRITE),
    ("GET", "/people/{person_id}"): allow(*READERS, resource=PEOPLE, target=person),
    # Erasing is for good and for every organisation: officers ask for it, admins do it.
    ("POST", "/people/{person_id}/erasure"): allow(
        ADMIN, INTEGRATION, resource=PRIVACY, action=Action.ERASE, target=person
    ),
    # Organisations
    ("POST", "/organisations"): allow(
        ADMIN, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=JurisdictionInBody("jurisdiction")
    ),
    ("GET", "/organisations/{organisation_id}"): allow(*READERS, resource=ORGANISATIONS, target=organisation),
    **{
        ("POST", f"/organisations/{{organisation_id}}{tail}"): allow(
            ADMIN, OFFICER, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=organisation
        )
        for tail in (
            "/members",
            "/members/{person_id}/role",
            "/members/{person_id}/departure",
            "/member-organisations",
            "/member-organisations/{member_id}/departure",
        )
    },
    # Suspending, reinstating and dissolving are for the supervising authority.
    ("POST", "/organisations/{organisation_id}/suspension"): allow(
        ADMIN, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=organisation
    ),
    ("DELETE", "/organisations/{organisation_id}/suspension"): allow(
        ADMIN, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=organisation
    ),
    ("POST", "/organisations/{organisation_id}/dissolution"): allow(
        ADMIN, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=organisation
    ),
    # Projects: the lead organisation's officers run them; partners' officers may read them.
    ("POST", "/projects"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=PROJECTS, action=WRITE, target=InBody("lead_organisation_id")
    ),
    ("GET", "/projects/{project_id}"): allow(*READERS, resource=PROJECTS, target=project),
    **{
        ("POST", f"/projects/{{project_id}}/{step}"): allow(
            ADMIN, OFFICER, INTEGRATION, resource=PROJECTS, action=WRITE, target=led_project
        )
        for step in ("approval", "start", "progress", "completion", "cancellation")
    },
    # Funds: approvals and rejections are decisions for the owning organisation's officers alone.
    ("POST", "/funds"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=FUNDS, action=WRITE, target=InBody("organisation_id")
    ),
    ("GET", "/funds/{fund_id}"): allow(*READERS, resource=FUNDS, target=fund),
    ("POST", "/funds/{fund_id}/donations"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=FUNDS, action=WRITE, target=fund
    ),
    ("POST", "/funds/{fund_id}/disbursements"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=FUNDS, action=WRITE, target=fund
    ),
    ("POST", "/funds/{fund_id}/disbursements/{disbursement_id}/approvals"): allow(
        OFFICER, action=WRITE, target=fund
    ),
    ("POST", "/funds/{fund_id}/disbursements/{disbursement_id}/rejection"): allow(
        OFFICER, action=WRITE, target=fund
    ),
    ("POST", "/funds/{fund_id}/disbursements/{disbursement_id}/payment"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=FUNDS, action=WRITE, target=fund
    ),
    # Mediation cases: their summaries, notes and parties are for the organisation's officers,
    # admins and auditors; integrations and dashboards see figures and lists without them.
    ("POST", "/mediation-cases"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=MEDIATION, action=WRITE, target=InBody("organisation_id")
    ),
    ("GET", "/mediation-cases/{case_id}"): allow(ADMIN, AUDITOR, OFFICER, target=mediation_case),
    **{
        ("POST", f"/mediation-cases/{{case_id}}/{step}"): allow(
            ADMIN, OFFICER, INTEGRATION, resource=MEDIATION, action=WRITE, target=mediation_case
        )
        for step in ("assignment", "sessions", "agreement", "failure", "withdrawal")
    },
    # Hazards
    ("POST", "/hazards"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=HAZARDS, action=WRITE, target=InBody("organisation_id")
    ),
    ("GET", "/hazards/{hazard_id}"): allow(*READERS, resource=HAZARDS, target=hazard),
    **{
        ("POST", f"/hazards/{{hazard_id}}/{step}"): allow(
            ADMIN, OFFICER, INTEGRATION, resource=HAZARDS, action=WRITE, target=hazard
        )
        for step in ("assignment", "rectification", "verification")
    },
    # Volunteering: confirming service is a decision for the organisation's officers alone.
    ("POST", "/organisations/{organisation_id}/activities"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=VOLUNTEERING, action=WRITE, target=organisation
    ),
    ("GET", "/activities/{activity_id}"): allow(*READERS, resource=VOLUNTEERING, target=activity),
    ("POST", "/activities/{activity_id}/service"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=VOLUNTEERING, action=WRITE, target=activity
    ),
    ("POST", "/activities/{activity_id}/service/{service_id}/confirmation"): allow(
        OFFICER, action=WRITE, target=activity
    ),
    ("GET", "/organisations/{organisation_id}/points"): allow(
        *READERS, resource=VOLUNTEERING, target=organisation
    ),
    **{
        ("POST", f"/organisations/{{organisation_id}}/{tail}"): allow(
            ADMIN, OFFICER, INTEGRATION, resource=VOLUNTEERING, action=WRITE, target=organisation
        )
        for tail in ("points/settings", "points/adjustments", "points/redemptions", "dividends")
    },
    ("GET", "/dividends/{dividend_id}"): allow(*READERS, resource=VOLUNTEERING, target=dividend),
    # Governance: the organisation's officers record meetings and votes; rules change by a
    # passed special motion (or an admin: api.routers.meetings).
    ("POST", "/organisations/{organisation_id}/rules"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=organisation
    ),
    ("POST", "/organisations/{organisation_id}/meetings"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=organisation
    ),
    ("GET", "/meetings/{meeting_id}"): allow(*READERS, resource=ORGANISATIONS, target=meeting),
    **{
        ("POST", f"/meetings/{{meeting_id}}{tail}"): allow(
            ADMIN, OFFICER, INTEGRATION, resource=ORGANISATIONS, action=WRITE, target=meeting
        )
        for tail in (
            "/opening",
            "/motions",
            "/motions/{motion_id}/votes",
            "/motions/{motion_id}/closing",
            "/closing",
        )
    },
    ("POST", "/funds/{fund_id}/resolution-limit"): allow(
        ADMIN, OFFICER, INTEGRATION, resource=FUNDS, action=WRITE, target=fund
    ),
    ("GET", "/views/organisations/{organisation_id}/offices"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    ("GET", "/views/organisations/{organisation_id}/resolutions"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    # Views: lists are narrowed to what the principal reaches (api.routers.views).
    ("GET", "/views/organisations/{organisation_id}/members"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    ("GET", "/views/organisations/{organisation_id}/departures"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    ("GET", "/views/people/{person_id}/memberships"): allow(*VIEW_READERS, resource=VIEWS, target=person),
    ("GET", "/views/projects"): allow(*VIEW_READERS, resource=VIEWS),
    ("GET", "/views/projects/{project_id}"): allow(*VIEW_READERS, resource=VIEWS, target=project),
    ("GET", "/views/funds/{fund_id}"): allow(*VIEW_READERS, resource=VIEWS, target=fund),
    ("GET", "/views/funds/{fund_id}/ledger"): allow(*VIEW_READERS, resource=VIEWS, target=fund),
    ("GET", "/views/organisations/{organisation_id}/mediation-cases"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    ("GET", "/views/hazards"): allow(*VIEW_READERS, resource=VIEWS),
    ("GET", "/views/organisations/{organisation_id}/volunteers"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    ("GET", "/views/organisations/{organisation_id}/points/{person_id}"): allow(
        *VIEW_READERS, resource=VIEWS, target=organisation
    ),
    ("GET", "/views/dividends/{dividend_id}/allocations"): allow(
        *VIEW_READERS, resource=VIEWS, target=dividend
    ),
    ("GET", "/views/statistics"): allow(ADMIN, AUDITOR, INTEGRATION, DASHBOARD, resource=VIEWS),
    ("GET", "/views/status"): allow(ADMIN, AUDITOR, DASHBOARD),
    # Audit
    ("GET", "/audit/streams/{aggregate_id}/events"): allow(ADMIN, AUDITOR),
    ("GET", "/audit/streams/{aggregate_id}/state"): allow(ADMIN, AUDITOR),
    ("GET", "/audit/verify"): allow(ADMIN, AUDITOR),
    ("GET", "/audit/export"): allow(ADMIN, AUDITOR),
}


def rule_for(method: str, path: str | None) -> Rule | None:
    return PERMISSIONS.get(("GET" if method == "HEAD" else method, path or ""))


def is_public(rule: Rule) -> bool:
    return rule is PUBLIC
