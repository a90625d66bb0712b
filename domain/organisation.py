"""An organisation, its members and, for a coordination council, its member units."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AlreadyMember,
    ChairTaken,
    IllegalTransition,
    InvalidValue,
    NotCoordinationCouncil,
    NotMember,
    OrganisationInactive,
    RoleUnchanged,
)
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
