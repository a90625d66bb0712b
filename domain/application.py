"""The application service: one public method per command, each a few lines that
load what it needs and let the aggregate decide; how a command runs (idempotency,
turns, saving) is ``domain.commanding``."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.context import CommandResult, current_context
from domain.errors import InvalidValue, NotFound, NotInOffice
from domain.fund import Fund
from domain.governance import GovernanceCommands
from domain.mediation_commands import MediationCommands
from domain.organisation import Organisation
from domain.person import Person
from domain.project import Project
from domain.values import iso_date
from domain.volunteering_commands import VolunteeringCommands


class Gongzhi(GovernanceCommands, MediationCommands, VolunteeringCommands):
    """One public method per command (governance's in ``domain.governance``, community work's in
    ``domain.mediation_commands`` and ``domain.volunteering_commands``)."""

    name = "Gongzhi"

    def _require_person(self, person_id: UUID, field: str) -> str:
        """A registered person's id; an erased person is named in nothing new."""
        try:
            person = self.read(Person, person_id)
        except NotFound:
            raise InvalidValue(field, f"no person with id {person_id}") from None
        if person.erased:
            raise InvalidValue(field, f"person {person_id} was erased; register them again")
        return str(person_id)

    def _require_organisation(self, organisation_id: UUID, field: str) -> Organisation:
        try:
            return self.read(Organisation, organisation_id)
        except NotFound:
            raise InvalidValue(field, f"no organisation with id {organisation_id}") from None

    # People

    def register_person(
        self, name: str, phone: str | None = None, id_number: str | None = None
    ) -> CommandResult:
        if not name.strip():
            raise InvalidValue("name", "must not be blank")
        return self._create(lambda: Person(name, phone, id_number))

    def erase_person(self, person_id: UUID, reason: str, request_reference: str) -> CommandResult:
        """Records the erasure, with the reference of the request for it; the store destroys the
        person's key in the same transaction."""
        return self._update(Person, person_id, lambda person: person.erase(reason, request_reference))

    # Organisations

    def register_organisation(
        self, kind: str, name: str, jurisdiction: str, charter: str | None = None
    ) -> CommandResult:
        return self._create(lambda: Organisation.register(kind, name, jurisdiction, charter))

    def admit_member(
        self,
        organisation_id: UUID,
        person_id: UUID,
        role: str,
        category: str = "resident",
        joined_on: date | str | None = None,
    ) -> CommandResult:
        joined = iso_date("joined_on", joined_on, date.today())

        def change(org: Organisation) -> None:
            org.admit(self._require_person(person_id, "person_id"), role, category, joined)

        return self._update(Organisation, organisation_id, change)

    def change_member_role(self, organisation_id: UUID, person_id: UUID, role: str) -> CommandResult:
        return self._update(Organisation, organisation_id, lambda org: org.change_role(str(person_id), role))

    def record_departure(
        self, organisation_id: UUID, person_id: UUID, reason: str, note: str | None = None
    ) -> CommandResult:
        return self._update(
            Organisation, organisation_id, lambda org: org.depart(str(person_id), reason, note)
        )

    def suspend_organisation(self, organisation_id: UUID, reason: str) -> CommandResult:
        return self._update(Organisation, organisation_id, lambda org: org.suspend(reason))

    def reinstate_organisation(self, organisation_id: UUID) -> CommandResult:
        return self._update(Organisation, organisation_id, lambda org: org.reinstate())

    def dissolve_organisation(self, organisation_id: UUID, reason: str) -> CommandResult:
        return self._update(Organisation, organisation_id, lambda org: org.dissolve(reason))

    def join_council(self, council_id: UUID, member_id: UUID) -> CommandResult:
        def change(council: Organisation) -> None:
            council.take_member_organisation(self._require_organisation(member_id, "organisation_id"))

        return self._update(Organisation, council_id, change)

    def leave_council(self, council_id: UUID, member_id: UUID) -> CommandResult:
        return self._update(
            Organisation,
            council_id,
            lambda council: council.release_member_organisation(str(member_id)),
        )

    # Projects

    def propose_project(
        self,
        title: str,
        category: str,
        lead_organisation_id: UUID,
        partner_organisation_ids: list[UUID] | None = None,
        budget_fen: int | None = None,
        description: str | None = None,
    ) -> CommandResult:
        partners = partner_organisation_ids or []

        def build() -> Project:
            lead = self._require_organisation(lead_organisation_id, "lead_organisation_id")
            lead.require_active()
            for partner in partners:
                self._require_organisation(partner, "partner_organisation_ids")
            return Project.propose(
                title, category, str(lead.id), [str(p) for p in partners], budget_fen, description
            )

        return self._create(build)

    def approve_project(self, project_id: UUID) -> CommandResult:
        return self._update(Project, project_id, lambda p: p.approve())

    def start_project(self, project_id: UUID) -> CommandResult:
        return self._update(Project, project_id, lambda p: p.start())

    def report_progress(self, project_id: UUID, note: str, beneficiaries: int = 0) -> CommandResult:
        return self._update(Project, project_id, lambda p: p.report_progress(note, beneficiaries))

    def complete_project(self, project_id: UUID, outcome: str) -> CommandResult:
        return self._update(Project, project_id, lambda p: p.complete(outcome))

    def cancel_project(self, project_id: UUID, reason: str) -> CommandResult:
        return self._update(Project, project_id, lambda p: p.cancel(reason))

    # Funds

    def open_fund(
        self,
        organisation_id: UUID,
        name: str,
        purposes: list[str],
        approvals_required: int = 1,
        resolution_required_above_fen: int | None = None,
    ) -> CommandResult:
        def build() -> Fund:
            owner = self._require_organisation(organisation_id, "organisation_id")
            owner.require_active()
            return Fund.open(str(owner.id), name, purposes, approvals_required, resolution_required_above_fen)

        return self._create(build)

    def receive_donation(
        self,
        fund_id: UUID,
        amount_fen: int,
        donor_person_id: UUID | None = None,
        donor_name: str | None = None,
        purpose: str | None = None,
        received_on: date | str | None = None,
    ) -> CommandResult:
        received = iso_date("received_on", received_on, date.today())
        donation_id = str(uuid4())

        def change(fund: Fund) -> dict[str, Any]:
            donor = None
            if donor_person_id is not None:
                donor = self._require_person(donor_person_id, "donor_person_id")
            fund.receive_donation(donation_id, amount_fen, donor, donor_name, purpose, received)
            return {"donation_id": donation_id}

        return self._update(Fund, fund_id, change)

    def request_disbursement(
        self,
        fund_id: UUID,
        amount_fen: int,
        purpose: str,
        payee: str,
        project_id: UUID | None = None,
        resolution_id: UUID | None = None,
    ) -> CommandResult:
        """``resolution_id``: the passed spending motion it draws on (above the fund's limit)."""
        if project_id is not None:
            try:
                self.read(Project, project_id)
            except NotFound:
                raise InvalidValue("project_id", f"no project with id {project_id}") from None
        request: dict[str, Any] = {
            "disbursement_id": str(uuid4()),
            "amount_fen": amount_fen,
            "purpose": purpose,
            "payee": payee,
            "project_id": str(project_id) if project_id else None,
            "requested_by": current_context().acting_person,
        }
        if resolution_id is not None:
            return self._request_citing(fund_id, resolution_id, request)

        def change(fund: Fund) -> dict[str, Any]:
            fund.request_disbursement(**request)
            return {"disbursement_id": request["disbursement_id"]}

        return self._update(Fund, fund_id, change)

    def approve_disbursement(self, fund_id: UUID, disbursement_id: UUID) -> CommandResult:
        """An approver whose key is bound to a person must hold a current office in the
        fund's organisation."""
        context = current_context()
        approver = context.acting_person

        def change(fund: Fund) -> None:
            if context.person_id is not None:
                owner = self.read(Organisation, UUID(fund.organisation_id))
                if not owner.holds_office(context.person_id, date.today().isoformat()):
                    raise NotInOffice(f"Person {context.person_id} holds no current office in {owner.id}")
            fund.approve_disbursement(str(disbursement_id), approver)

        return self._update(Fund, fund_id, change)

    def reject_disbursement(self, fund_id: UUID, disbursement_id: UUID, reason: str) -> CommandResult:
        """A rejection releases what the disbursement reserved of a resolution."""
        actor = current_context().acting_person
        cited = self.read(Fund, fund_id).disbursements.get(str(disbursement_id))
        if cited is not None and cited.resolution_id is not None:
            return self._reject_releasing(fund_id, str(disbursement_id), cited.resolution_id, reason, actor)
        return self._update(
            Fund, fund_id, lambda f: f.reject_disbursement(str(disbursement_id), reason, actor)
        )

    def pay_disbursement(
        self,
        fund_id: UUID,
        disbursement_id: UUID,
        paid_on: date | str | None = None,
        reference: str | None = None,
    ) -> CommandResult:
        paid = iso_date("paid_on", paid_on, date.today())
        return self._update(
            Fund, fund_id, lambda f: f.pay_disbursement(str(disbursement_id), paid, reference)
        )
