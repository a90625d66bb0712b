"""An organisation, its members and, for a coordination council, its member units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AlreadyMember,
    ChairTaken,
    IllegalTransition,
    InvalidValue,
    NotCoordinationCouncil,
    NotMember,
    OfficeByElection,
    OrganisationInactive,
    RoleUnchanged,
    TermLimitReached,
)
from domain.governance_rules import DEFAULT_RULES, GovernanceRules
from domain.offices import Term, consecutive_terms
from domain.values import (
    DepartureReason,
    MemberCategory,
    MemberRole,
    OrganisationKind,
    OrganisationStatus,
    choice,
    jurisdiction_path,
)


@dataclass
class Membership:
    person_id: str
    role: str
    category: str
    joined_on: str


class Organisation(Aggregate):
    @classmethod
    def register(cls, kind: str, name: str, jurisdiction: str, charter: str | None = None) -> Organisation:
        choice(OrganisationKind, "kind", kind)
        if not name.strip():
            raise InvalidValue("name", "must not be blank")
        return cls(kind, name, jurisdiction_path(jurisdiction), charter)

    @event("Registered")
    def __init__(self, kind: str, name: str, jurisdiction: str, charter: str | None) -> None:
        self.kind = kind
        self.name = name
        self.jurisdiction = jurisdiction
        self.charter = charter
        self.status = OrganisationStatus.ACTIVE.value
        self.members: dict[str, Membership] = {}
        self.member_organisations: list[str] = []
        self.rules: dict[str, Any] = DEFAULT_RULES.as_dict()
        self.terms: list[Term] = []
        self.elections: list[tuple[str, list[str]]] = []
        self.resolutions: dict[str, str] = {}
        """Each passed motion of the organisation's meetings → its meeting."""

    # Guards

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE

    def _require_not_dissolved(self) -> None:
        if self.status == OrganisationStatus.DISSOLVED:
            raise IllegalTransition(f"Organisation {self.id} is dissolved")

    def require_active(self) -> None:
        if not self.is_active:
            raise OrganisationInactive(f"Organisation {self.id} is {self.status}")

    def _require_member(self, person_id: str) -> Membership:
        try:
            return self.members[person_id]
        except KeyError:
            raise NotMember(f"Person {person_id} is not an active member") from None

    def _require_chair_free(self, role: str) -> None:
        if role == MemberRole.CHAIR and any(m.role == MemberRole.CHAIR for m in self.members.values()):
            raise ChairTaken(f"Organisation {self.id} already has an active chair")

    # Members

    def admit(self, person_id: str, role: str, category: str, joined_on: str) -> None:
        choice(MemberRole, "role", role)
        choice(MemberCategory, "category", category)
        self.require_active()
        if person_id in self.members:
            raise AlreadyMember(f"Person {person_id} is already an active member")
        if role in {office for office, _ in self.elections}:
            raise OfficeByElection(f"Organisation {self.id} fills the {role} office by election")
        self._require_chair_free(role)
        self._member_admitted(person_id, role, category, joined_on)

    @event("MemberAdmitted")
    def _member_admitted(self, person_id: str, role: str, category: str, joined_on: str) -> None:
        self.members[person_id] = Membership(person_id, role, category, joined_on)

    def change_role(self, person_id: str, role: str) -> None:
        choice(MemberRole, "role", role)
        self._require_not_dissolved()
        membership = self._require_member(person_id)
        if membership.role == role:
            raise RoleUnchanged(f"Person {person_id} already holds the role {role}")
        elected = {office for office, _ in self.elections}
        if elected & {role, membership.role}:
            raise OfficeByElection(f"Organisation {self.id} fills that office by election")
        self._require_chair_free(role)
        self._member_role_changed(person_id, membership.role, role)

    @event("MemberRoleChanged")
    def _member_role_changed(self, person_id: str, previous_role: str, role: str) -> None:
        self.members[person_id].role = role

    def depart(self, person_id: str, reason: str, note: str | None) -> None:
        choice(DepartureReason, "reason", reason)
        self._require_not_dissolved()
        self._require_member(person_id)
        self._member_departed(person_id, reason, note)

    @event("MemberDeparted")
    def _member_departed(self, person_id: str, reason: str, note: str | None) -> None:
        del self.members[person_id]

    # Lifecycle

    def suspend(self, reason: str) -> None:
        self.require_active()
        self._suspended(reason)

    @event("Suspended")
    def _suspended(self, reason: str) -> None:
        self.status = OrganisationStatus.SUSPENDED.value

    def reinstate(self) -> None:
        if self.status != OrganisationStatus.SUSPENDED:
            raise IllegalTransition(f"Organisation {self.id} is {self.status}, not suspended")
        self._reinstated()

    @event("Reinstated")
    def _reinstated(self) -> None:
        self.status = OrganisationStatus.ACTIVE.value

    def dissolve(self, reason: str) -> None:
        self._require_not_dissolved()
        self._dissolved(reason)

    @event("Dissolved")
    def _dissolved(self, reason: str) -> None:
        self.status = OrganisationStatus.DISSOLVED.value

    # Member organisations (coordination councils only)

    def take_member_organisation(self, member: Organisation) -> None:
        if self.kind != OrganisationKind.COORDINATION_COUNCIL:
            raise NotCoordinationCouncil(f"Organisation {self.id} is a {self.kind}")
        if member.id == self.id:
            raise InvalidValue("organisation_id", "a council cannot join itself")
        self.require_active()
        member.require_active()
        if str(member.id) in self.member_organisations:
            raise AlreadyMember(f"Organisation {member.id} is already a member unit")
        self._member_organisation_joined(str(member.id))

    @event("MemberOrganisationJoined")
    def _member_organisation_joined(self, organisation_id: str) -> None:
        self.member_organisations.append(organisation_id)

    def release_member_organisation(self, organisation_id: str) -> None:
        self._require_not_dissolved()
        if organisation_id not in self.member_organisations:
            raise NotMember(f"Organisation {organisation_id} is not a member unit")
        self._member_organisation_left(organisation_id)

    @event("MemberOrganisationLeft")
    def _member_organisation_left(self, organisation_id: str) -> None:
        self.member_organisations.remove(organisation_id)

    # Governance: rules, resolutions, offices and their terms

    @property
    def governance_rules(self) -> GovernanceRules:
        return GovernanceRules.from_dict(self.rules)

    def change_rules(self, rules: GovernanceRules, motion_id: str | None) -> None:
        self.require_active()
        self._rules_changed(rules.as_dict(), motion_id)

    @event("RulesChanged")
    def _rules_changed(self, rules: dict[str, Any], motion_id: str | None) -> None:
        self.rules = rules

    def record_resolution(self, motion_id: str, meeting_id: str, kind: str) -> None:
        self._resolution_recorded(motion_id, meeting_id, kind)

    @event("ResolutionRecorded")
    def _resolution_recorded(self, motion_id: str, meeting_id: str, kind: str) -> None:
        self.resolutions[motion_id] = meeting_id

    def office_holders(self, day: str) -> list[str]:
        """Who holds an office on ``day``."""
        return sorted({t.person_id for t in self.terms if t.current_on(day)})

    def holds_office(self, person_id: str, day: str) -> bool:
        return any(t.person_id == person_id and t.current_on(day) for t in self.terms)

    def require_eligible(self, office: str, candidates: list[str]) -> None:
        """Candidates are active members within the rules' limit of consecutive terms."""
        limit = self.governance_rules.term_limit
        for candidate in candidates:
            if candidate not in self.members:
                raise InvalidValue("election.candidates", f"person {candidate} is not an active member")
            if consecutive_terms(self.elections, office, candidate) >= limit:
                raise TermLimitReached(
                    f"Person {candidate} has held the {office} office for {limit} consecutive terms"
                )

    def hand_over(
        self, office: str, seats: int, elected: list[str], term_start: str, term_end: str, motion_id: str
    ) -> None:
        """Ends the terms of the office's holders (and the roles of members who hold it
        without a term) and starts the terms of those elected; roles follow (someone who
        still holds another office keeps its role). Seats not filled stay vacant."""
        holders = {t.person_id for t in self.terms if t.office == office and t.ended_on is None}
        holders |= {m.person_id for m in self.members.values() if m.role == office}
        ended = sorted(holders)
        elsewhere = {t.person_id for t in self.terms if t.office != office and t.ended_on is None}
        roles = {
            p: MemberRole.MEMBER.value
            for p in ended
            if p not in elected and p not in elsewhere and p in self.members
        }
        roles |= {p: office for p in elected if p in self.members}
        self._office_handed_over(office, seats, elected, ended, term_start, term_end, motion_id, roles)

    @event("OfficeHandedOver")
    def _office_handed_over(
        self,
        office: str,
        seats: int,
        elected: list[str],
        ended: list[str],
        term_start: str,
        term_end: str,
        motion_id: str,
        roles: dict[str, str],
    ) -> None:
        for term in self.terms:
            if term.office == office and term.ended_on is None:
                term.ended_on = term_start
        self.terms.extend(Term(office, p, term_start, term_end, motion_id) for p in elected)
        self.elections.append((office, list(elected)))
        for person_id, role in roles.items():
            self.members[person_id].role = role
