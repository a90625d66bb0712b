"""An organisation's governance rules: quorum, majorities, terms of office.

Every threshold is a fraction of a whole (the electorate for the quorum, those
present for a majority), met by reaching it (``inclusive``) or only by passing
it. Rules travel in events as plain dictionaries (``as_dict``/``from_dict``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from domain.errors import InvalidValue

MAX_TERM_MONTHS = 120
MAX_TERM_LIMIT = 10


@dataclass(frozen=True)
class Threshold:
    numerator: int
    denominator: int
    inclusive: bool

    def met(self, count: int, whole: int) -> bool:
        """Whether ``count`` of ``whole`` reaches the fraction (or passes it, if not inclusive)."""
        if whole <= 0:
            return False
        if self.inclusive:
            return count * self.denominator >= self.numerator * whole
        return count * self.denominator > self.numerator * whole

    @classmethod
    def checked(cls, field: str, value: Any) -> Threshold:
        if not isinstance(value, dict) or set(value) != {"numerator", "denominator", "inclusive"}:
            raise InvalidValue(field, "give numerator, denominator and inclusive")
        numerator, denominator, inclusive = value["numerator"], value["denominator"], value["inclusive"]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (numerator, denominator)):
            raise InvalidValue(field, "numerator and denominator are whole numbers")
        if not isinstance(inclusive, bool):
            raise InvalidValue(field, "inclusive is true or false")
        if not 0 < numerator < denominator <= 100:
            raise InvalidValue(field, "a fraction between 0 and 1, with a denominator of at most 100")
        return cls(numerator, denominator, inclusive)


MORE_THAN_HALF = Threshold(1, 2, False)
TWO_THIRDS = Threshold(2, 3, True)


@dataclass(frozen=True)
class GovernanceRules:
    quorum: Threshold = MORE_THAN_HALF
    """Of the electorate, present."""
    ordinary_majority: Threshold = MORE_THAN_HALF
    """Of those present, yes (for an election: votes for each candidate elected)."""
    special_majority: Threshold = TWO_THIRDS
    """Of those present, yes, for special motions (rules changes, dissolution)."""
    term_months: int = 36
    term_limit: int = 2
    """Consecutive terms one person may hold an office."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> GovernanceRules:
        """Rules as given (in a command or an event), each field checked and named when wrong."""
        unknown = set(value) - set(cls.__dataclass_fields__)
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "not a governance rule")
        term_months = value.get("term_months", 36)
        term_limit = value.get("term_limit", 2)
        if not isinstance(term_months, int) or isinstance(term_months, bool):
            raise InvalidValue("term_months", "a whole number of months")
        if not 1 <= term_months <= MAX_TERM_MONTHS:
            raise InvalidValue("term_months", f"between 1 and {MAX_TERM_MONTHS}")
        if not isinstance(term_limit, int) or isinstance(term_limit, bool):
            raise InvalidValue("term_limit", "a whole number of terms")
        if not 1 <= term_limit <= MAX_TERM_LIMIT:
            raise InvalidValue("term_limit", f"between 1 and {MAX_TERM_LIMIT}")
        defaults = cls()
        return cls(
            quorum=_threshold(value, "quorum", defaults.quorum),
            ordinary_majority=_threshold(value, "ordinary_majority", defaults.ordinary_majority),
            special_majority=_threshold(value, "special_majority", defaults.special_majority),
            term_months=term_months,
            term_limit=term_limit,
        )


def _threshold(value: dict[str, Any], field: str, default: Threshold) -> Threshold:
    return Threshold.checked(field, value[field]) if field in value else default


DEFAULT_RULES = GovernanceRules()
