"""Points dividends (股份+积分分红): a sum shared among an organisation's members, part
pro rata to their points balance on a day, the rest equally.

The equal part is a simple stand-in for shares: every member holds one. Amounts are
exact fen, allocated by the largest-remainder method, so the parts add up to the total
to the fen. Ties are broken deterministically: a larger remainder first, then more
points, then the person id; the equal part's extra fen go first to members with more
points, so that more points never mean less money.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from operator import itemgetter

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleViolation

MAX_TOTAL_FEN = 10**13


class NoMembers(RuleViolation):
    title = "The organisation has no members to pay"


@dataclass(frozen=True)
class Allocation:
    person_id: str
    points: int
    points_fen: int
    equal_fen: int

    @property
    def amount_fen(self) -> int:
        return self.points_fen + self.equal_fen


def share_of(points_share: float | str | Decimal) -> Fraction:
    """The points share as an exact fraction in [0, 1], from its decimal writing."""
    if isinstance(points_share, bool):
        raise InvalidValue("points_share", "must be a number between 0 and 1")
    try:
        share = Fraction(Decimal(str(points_share)))
    except (InvalidOperation, ValueError):
        raise InvalidValue("points_share", "must be a number between 0 and 1") from None
    if not 0 <= share <= 1:
        raise InvalidValue("points_share", "must be between 0 and 1")
    return share


def split(total_fen: int, share: Fraction) -> tuple[int, int]:
    """The points part (rounded down to the fen) and the equal part of the total."""
    points_pot = total_fen * share.numerator // share.denominator
    return points_pot, total_fen - points_pot


def allocate(total_fen: int, share: Fraction, balances: dict[str, int]) -> list[Allocation]:
    """Each member's part, in person id order. ``balances`` holds every member and their
    points; nobody with a balance at or below zero takes a points part. With no points
    anywhere, the whole total is shared equally."""
    if not balances:
        raise NoMembers("no members to share the dividend among")
    people = sorted(balances)
    held = [balances[p] for p in people]
    points = [max(h, 0) for h in held]
    points_pot, equal_pot = split(total_fen, share)
    weight = sum(points)
    if weight == 0:
        points_pot, equal_pot = 0, total_fen
    points_fen = _largest_remainder(points_pot, points, weight) if weight else [0] * len(people)
    equal_fen = _largest_remainder(equal_pot, [1] * len(people), len(people), held)
    return [
        Allocation(p, balances[p], pf, ef) for p, pf, ef in zip(people, points_fen, equal_fen, strict=True)
    ]


def _largest_remainder(pot: int, weights: list[int], total: int, rank: list[int] | None = None) -> list[int]:
    """``pot`` fen in proportion to ``weights`` (which sum to ``total``): each its whole
    fen, then one more fen for each of the largest remainders (ties: larger ``rank``
    first, then the earlier index)."""
    rank = rank or weights
    parts = []
    remainders = []
    for index, w in enumerate(weights):
        whole, remainder = divmod(pot * w, total)
        parts.append(whole)
        if remainder:
            remainders.append((remainder, rank[index], -index))
    left = pot - sum(parts)
    for _, _, negative_index in heapq.nlargest(left, remainders, key=itemgetter(0, 1, 2)):
        parts[-negative_index] += 1
    return parts


class Dividend(Aggregate):
    """One dividend, its whole allocation recorded by one event."""

    @classmethod
    def declare(
        cls,
        organisation_id: str,
        total_fen: int,
        points_share: float | str,
        as_of: str,
        balances: dict[str, int],
    ) -> Dividend:
        if (
            isinstance(total_fen, bool)
            or not isinstance(total_fen, int)
            or not 0 < total_fen <= MAX_TOTAL_FEN
        ):
            raise InvalidValue("total_fen", "must be a positive whole number of fen")
        share = share_of(points_share)
        allocations = allocate(total_fen, share, balances)
        points_pot = sum(a.points_fen for a in allocations)
        rows: list[list[str | int]] = [
            [a.person_id, a.points, a.points_fen, a.equal_fen] for a in allocations
        ]
        written = format(Decimal(str(points_share)), "f")
        return cls(organisation_id, total_fen, written, as_of, points_pot, rows)

    @event("Declared")
    def __init__(
        self,
        organisation_id: str,
        total_fen: int,
        points_share: str,
        as_of: str,
        points_fen: int,
        allocations: list[list[str | int]],
    ) -> None:
        self.organisation_id = organisation_id
        self.total_fen = total_fen
        self.points_share = points_share
        self.as_of = as_of
        self.points_fen = points_fen
        self.allocations = allocations

    @property
    def members(self) -> int:
        return len(self.allocations)
