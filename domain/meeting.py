"""A meeting of an organisation (a members' assembly or a committee), its motions and votes.

The electorate is frozen when the meeting opens, with the rules then in force;
below quorum the meeting is inquorate and takes no motions. Votes are recorded
by the meeting's recorder, once for each person present. A passed spending
motion is a resolution that disbursements draw on: each request above its
fund's limit reserves part of it, a rejection releases that part, and no
resolution grants more than its amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AlreadyVoted,
    IllegalTransition,
    InvalidValue,
    MeetingInquorate,
    MotionsOpen,
    NotFound,
    ResolutionRequired,
)
from domain.governance_rules import GovernanceRules
from domain.offices import MAX_SEATS, SINGLE_SEAT, Office, elect
from domain.values import choice, positive_fen


class MeetingKind(StrEnum):
    MEMBERS_ASSEMBLY = "members_assembly"
    COMMITTEE = "committee"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    INQUORATE = "inquorate"
    CLOSED = "closed"


class MotionKind(StrEnum):
    ORDINARY = "ordinary"
    SPECIAL = "special"
    SPENDING = "spending"
    ELECTION = "election"


class VoteChoice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class MotionStatus(StrEnum):
    OPEN = "open"
    PASSED = "passed"
    REJECTED = "rejected"


@dataclass
class Motion:
    id: str
    title: str
    text: str
    kind: str
    spending: dict[str, Any] | None
    election: dict[str, Any] | None
    status: str = MotionStatus.OPEN.value
    votes: dict[str, Any] = field(default_factory=dict)
    """Person → their choice, or for an election the candidates they chose."""
    tally: dict[str, int] | None = None
    elected: list[str] | None = None
    reservations: dict[str, int] = field(default_factory=dict)
    """A spending resolution's live reservations: disbursement → fen."""

    @property
    def reserved_fen(self) -> int:
        return sum(self.reservations.values())

    @property
    def remaining_fen(self) -> int:
        return self.spending["amount_fen"] - self.reserved_fen if self.spending else 0


