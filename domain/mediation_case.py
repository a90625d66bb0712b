"""A dispute brought to an organisation's mediators (调解): received, assigned, worked
through in sessions, and ended once: resolved by an agreement, not resolved (perhaps
referred elsewhere), or withdrawn.

The summary, the session notes and the agreement speak of the parties: the store seals
them (``SEALED_TEXT``) so that erasing any party makes them unreadable, while the case,
its dates and its outcome remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransition, InvalidValue, RuleViolation

MIN_PARTIES = 2
MAX_PARTIES = 50


class CaseCategory(StrEnum):
    NEIGHBOUR = "neighbour"
    FAMILY = "family"
    LAND = "land"
    LABOUR = "labour"
    PROPERTY = "property"
    CONSUMER = "consumer"
    OTHER = "other"


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    WITHDRAWN = "withdrawn"


ENDED = frozenset({CaseStatus.RESOLVED, CaseStatus.UNRESOLVED, CaseStatus.WITHDRAWN})


class CaseEnded(RuleViolation):
    title = "The mediation case has ended"


@dataclass
class Session:
    held_on: str
    note: str | None


class MediationCase(Aggregate):
    SEALED_TEXT = ("summary", "note")
    """Fields the store seals under the keys of every party the event names in ``parties``."""

    @classmethod
    def receive(
        cls,
        organisation_id: str,
        jurisdiction: str,
        category: str,
        summary: str,
        parties: list[str],
        received_on: str,
    ) -> MediationCase:
        try:
            CaseCategory(category)
        except ValueError:
            raise InvalidValue("category", f"{category!r} is not one of {', '.join(CaseCategory)}") from None
        if not summary.strip():
            raise InvalidValue("summary", "must not be blank")
        distinct = list(dict.fromkeys(parties))
        if len(distinct) != len(parties):
            raise InvalidValue("parties", "a party is named twice")
        if not MIN_PARTIES <= len(distinct) <= MAX_PARTIES:
            raise InvalidValue("parties", f"name between {MIN_PARTIES} and {MAX_PARTIES} parties")
        return cls(organisation_id, jurisdiction, category, summary, distinct, received_on)

    @event("Received")
    def __init__(
        self,
        organisation_id: str,
        jurisdiction: str,
        category: str,
        summary: str | None,
        parties: list[str],
        received_on: str,
    ) -> None:
        self.organisation_id = organisation_id
        self.jurisdiction = jurisdiction
        self.category = category
        self.summary = summary
        self.parties = parties
        self.received_on = received_on
        self.status = CaseStatus.RECEIVED.value
        self.mediator_person_id: str | None = None
        self.sessions: list[Session] = []
        self.agreement: str | None = None
        self.ended_on: str | None = None
        self.outcome_reason: str | None = None
        self.referred_to: str | None = None

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def _require_open(self) -> None:
        if self.ended:
            raise CaseEnded(f"Mediation case {self.id} is {self.status}: it takes nothing more")

    def _require_not_before_received(self, field: str, on: str) -> None:
        if on < self.received_on:
            raise InvalidValue(field, f"must not be before the case was received ({self.received_on})")

    def assign(self, mediator_person_id: str) -> None:
        """The organisation checks the mediator (an active member with the mediator role)."""
        self._require_open()
        if mediator_person_id in self.parties:
            raise InvalidValue("mediator_person_id", "a party cannot mediate their own case")
        if mediator_person_id == self.mediator_person_id:
            raise IllegalTransition(f"{mediator_person_id} already mediates this case")
        self._assigned(mediator_person_id)

    @event("Assigned")
    def _assigned(self, mediator_person_id: str) -> None:
        self.mediator_person_id = mediator_person_id
        self.status = CaseStatus.ASSIGNED.value

    def _require_mediator(self) -> None:
        if self.mediator_person_id is None:
            raise IllegalTransition("Assign a mediator first")

    def hold_session(self, held_on: str, note: str) -> None:
        self._require_open()
        self._require_mediator()
        self._require_not_before_received("held_on", held_on)
        if not note.strip():
            raise InvalidValue("note", "must not be blank")
        self._session_held(held_on, note, list(self.parties))

    @event("SessionHeld")
    def _session_held(self, held_on: str, note: str | None, parties: list[str]) -> None:
        self.sessions.append(Session(held_on, note))

    def agree(self, summary: str, signed_on: str) -> None:
        self._require_open()
        self._require_mediator()
        self._require_not_before_received("signed_on", signed_on)
        if not summary.strip():
            raise InvalidValue("summary", "must not be blank")
        self._agreement_signed(summary, signed_on, list(self.parties))

    @event("AgreementSigned")
    def _agreement_signed(self, summary: str | None, signed_on: str, parties: list[str]) -> None:
        self.agreement = summary
        self._end(CaseStatus.RESOLVED, signed_on)

    def fail(self, reason: str, referred_to: str | None, ended_on: str) -> None:
        self._require_open()
        self._require_not_before_received("ended_on", ended_on)
        self._failed(reason, referred_to, ended_on)

    @event("Failed")
    def _failed(self, reason: str, referred_to: str | None, ended_on: str) -> None:
        self.outcome_reason = reason
        self.referred_to = referred_to
        self._end(CaseStatus.UNRESOLVED, ended_on)

    def withdraw(self, reason: str, ended_on: str) -> None:
        self._require_open()
        self._require_not_before_received("ended_on", ended_on)
        self._withdrawn(reason, ended_on)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, ended_on: str) -> None:
        self.outcome_reason = reason
        self._end(CaseStatus.WITHDRAWN, ended_on)

    def _end(self, status: CaseStatus, ended_on: str) -> None:
        self.status = status.value
        self.ended_on = ended_on
