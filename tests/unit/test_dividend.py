"""Points dividends: exact fen by the largest remainder, whatever the numbers."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dividend import Dividend, NoMembers, allocate, share_of, split
from domain.errors import InvalidValue

balances_st = st.dictionaries(
    st.uuids().map(str), st.integers(min_value=-500, max_value=10_000), min_size=1, max_size=60
)
totals = st.integers(min_value=1, max_value=10**11)
shares = st.fractions(min_value=0, max_value=1, max_denominator=1000)


@given(totals, shares, balances_st)
def test_the_parts_add_up_to_the_total_to_the_fen(
    total: int, share: Fraction, balances: dict[str, int]
) -> None:
    allocations = allocate(total, share, balances)
    assert sum(a.amount_fen for a in allocations) == total
    assert [a.person_id for a in allocations] == sorted(balances)


@given(totals, shares, balances_st)
def test_nobody_gets_a_negative_amount(total: int, share: Fraction, balances: dict[str, int]) -> None:
    assert all(a.points_fen >= 0 and a.equal_fen >= 0 for a in allocate(total, share, balances))


@given(totals, shares, balances_st)
def test_more_points_never_mean_less_money(total: int, share: Fraction, balances: dict[str, int]) -> None:
    allocations = sorted(allocate(total, share, balances), key=lambda a: a.points)
    for fewer, more in itertools.pairwise(allocations):
        if more.points > fewer.points:
            assert more.amount_fen >= fewer.amount_fen


@given(totals, shares, balances_st)
def test_no_points_share_without_a_positive_balance(
    total: int, share: Fraction, balances: dict[str, int]
) -> None:
    for allocation in allocate(total, share, balances):
        if allocation.points <= 0:
            assert allocation.points_fen == 0


@given(totals, shares, balances_st)
def test_equal_parts_differ_by_at_most_a_fen(total: int, share: Fraction, balances: dict[str, int]) -> None:
    equal = [a.equal_fen for a in allocate(total, share, balances)]
    assert max(equal) - min(equal) <= 1


@given(totals, shares, balances_st)
def test_the_allocation_is_the_same_every_time_whatever_the_order(
    total: int, share: Fraction, balances: dict[str, int]
) -> None:
    reversed_order = dict(reversed(list(balances.items())))
    assert allocate(total, share, balances) == allocate(total, share, reversed_order)


def test_ties_go_to_more_points_then_to_the_earlier_id() -> None:
    # 10 fen, all to points: 1/3 each of 10 is 3 remainder 1; one fen left over, to "a".
    allocations = allocate(10, Fraction(1), {"c": 5, "b": 5, "a": 5})
    assert [(a.person_id, a.amount_fen) for a in allocations] == [("a", 4), ("b", 3), ("c", 3)]
    # The equal part's extra fen go to more points first.
    allocations = allocate(4, Fraction(0), {"a": 1, "b": 9, "c": 3})
    assert [a.amount_fen for a in allocations] == [1, 2, 1]


def test_the_seed_dividend_shares_pro_rata_and_equally() -> None:
    # 1,000.00 yuan, 40% by points: 400 yuan in 3:1, 600 yuan in two.
    allocations = allocate(100_000, Fraction(2, 5), {"a": 300, "b": 100})
    assert [(a.points_fen, a.equal_fen) for a in allocations] == [(30_000, 30_000), (10_000, 30_000)]


def test_with_no_points_anywhere_everything_is_shared_equally() -> None:
    allocations = allocate(101, Fraction(1), {"a": 0, "b": -4})
    assert [a.amount_fen for a in allocations] == [51, 50]


def test_a_dividend_needs_members() -> None:
    with pytest.raises(NoMembers):
        allocate(100, Fraction(1, 2), {})


@pytest.mark.parametrize("share", ["1.5", "-0.1", "half", True])
def test_the_points_share_lies_between_0_and_1(share: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        share_of(share)  # type: ignore[arg-type]
    assert refused.value.field == "points_share"


def test_the_points_share_is_read_exactly_from_its_decimal_writing() -> None:
    assert share_of(0.1) == Fraction(1, 10)
    assert split(999, Fraction(1, 10)) == (99, 900)


def test_one_event_records_the_whole_allocation() -> None:
    dividend = Dividend.declare("org", 1_000, 0.5, "2024-06-30", {"a": 3, "b": 1, "c": 0})
    (declared,) = dividend.collect_events()
    assert declared.allocations == [["a", 3, 375, 167], ["b", 1, 125, 167], ["c", 0, 0, 166]]  # type: ignore[attr-defined]
    assert (dividend.points_fen, dividend.points_share, dividend.members) == (500, "0.5", 3)


@pytest.mark.parametrize("total", [0, -1, True, 10**14])
def test_a_dividend_shares_a_positive_total(total: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        Dividend.declare("org", total, 0.5, "2024-06-30", {"a": 1})
    assert refused.value.field == "total_fen"
