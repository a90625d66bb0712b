"""A fund owned by one organisation: donations in, approved disbursements out.

Money is integer fen. The balance (donated - paid) never goes below zero
because no request or approval may exceed what is available (balance less
what is approved but not yet paid).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    DuplicateApproval,
    IllegalTransition,
    InsufficientFunds,
    InvalidValue,
    NotFound,
    ResolutionRequired,
    SelfApproval,
    UnknownPurpose,
)
from domain.values import DisbursementStatus, positive_fen

MAX_APPROVALS_REQUIRED = 9


@dataclass
class Disbursement:
    id: str
    amount_fen: int
    purpose: str
    payee: str
    project_id: str | None
    requested_by: str
    status: str = DisbursementStatus.REQUESTED.value
    approvals: list[str] = field(default_factory=list)
    resolution_id: str | None = None


class Fund(Aggregate):
    @classmethod
    def open(
        cls,
        organisation_id: str,
        name: str,
        purposes: list[str],
        approvals_required: int = 1,
        resolution_required_above_fen: int | None = None,
    ) -> Fund:
        if not name.strip():
            raise InvalidValue("name", "must not be blank")
        if not purposes or any(not p.strip() for p in purposes):
            raise InvalidValue("purposes", "at least one non-blank purpose is required")
        if len(set(purposes)) != len(purposes):
            raise InvalidValue("purposes", "purposes must be distinct")
        if not 1 <= approvals_required <= MAX_APPROVALS_REQUIRED:
            raise InvalidValue("approvals_required", f"must be between 1 and {MAX_APPROVALS_REQUIRED}")
        fund = cls(organisation_id, name, purposes, approvals_required)
        if resolution_required_above_fen is not None:
            fund.require_resolutions_above(resolution_required_above_fen)
        return fund

    @event("Opened")
    def __init__(self, organisation_id: str, name: str, purposes: list[str], approvals_required: int) -> None:
        self.organisation_id = organisation_id
        self.name = name
        self.purposes = purposes
        self.approvals_required = approvals_required
        self.donated_fen = 0
        self.paid_fen = 0
        self.disbursements: dict[str, Disbursement] = {}
        self.resolution_required_above_fen: int | None = None

    # Resolutions

    def require_resolutions_above(self, amount_fen: int | None) -> None:
        """Disbursements above ``amount_fen`` (none if None) then cite a passed spending resolution."""
        if amount_fen is not None and (
            isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen < 0
        ):
            raise InvalidValue("resolution_required_above_fen", "must be a whole number of fen, 0 or more")
        self._resolution_limit_set(amount_fen)

    @event("ResolutionLimitSet")
    def _resolution_limit_set(self, resolution_required_above_fen: int | None) -> None:
        self.resolution_required_above_fen = resolution_required_above_fen

    def needs_resolution(self, amount_fen: int) -> bool:
        limit = self.resolution_required_above_fen
        return limit is not None and amount_fen > limit

    @property
    def balance_fen(self) -> int:
        return self.donated_fen - self.paid_fen

    @property
    def reserved_fen(self) -> int:
        """Approved but not yet paid."""
        return sum(
            d.amount_fen for d in self.disbursements.values() if d.status == DisbursementStatus.APPROVED
        )

    @property
    def available_fen(self) -> int:
        return self.balance_fen - self.reserved_fen

    def _require_purpose(self, purpose: str) -> None:
        if purpose not in self.purposes:
            raise UnknownPurpose(f"{purpose!r} is not one of {self.purposes}")

    def _require_available(self, amount_fen: int) -> None:
        if amount_fen > self.available_fen:
            raise InsufficientFunds(f"{amount_fen} fen requested, {self.available_fen} fen available")

    def disbursement(self, disbursement_id: str) -> Disbursement:
        try:
            return self.disbursements[disbursement_id]
        except KeyError:
            raise NotFound("disbursement", disbursement_id) from None

    # Donations

    def receive_donation(
        self,
        donation_id: str,
        amount_fen: int,
        donor_person_id: str | None,
        donor_name: str | None,
        purpose: str | None,
        received_on: str,
    ) -> None:
        positive_fen("amount_fen", amount_fen)
        if (donor_person_id is None) == (donor_name is None):
            raise InvalidValue("donor_person_id", "give exactly one of donor_person_id, donor_name")
        if purpose is not None:
            self._require_purpose(purpose)
        self._donation_received(donation_id, amount_fen, donor_person_id, donor_name, purpose, received_on)

    @event("DonationReceived")
    def _donation_received(
        self,
        donation_id: str,
        amount_fen: int,
        donor_person_id: str | None,
        donor_name: str | None,
        purpose: str | None,
        received_on: str,
    ) -> None:
        self.donated_fen += amount_fen

    # Disbursements

    def request_disbursement(
        self,
        disbursement_id: str,
        amount_fen: int,
        purpose: str,
        payee: str,
        project_id: str | None,
        requested_by: str,
        resolution_id: str | None = None,
    ) -> None:
        """Above the fund's limit, ``resolution_id`` names the resolution that the caller has
        reserved the amount of (``Meeting.reserve``), in the same transaction."""
        positive_fen("amount_fen", amount_fen)
        self._require_purpose(purpose)
        self._require_available(amount_fen)
        if self.needs_resolution(amount_fen) and resolution_id is None:
            raise ResolutionRequired(
                f"Above {self.resolution_required_above_fen} fen a disbursement cites a resolution_id"
            )
        self._disbursement_requested(
            disbursement_id, amount_fen, purpose, payee, project_id, requested_by, resolution_id
        )

    @event("DisbursementRequested")
    def _disbursement_requested(
        self,
        disbursement_id: str,
        amount_fen: int,
        purpose: str,
        payee: str,
        project_id: str | None,
        requested_by: str,
        resolution_id: str | None = None,
    ) -> None:
        self.disbursements[disbursement_id] = Disbursement(
            disbursement_id, amount_fen, purpose, payee, project_id, requested_by, resolution_id=resolution_id
        )

    def approve_disbursement(self, disbursement_id: str, approver: str) -> None:
        request = self.disbursement(disbursement_id)
        if request.status != DisbursementStatus.REQUESTED:
            raise IllegalTransition(f"A {request.status} disbursement cannot be approved")
        if approver == request.requested_by:
            raise SelfApproval(f"{approver} requested this disbursement")
        if approver in request.approvals:
            raise DuplicateApproval(f"{approver} has already approved this disbursement")
        fully_approved = len(request.approvals) + 1 >= self.approvals_required
        if fully_approved:
            self._require_available(request.amount_fen)
        self._disbursement_approved(disbursement_id, approver, fully_approved)

    @event("DisbursementApproved")
    def _disbursement_approved(self, disbursement_id: str, approver: str, fully_approved: bool) -> None:
        request = self.disbursements[disbursement_id]
        request.approvals.append(approver)
        if fully_approved:
            request.status = DisbursementStatus.APPROVED.value

    def reject_disbursement(self, disbursement_id: str, reason: str, rejected_by: str) -> None:
        request = self.disbursement(disbursement_id)
        if request.status not in (DisbursementStatus.REQUESTED, DisbursementStatus.APPROVED):
            raise IllegalTransition(f"A {request.status} disbursement cannot be rejected")
        self._disbursement_rejected(disbursement_id, reason, rejected_by)

    @event("DisbursementRejected")
    def _disbursement_rejected(self, disbursement_id: str, reason: str, rejected_by: str) -> None:
        self.disbursements[disbursement_id].status = DisbursementStatus.REJECTED.value

    def pay_disbursement(self, disbursement_id: str, paid_on: str, reference: str | None) -> None:
        request = self.disbursement(disbursement_id)
        if request.status != DisbursementStatus.APPROVED:
            raise IllegalTransition(f"A {request.status} disbursement cannot be paid")
        self._disbursement_paid(disbursement_id, request.amount_fen, paid_on, reference)

    @event("DisbursementPaid")
    def _disbursement_paid(
        self, disbursement_id: str, amount_fen: int, paid_on: str, reference: str | None
    ) -> None:
        self.disbursements[disbursement_id].status = DisbursementStatus.PAID.value
        self.paid_fen += amount_fen
