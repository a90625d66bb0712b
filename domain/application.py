"""The application service: one public method per command, plus the readers.

Every command loads what it needs, lets the aggregate decide, and saves the
new events together with the request's idempotency claim in one transaction.
A command that changes an aggregate does all that under the aggregate's lock
(``domain.locks``), so concurrent commands on one aggregate take turns rather
than race: a command is never refused for a conflict it did not cause, and
``If-Match`` compares with the version as it stands when the command's turn comes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from time import sleep
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain.context import CommandLog, CommandResult, current_context
from domain.errors import (
    ConcurrencyConflict,
    DomainError,
    IdempotencyKeyReused,
    InvalidValue,
    NotFound,
    VersionMismatch,
)
from domain.fund import Fund
from domain.locks import AggregateLocks
from domain.organisation import Organisation
from domain.person import Person
from domain.project import Project
from domain.turns import Queues, Waiting
from domain.values import iso_date

A = TypeVar("A", bound=Aggregate)
Decision = tuple[Aggregate, dict[str, Any]]

MAX_ATTEMPTS = 8


class Gongzhi(Application):
    name = "Gongzhi"

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.command_log = self.recorder if isinstance(self.recorder, CommandLog) else None
        self.aggregate_locks = self.construct_aggregate_locks()
        self.waiting = Queues()

    def construct_aggregate_locks(self) -> AggregateLocks:
        """In-process locks; a store that several processes share needs its own as well."""
        return AggregateLocks()

    def close(self) -> None:
        self.aggregate_locks.close()
        super().close()

    # Mechanics shared by every command

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Stamps the acting principal and correlation id on each new event."""
        metadata = current_context().metadata()
        for obj in objs:
            for pending in getattr(obj, "pending_events", ()):
                object.__setattr__(pending, "metadata", metadata)
        return super().save(*objs, **kwargs)

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        aggregate: object = None
        with suppress(AggregateNotFoundError):
            aggregate = self.repository.get(aggregate_id)
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id)
        return aggregate

    def _replay(self) -> CommandResult | None:
        claim = current_context().idempotency
        if claim is None or self.command_log is None:
            return None
        recorded = self.command_log.find_command(claim.scope, claim.key)
        if recorded is None:
            return None
        if recorded.fingerprint != claim.fingerprint:
            raise IdempotencyKeyReused(f"Idempotency key {claim.key!r} was used for another request")
        return CommandResult(recorded.aggregate_id, recorded.version, recorded.position, recorded.extra, True)

    def _command(self, decide: Callable[[], Decision], writes: tuple[UUID, ...] = ()) -> CommandResult:
        """Decides and saves under the locks of the aggregates it ``writes`` (none
        for a new one, whose id nobody else knows yet)."""
        replayed = self._replay()
        if replayed is not None:
            return replayed
        with self.aggregate_locks.holding(writes):
            return self._decide_and_save(decide)

    def _decide_and_save(self, decide: Callable[[], Decision]) -> CommandResult:
        claim = current_context().idempotency
        for attempt in range(MAX_ATTEMPTS):
            aggregate, extra = decide()
            try:
                claims = [(claim, extra, len(aggregate.pending_events))]
                recordings = self.save(aggregate, idempotency=claims)
            except RecordConflictError:
                replayed = self._replay()  # a racing retry with the same key
                if replayed is not None:
                    return replayed
                # Under the lock, only a writer that does not take it (a process
                # of an older version) gets there first: read again, after a
                # little while, with jitter.
                sleep(random.uniform(0, 0.002 * 2**attempt))
                continue
            return CommandResult(aggregate.id, aggregate.version, recordings[-1].notification.id, extra)
        raise ConcurrencyConflict(f"Gave up after {MAX_ATTEMPTS} concurrent modifications")

    def _create(self, build: Callable[[], Aggregate]) -> CommandResult:
        return self._command(lambda: (build(), {}))

    def _update(
        self, cls: type[A], aggregate_id: UUID, change: Callable[[A], dict[str, Any] | None]
    ) -> CommandResult:
        """Changes one aggregate: decided together with the other commands of this
        process waiting for it, and saved with them (``domain.turns``)."""
        replayed = self._replay()
        if replayed is not None:
            return replayed
        waiting = Waiting(change)
        self.waiting.join(aggregate_id, waiting)
        waiting.woken.wait()  # answered, or to lead
        if waiting.leads:
            try:
                while not waiting.done:
                    with self.aggregate_locks.holding((aggregate_id,)):
                        self._decide_for(cls, aggregate_id, self.waiting.take(aggregate_id))
            except BaseException as error:  # the locks failed: this command fails alone
                if not waiting.done:
                    waiting.refuse(error)
            finally:
                self.waiting.hand_on(aggregate_id)
        return waiting.outcome()

    def _decide_for(self, cls: type[A], aggregate_id: UUID, turn: list[Waiting]) -> None:
        """Answers every command of the turn, whatever fails."""
        try:
            self._decide_together(cls, aggregate_id, turn)
        except BaseException as error:
            for waiting in turn:
                if not waiting.done:
                    waiting.refuse(error)

    def _decide_together(self, cls: type[A], aggregate_id: UUID, turn: list[Waiting]) -> None:
        """Decides every waiting command on one reading of the aggregate and saves them
        in one transaction; on any shared failure, each on its own."""
        if len(turn) < 2:
            return self._one_by_one(cls, aggregate_id, turn)
        try:
            aggregate = self.get(cls, aggregate_id)
        except DomainError as error:  # the same answer for every command
            for waiting in turn:
                waiting.refuse(error)
            return None
        decided: list[tuple[Waiting, int, int, dict[str, Any]]] = []
        alone: list[Waiting] = []
        for waiting in turn:
            before = len(aggregate.pending_events)
            try:
                extra = waiting.context.run(_change_in_turn, aggregate, waiting.change)
            except Exception as error:
                if len(aggregate.pending_events) != before:  # changed it, then failed
                    return self._one_by_one(cls, aggregate_id, turn)
                waiting.refuse(error)
                continue
            if len(aggregate.pending_events) == before:  # nothing to tie its key to
                alone.append(waiting)
                continue
            decided.append((waiting, len(aggregate.pending_events), aggregate.version, extra))
        if not decided:
            return self._one_by_one(cls, aggregate_id, alone)
        claims = [(w.context.run(lambda: current_context().idempotency), x, n) for w, n, _, x in decided]
        try:
            recordings = Application.save(self, aggregate, idempotency=claims)
        except RecordConflictError:
            return self._one_by_one(cls, aggregate_id, turn)
        for waiting, upto, version, extra in decided:
            waiting.answer(CommandResult(aggregate.id, version, recordings[upto - 1].notification.id, extra))
        return self._one_by_one(cls, aggregate_id, alone)

    def _one_by_one(self, cls: type[A], aggregate_id: UUID, turn: list[Waiting]) -> None:
        """Decides and saves each command of the turn not yet answered, on its own."""
        for waiting in (w for w in turn if not w.done):

            def decide(change: Callable[[Any], dict[str, Any] | None] = waiting.change) -> Decision:
                aggregate = self.get(cls, aggregate_id)
                return aggregate, _change_in_turn(aggregate, change)

            try:
                waiting.answer(waiting.context.run(self._decide_and_save, decide))
            except Exception as error:
                waiting.refuse(error)

    def _require_person(self, person_id: UUID, field: str) -> str:
        """A registered person's id; an erased person is named in nothing new."""
        try:
            person = self.get(Person, person_id)
        except NotFound:
            raise InvalidValue(field, f"no person with id {person_id}") from None
        if person.erased:
            raise InvalidValue(field, f"person {person_id} was erased; register them again")
        return str(person_id)

    def _require_organisation(self, organisation_id: UUID, field: str) -> Organisation:
        try:
            return self.get(Organisation, organisation_id)
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
    ) -> CommandResult:
        def build() -> Fund:
            owner = self._require_organisation(organisation_id, "organisation_id")
            owner.require_active()
            return Fund.open(str(owner.id), name, purposes, approvals_required)

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
    ) -> CommandResult:
        disbursement_id = str(uuid4())
        requester = current_context().actor

        def change(fund: Fund) -> dict[str, Any]:
            if project_id is not None:
                try:
                    self.get(Project, project_id)
                except NotFound:
                    raise InvalidValue("project_id", f"no project with id {project_id}") from None
            fund.request_disbursement(
                disbursement_id,
                amount_fen,
                purpose,
                payee,
                str(project_id) if project_id else None,
                requester,
            )
            return {"disbursement_id": disbursement_id}

        return self._update(Fund, fund_id, change)

    def approve_disbursement(self, fund_id: UUID, disbursement_id: UUID) -> CommandResult:
        approver = current_context().actor
        return self._update(Fund, fund_id, lambda f: f.approve_disbursement(str(disbursement_id), approver))

    def reject_disbursement(self, fund_id: UUID, disbursement_id: UUID, reason: str) -> CommandResult:
        actor = current_context().actor
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


def _change_in_turn(aggregate: Any, change: Callable[[Any], dict[str, Any] | None]) -> dict[str, Any]:
    """Applies a command's change in the context it runs in: its ``If-Match``, then
    its actor and correlation id on the events the change made."""
    expected = current_context().expected_version
    if expected is not None and expected != aggregate.version:
        raise VersionMismatch(expected, aggregate.version)
    before = len(aggregate.pending_events)
    extra = change(aggregate) or {}
    metadata = current_context().metadata()
    for pending in aggregate.pending_events[before:]:
        object.__setattr__(pending, "metadata", metadata)
    return extra
