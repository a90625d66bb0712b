"""A public-welfare project, led by one organisation and often run with partners."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransition, InvalidValue
from domain.values import ProjectStatus

_TERMINAL = {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}


class Project(Aggregate):
    @classmethod
    def propose(
        cls,
        title: str,
        category: str,
        lead_organisation_id: str,
        partner_organisation_ids: list[str],
        budget_fen: int | None,
        description: str | None,
    ) -> Project:
        if not title.strip():
            raise InvalidValue("title", "must not be blank")
        if budget_fen is not None and budget_fen < 0:
            raise InvalidValue("budget_fen", "must not be negative")
        if lead_organisation_id in partner_organisation_ids:
            raise InvalidValue("partner_organisation_ids", "the lead cannot also be a partner")
        partners = list(dict.fromkeys(partner_organisation_ids))
        return cls(title, category, lead_organisation_id, partners, budget_fen, description)

    @event("Proposed")
    def __init__(
        self,
        title: str,
        category: str,
        lead_organisation_id: str,
        partner_organisation_ids: list[str],
        budget_fen: int | None,
        description: str | None,
    ) -> None:
        self.title = title
        self.category = category
        self.lead_organisation_id = lead_organisation_id
        self.partner_organisation_ids = partner_organisation_ids
        self.budget_fen = budget_fen
        self.description = description
        self.status = ProjectStatus.PROPOSED.value
        self.beneficiaries = 0
        self.last_progress_note: str | None = None
        self.outcome: str | None = None
        self.cancellation_reason: str | None = None

    def _require(self, *allowed: ProjectStatus, to: str) -> None:
        if self.status not in allowed:
            raise IllegalTransition(f"A {self.status} project cannot be {to}")

    def approve(self) -> None:
        self._require(ProjectStatus.PROPOSED, to="approved")
        self._approved()

    @event("Approved")
    def _approved(self) -> None:
        self.status = ProjectStatus.APPROVED.value

    def start(self) -> None:
        self._require(ProjectStatus.APPROVED, to="started")
        self._started()

    @event("Started")
    def _started(self) -> None:
        self.status = ProjectStatus.STARTED.value

    def report_progress(self, note: str, beneficiaries: int) -> None:
        if beneficiaries < 0:
            raise InvalidValue("beneficiaries", "must not be negative")
        self._require(ProjectStatus.STARTED, to="given progress")
        self._progress_reported(note, beneficiaries)

    @event("ProgressReported")
    def _progress_reported(self, note: str, beneficiaries: int) -> None:
        self.last_progress_note = note
        self.beneficiaries += beneficiaries

    def complete(self, outcome: str) -> None:
        self._require(ProjectStatus.STARTED, to="completed")
        self._completed(outcome)

    @event("Completed")
    def _completed(self, outcome: str) -> None:
        self.status = ProjectStatus.COMPLETED.value
        self.outcome = outcome

    def cancel(self, reason: str) -> None:
        if self.status in _TERMINAL:
            raise IllegalTransition(f"A {self.status} project cannot be cancelled")
        self._cancelled(reason)

    @event("Cancelled")
    def _cancelled(self, reason: str) -> None:
        self.status = ProjectStatus.CANCELLED.value
        self.cancellation_reason = reason