class Meeting(Aggregate):
    @classmethod
    def schedule(cls, organisation_id: str, title: str, kind: str, scheduled_for: str) -> Meeting:
        choice(MeetingKind, "kind", kind)
        if not title.strip():
            raise InvalidValue("title", "must not be blank")
        return cls(organisation_id, title, kind, scheduled_for)

    @event("Scheduled")
    def __init__(self, organisation_id: str, title: str, kind: str, scheduled_for: str) -> None:
        self.organisation_id = organisation_id
        self.title = title
        self.kind = kind
        self.scheduled_for = scheduled_for
        self.status = MeetingStatus.SCHEDULED.value
        self.electorate: list[str] = []
        self.present: list[str] = []
        self.rules: dict[str, Any] = {}
        self.motions: dict[str, Motion] = {}
        self.minutes: str | None = None
        self.quorate: bool | None = None

    @property
    def governance_rules(self) -> GovernanceRules:
        return GovernanceRules.from_dict(self.rules)

    def motion(self, motion_id: str) -> Motion:
        try:
            return self.motions[motion_id]
        except KeyError:
            raise NotFound("motion", motion_id) from None

    # Opening

    def open(self, electorate: list[str], present: list[str], rules: GovernanceRules) -> None:
        if self.status != MeetingStatus.SCHEDULED:
            raise IllegalTransition(f"A {self.status} meeting cannot be opened")
        if len(set(present)) != len(present):
            raise InvalidValue("present", "each person is named once")
        eligible = set(electorate)
        for person_id in present:
            if person_id not in eligible:
                raise InvalidValue("present", f"person {person_id} is not in the meeting's electorate")
        quorate = rules.quorum.met(len(present), len(electorate))
        self._opened(sorted(electorate), list(present), rules.as_dict(), quorate)

    @event("Opened")
    def _opened(
        self, electorate: list[str], present: list[str], rules: dict[str, Any], quorate: bool
    ) -> None:
        self.electorate = electorate
        self.present = present
        self.rules = rules
        self.quorate = quorate
        self.status = (MeetingStatus.OPEN if quorate else MeetingStatus.INQUORATE).value

    def _require_open(self) -> None:
        if self.status == MeetingStatus.INQUORATE:
            raise MeetingInquorate(f"Meeting {self.id} was inquorate: it takes no motions")
        if self.status != MeetingStatus.OPEN:
            raise IllegalTransition(f"Meeting {self.id} is {self.status}, not open")

    # Motions

    def propose(
        self,
        motion_id: str,
        title: str,
        text: str,
        kind: str,
        spending: dict[str, Any] | None,
        election: dict[str, Any] | None,
    ) -> None:
        choice(MotionKind, "kind", kind)
        if not title.strip():
            raise InvalidValue("title", "must not be blank")
        if (kind == MotionKind.SPENDING) != (spending is not None):
            raise InvalidValue("spending", "a spending motion, and only one, names what it spends")
        if (kind == MotionKind.ELECTION) != (election is not None):
            raise InvalidValue(
                "election", "an election motion, and only one, names the office and candidates"
            )
        if spending is not None:
            positive_fen("spending.amount_fen", spending["amount_fen"])
        if election is not None:
            _check_election(election)
        self._require_open()
        self._motion_proposed(motion_id, title, text, kind, spending, election)

    @event("MotionProposed")
    def _motion_proposed(
        self,
        motion_id: str,
        title: str,
        text: str,
        kind: str,
        spending: dict[str, Any] | None,
        election: dict[str, Any] | None,
    ) -> None:
        self.motions[motion_id] = Motion(motion_id, title, text, kind, spending, election)

    def _open_motion(self, motion_id: str) -> Motion:
        motion = self.motion(motion_id)
        if motion.status != MotionStatus.OPEN:
            raise IllegalTransition(f"Motion {motion_id} is closed")
        return motion

    def vote(
        self, motion_id: str, person_id: str, vote_choice: str | None, candidates: list[str] | None
    ) -> None:
        """A choice (yes, no, abstain) on a motion, or for an election the candidates chosen."""
        motion = self._open_motion(motion_id)
        if person_id not in self.present:
            raise InvalidValue("person_id", f"person {person_id} is not present at the meeting")
        if motion.kind == MotionKind.ELECTION:
            candidates = self._ballot(motion, vote_choice, candidates)
        else:
            if candidates is not None:
                raise InvalidValue("candidates", "only an election takes candidates")
            if vote_choice is None:
                raise InvalidValue("choice", "give yes, no or abstain")
            vote_choice = choice(VoteChoice, "choice", vote_choice).value
        if person_id in motion.votes:
            raise AlreadyVoted(f"Person {person_id} has already voted on motion {motion_id}")
        self._vote_cast(motion_id, person_id, vote_choice, candidates)

    @staticmethod
    def _ballot(motion: Motion, vote_choice: str | None, candidates: list[str] | None) -> list[str]:
        if vote_choice is not None:
            raise InvalidValue("choice", "an election takes candidates, not a choice")
        if candidates is None:
            raise InvalidValue("candidates", "name the candidates voted for (none to abstain)")
        assert motion.election is not None
        if len(set(candidates)) != len(candidates):
            raise InvalidValue("candidates", "each candidate is named once")
        if len(candidates) > motion.election["seats"]:
            raise InvalidValue("candidates", f"at most {motion.election['seats']}, the seats to fill")
        standing = set(motion.election["candidates"])
        for candidate in candidates:
            if candidate not in standing:
                raise InvalidValue("candidates", f"person {candidate} is not a candidate")
        return list(candidates)

    @event("VoteCast")
    def _vote_cast(
        self, motion_id: str, person_id: str, choice: str | None, candidates: list[str] | None
    ) -> None:
        self.motions[motion_id].votes[person_id] = candidates if candidates is not None else choice

    def close_motion(self, motion_id: str) -> dict[str, Any]:
        """Counts the votes and records the outcome; returns it as the answer shows it."""
        motion = self._open_motion(motion_id)
        rules, present = self.governance_rules, len(self.present)
        if motion.kind == MotionKind.ELECTION:
            assert motion.election is not None
            tally = {c: 0 for c in motion.election["candidates"]}
            for ballot in motion.votes.values():
                for candidate in ballot:
                    tally[candidate] += 1
            elected = elect(
                motion.election["candidates"],
                tally,
                motion.election["seats"],
                lambda votes: rules.ordinary_majority.met(votes, present),
            )
            passed = bool(elected)
        else:
            tally = {c.value: 0 for c in VoteChoice}
            for cast in motion.votes.values():
                tally[cast] += 1
            tally["present"] = present
            majority = (
                rules.special_majority if motion.kind == MotionKind.SPECIAL else rules.ordinary_majority
            )
            passed, elected = majority.met(tally["yes"], present), None
        outcome = (MotionStatus.PASSED if passed else MotionStatus.REJECTED).value
        self._motion_closed(motion_id, outcome, tally, elected)
        return {"motion_id": motion_id, "outcome": outcome, "tally": tally} | (
            {"elected": elected} if elected is not None else {}
        )

    @event("MotionClosed")
    def _motion_closed(
        self, motion_id: str, outcome: str, tally: dict[str, int], elected: list[str] | None
    ) -> None:
        motion = self.motions[motion_id]
        motion.status, motion.tally, motion.elected = outcome, tally, elected

    # Closing

    def close(self, minutes: str) -> None:
        if self.status not in (MeetingStatus.OPEN, MeetingStatus.INQUORATE):
            raise IllegalTransition(f"A {self.status} meeting cannot be closed")
        still_open = [m.id for m in self.motions.values() if m.status == MotionStatus.OPEN]
        if still_open:
            raise MotionsOpen(f"Close motion {still_open[0]} first")
        if not minutes.strip():
            raise InvalidValue("minutes", "must not be blank")
        self._closed(minutes)

    @event("Closed")
    def _closed(self, minutes: str) -> None:
        self.minutes = minutes
        self.status = MeetingStatus.CLOSED.value

    # Resolutions that disbursements draw on

    def resolution(self, motion_id: str, kind: str) -> Motion:
        """A passed motion of this kind, or why it is not one."""
        motion = self.motions.get(motion_id)
        if motion is None:
            raise ResolutionRequired(f"No resolution {motion_id}")
        if motion.status != MotionStatus.PASSED:
            raise ResolutionRequired(f"Motion {motion_id} is {motion.status}, not passed")
        if motion.kind != kind:
            raise ResolutionRequired(f"Motion {motion_id} is a {motion.kind} motion, not a {kind} one")
        return motion

    def reserve(
        self, motion_id: str, fund_id: str, purpose: str, disbursement_id: str, amount_fen: int
    ) -> None:
        motion = self.resolution(motion_id, MotionKind.SPENDING)
        assert motion.spending is not None
        if motion.spending["fund_id"] != fund_id:
            raise ResolutionRequired(f"Resolution {motion_id} is for fund {motion.spending['fund_id']}")
        if motion.spending["purpose"] != purpose:
            raise ResolutionRequired(f"Resolution {motion_id} is for {motion.spending['purpose']!r}")
        if amount_fen > motion.remaining_fen:
            raise ResolutionRequired(
                f"Resolution {motion_id} has {motion.remaining_fen} fen left, {amount_fen} fen asked"
            )
        self._resolution_reserved(motion_id, disbursement_id, amount_fen)

    @event("ResolutionReserved")
    def _resolution_reserved(self, motion_id: str, disbursement_id: str, amount_fen: int) -> None:
        self.motions[motion_id].reservations[disbursement_id] = amount_fen

    def release(self, motion_id: str, disbursement_id: str) -> None:
        motion = self.motions.get(motion_id)
        if motion is not None and disbursement_id in motion.reservations:
            self._resolution_released(motion_id, disbursement_id, motion.reservations[disbursement_id])

    @event("ResolutionReleased")
    def _resolution_released(self, motion_id: str, disbursement_id: str, amount_fen: int) -> None:
        del self.motions[motion_id].reservations[disbursement_id]


def _check_election(election: dict[str, Any]) -> None:
    office = choice(Office, "election.office", election["office"])
    seats, candidates = election["seats"], election["candidates"]
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise InvalidValue("election.seats", f"between 1 and {MAX_SEATS}")
    if office in SINGLE_SEAT and seats != 1:
        raise InvalidValue("election.seats", f"the {office} office has one seat")
    if not candidates:
        raise InvalidValue("election.candidates", "at least one candidate")
    if len(set(candidates)) != len(candidates):
        raise InvalidValue("election.candidates", "each candidate is named once")
