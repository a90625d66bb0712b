"""Stories of an organisation's points book: service confirmed by someone else, points
added and deducted for the organisation's reasons, rewards redeemed within the balance."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue, NotFound, SelfApproval
from domain.points import (
    DEFAULT_ADDITIONS,
    DEFAULT_DEDUCTIONS,
    InsufficientPoints,
    PointsBook,
    ServiceAlreadyConfirmed,
    earned,
)

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


def book() -> PointsBook:
    return PointsBook(organisation_id="org")


def with_service(minutes: int = 90) -> PointsBook:
    b = book()
    b.record_service("s1", "act", VILLAGE, "volunteer", minutes, "2024-04-01", "clerk")
    return b


def test_a_book_is_found_from_its_organisation_and_starts_with_the_seed_defaults() -> None:
    b = book()
    assert b.id == PointsBook.id_for("org") != PointsBook.id_for("another")
    assert (b.points_per_hour, b.additions, b.deductions) == (
        10,
        list(DEFAULT_ADDITIONS),
        list(DEFAULT_DEDUCTIONS),
    )


def test_pending_service_does_not_count() -> None:
    assert with_service().balance("volunteer") == 0


def test_confirmed_service_earns_whole_points_at_the_hourly_rate() -> None:
    b = with_service(90)
    assert b.confirm_service("act", "s1", "officer", None) == 15
    assert b.balance("volunteer") == 15
    assert earned(5, 10) == 0


def test_service_is_confirmed_by_someone_other_than_its_recorder_and_its_volunteer() -> None:
    b = with_service()
    with pytest.raises(SelfApproval):
        b.confirm_service("act", "s1", "clerk", None)
    with pytest.raises(SelfApproval):
        b.confirm_service("act", "s1", "volunteer", None)
    with pytest.raises(SelfApproval):
        b.confirm_service("act", "s1", "grid-platform", "volunteer")
    b.confirm_service("act", "s1", "officer", None)
    with pytest.raises(ServiceAlreadyConfirmed):
        b.confirm_service("act", "s1", "another-officer", None)


def test_service_of_another_activity_is_not_found() -> None:
    with pytest.raises(NotFound):
        with_service().confirm_service("other-activity", "s1", "officer", None)


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1, True])
def test_service_lasts_between_a_minute_and_a_day(minutes: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        book().record_service("s1", "act", VILLAGE, "p", minutes, "2024-04-01", "clerk")
    assert refused.value.field == "minutes"


def test_additions_and_deductions_follow_the_reasons_list() -> None:
    b = book()
    assert b.adjust("p", 20, "tidy_yard", None, "2024-04-02") == 20
    assert b.adjust("p", -50, "illegal_building", "违建未拆", "2024-04-03") == -30
    with pytest.raises(InvalidValue) as wrong_sign:
        b.adjust("p", 10, "illegal_building", None, "2024-04-03")
    assert wrong_sign.value.field == "points"
    with pytest.raises(InvalidValue) as unknown:
        b.adjust("p", 10, "helped_a_neighbour", None, "2024-04-03")
    assert unknown.value.field == "reason"
    with pytest.raises(InvalidValue):
        b.adjust("p", 0, "tidy_yard", None, "2024-04-03")


def test_a_redemption_never_takes_a_balance_below_zero() -> None:
    b = book()
    b.adjust("p", 30, "civilised_family", None, "2024-04-02")
    assert b.redeem("p", 30, "大米一袋", "2024-04-03") == 0
    with pytest.raises(InsufficientPoints):
        b.redeem("p", 1, "肥皂", "2024-04-03")
    b.adjust("p", -5, "not_sorting_rubbish", None, "2024-04-04")
    with pytest.raises(InsufficientPoints):
        b.redeem("p", 1, "肥皂", "2024-04-05")
    assert b.balance("p") == -5


def test_the_organisation_sets_the_rate_and_its_reasons() -> None:
    b = with_service(60)
    b.change_settings(20, ["helped_a_neighbour"], ["illegal_building"])
    assert b.confirm_service("act", "s1", "officer", None) == 20
    b.adjust("volunteer", 5, "helped_a_neighbour", None, "2024-04-02")
    with pytest.raises(InvalidValue):
        b.adjust("volunteer", 5, "tidy_yard", None, "2024-04-02")


@pytest.mark.parametrize(
    ("rate", "additions", "deductions", "field"),
    [
        (-1, [], [], "points_per_hour"),
        (10, ["a", "a"], [], "additions"),
        (10, ["a"], ["a"], "deductions"),
        (10, [" "], [], "additions"),
    ],
)
def test_settings_are_checked(rate: int, additions: list[str], deductions: list[str], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        book().change_settings(rate, additions, deductions)
    assert refused.value.field == field


def test_a_balance_can_be_read_as_of_a_day() -> None:
    b = with_service(60)
    b.confirm_service("act", "s1", "officer", None)  # dated the activity's day, 2024-04-01
    b.adjust("volunteer", 5, "tidy_yard", None, "2024-05-01")
    assert b.balances_on("2024-03-31") == {"volunteer": 0}
    assert b.balances_on("2024-04-30") == {"volunteer": 10}
    assert b.balances_on("2024-05-01") == {"volunteer": 15}
