"""Offices of an organisation, the terms their holders serve, and elections' counts."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Office(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    STANDING_MEMBER = "standing_member"


SINGLE_SEAT = frozenset({Office.CHAIR, Office.SECRETARY, Office.TREASURER})
MAX_SEATS = 50


@dataclass
class Term:
    office: str
    person_id: str
    term_start: str
    term_end: str
    motion_id: str
    ended_on: str | None = None
    """When a later election handed the office over (None while it has not)."""

    def current_on(self, day: str) -> bool:
        """Held on ``day``: not handed over, and not past its end."""
        return self.ended_on is None and self.term_start <= day <= self.term_end


def term_end(start: str, months: int) -> str:
    """The last day of a term of ``months`` months from ``start`` (the day before the
    same day ``months`` later, or before the month's last day when it has no such day)."""
    first = date.fromisoformat(start)
    month_index = first.month - 1 + months
    year, month = first.year + month_index // 12, month_index % 12 + 1
    day = min(first.day, monthrange(year, month)[1])
    return (date(year, month, day) - timedelta(days=1)).isoformat()


def consecutive_terms(elections: Sequence[tuple[str, Sequence[str]]], office: str, person_id: str) -> int:
    """How many of the office's latest elections in a row (``elections``: each office
    and whom it elected, oldest first) elected the person."""
    count = 0
    for elected_office, elected in reversed(elections):
        if elected_office != office:
            continue
        if person_id not in elected:
            break
        count += 1
    return count


def elect(
    candidates: Sequence[str], votes: dict[str, int], seats: int, passes: Callable[[int], bool]
) -> list[str]:
    """The candidates elected: the ``seats`` with most votes, each with votes that
    ``passes``; when candidates tie for the last seat, it stays vacant. Ties elsewhere
    are ordered as the candidates were named."""
    qualified = sorted(
        (c for c in candidates if passes(votes.get(c, 0))),
        key=lambda c: (-votes.get(c, 0), candidates.index(c)),
    )
    if len(qualified) > seats and votes[qualified[seats - 1]] == votes[qualified[seats]]:
        boundary = votes[qualified[seats]]
        return [c for c in qualified[:seats] if votes[c] > boundary]
    return qualified[:seats]
