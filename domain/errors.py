"""Domain errors: what the rules refuse, named for the rule."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the domain makes."""

    title = "Domain rule violated"


class InvalidValue(DomainError):
    """A value that no aggregate would accept, whatever its state."""

    title = "Invalid value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(DomainError):
    title = "Not found"

    def __init__(self, kind: str, identifier: object) -> None:
        super().__init__(f"No {kind} with id {identifier}")
        self.kind = kind
        self.identifier = identifier


class RuleViolation(DomainError):
    """A command that the aggregate's current state refuses (HTTP 409)."""


class IllegalTransition(RuleViolation):
    title = "Illegal state transition"


class AlreadyMember(RuleViolation):
    title = "Already a member"


class NotMember(RuleViolation):
    title = "Not a member"


class ChairTaken(RuleViolation):
    title = "The organisation already has an active chair"


class RoleUnchanged(RuleViolation):
    title = "The member already holds that role"


class NotCoordinationCouncil(RuleViolation):
    title = "Only a coordination council takes member organisations"


class OrganisationInactive(RuleViolation):
    title = "Organisation is not active"


class AlreadyErased(RuleViolation):
    title = "The person's details were already erased"


class InsufficientFunds(RuleViolation):
    title = "Insufficient available balance"


class UnknownPurpose(RuleViolation):
    title = "Purpose not among the fund's purposes"


class SelfApproval(RuleViolation):
    title = "The requester cannot approve their own request"


class DuplicateApproval(RuleViolation):
    title = "This actor has already approved the request"


class VersionMismatch(DomainError):
    """The caller's expected version (If-Match) is no longer current."""

    title = "Precondition failed"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"Expected version {expected}, current version is {actual}")
        self.expected = expected
        self.actual = actual


class ConcurrencyConflict(DomainError):
    """Concurrent writers kept winning the race for the same aggregate."""

    title = "Concurrent modification"


class IdempotencyKeyReused(DomainError):
    """The same idempotency key was sent with a different request."""

    title = "Idempotency key reused with a different request"


class MeetingInquorate(RuleViolation):
    title = "The meeting is inquorate and takes no motions"


class AlreadyVoted(RuleViolation):
    title = "This person has already voted on the motion"


class MotionsOpen(RuleViolation):
    title = "A motion of the meeting is still open"


class TermLimitReached(RuleViolation):
    title = "The candidate has held the office for the consecutive terms the rules allow"


class ResolutionRequired(RuleViolation):
    """A disbursement above the fund's limit (or a rules change) without a passed resolution
    that covers it; the detail names the reason (missing, unknown, not passed, another
    fund or purpose, exhausted)."""

    title = "A passed resolution is required"


class NotInOffice(RuleViolation):
    title = "The person holds no current office in the organisation"


class OfficeByElection(RuleViolation):
    title = "The organisation fills this office by election, not by the role command"
