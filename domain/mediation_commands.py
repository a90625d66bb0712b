"""Commands on mediation cases and hazard reports."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.community_commands import CommunityCommands
from domain.context import CommandResult
from domain.hazard import Hazard
from domain.mediation_case import MediationCase
from domain.values import MemberRole, iso_date, jurisdiction_path


class MediationCommands(CommunityCommands):
    # Mediation cases

    def receive_mediation_case(
        self,
        organisation_id: UUID,
        category: str,
        summary: str,
        parties: list[UUID],
        received_on: date | str | None = None,
    ) -> CommandResult:
        received = iso_date("received_on", received_on, date.today())

        def build() -> MediationCase:
            organisation = self._active_organisation(organisation_id)
            named = [self._require_person(p, "parties") for p in parties]
            return MediationCase.receive(
                str(organisation.id), organisation.jurisdiction, category, summary, named, received
            )

        return self._create(build)

    def assign_mediator(self, case_id: UUID, mediator_person_id: UUID) -> CommandResult:
        def change(case: MediationCase) -> None:
            mediator = self._require_person(mediator_person_id, "mediator_person_id")
            organisation = self._require_organisation(UUID(case.organisation_id), "organisation_id")
            organisation.require_active()
            self._require_member(organisation, mediator, "mediator_person_id", (MemberRole.MEDIATOR,))
            case.assign(mediator)

        return self._update(MediationCase, case_id, change)

    def hold_mediation_session(self, case_id: UUID, held_on: date | str | None, note: str) -> CommandResult:
        held = iso_date("held_on", held_on, date.today())
        return self._update(MediationCase, case_id, lambda case: case.hold_session(held, note))

    def sign_agreement(
        self, case_id: UUID, summary: str, signed_on: date | str | None = None
    ) -> CommandResult:
        signed = iso_date("signed_on", signed_on, date.today())
        return self._update(MediationCase, case_id, lambda case: case.agree(summary, signed))

    def record_mediation_failure(
        self, case_id: UUID, reason: str, referred_to: str | None = None, ended_on: date | str | None = None
    ) -> CommandResult:
        ended = iso_date("ended_on", ended_on, date.today())
        return self._update(MediationCase, case_id, lambda case: case.fail(reason, referred_to, ended))

    def withdraw_mediation_case(
        self, case_id: UUID, reason: str, ended_on: date | str | None = None
    ) -> CommandResult:
        ended = iso_date("ended_on", ended_on, date.today())
        return self._update(MediationCase, case_id, lambda case: case.withdraw(reason, ended))

    # Hazards

    def report_hazard(
        self,
        organisation_id: UUID,
        jurisdiction: str,
        category: str,
        location: str,
        description: str,
        found_on: date | str | None = None,
        reported_by_person_id: UUID | None = None,
    ) -> CommandResult:
        found = iso_date("found_on", found_on, date.today())
        where = jurisdiction_path(jurisdiction)

        def build() -> Hazard:
            organisation = self._active_organisation(organisation_id)
            reporter = None
            if reported_by_person_id is not None:
                reporter = self._require_person(reported_by_person_id, "reported_by_person_id")
            return Hazard.report(
                str(organisation.id),
                self._within(organisation, where),
                category,
                location,
                description,
                found,
                reporter,
            )

        return self._create(build)

    def assign_hazard(self, hazard_id: UUID, person_id: UUID, due_on: date | str) -> CommandResult:
        due = iso_date("due_on", due_on, date.today())

        def change(hazard: Hazard) -> None:
            hazard.assign(self._require_person(person_id, "person_id"), due)

        return self._update(Hazard, hazard_id, change)

    def rectify_hazard(
        self, hazard_id: UUID, note: str, rectified_on: date | str | None = None
    ) -> CommandResult:
        rectified = iso_date("rectified_on", rectified_on, date.today())
        return self._update(Hazard, hazard_id, lambda hazard: hazard.rectify(note, rectified))

    def verify_hazard(
        self, hazard_id: UUID, passed: bool, note: str, verified_on: date | str | None = None
    ) -> CommandResult:
        verified = iso_date("verified_on", verified_on, date.today())
        return self._update(Hazard, hazard_id, lambda hazard: hazard.verify(passed, note, verified))
