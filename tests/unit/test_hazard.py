"""Stories of a hazard: found, assigned with a due date, rectified, verified."""

from __future__ import annotations

import pytest

from domain.errors import IllegalTransition, InvalidValue
from domain.hazard import Hazard, HazardClosed

GRID = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村/第三网格"


def hazard() -> Hazard:
    return Hazard.report("org", GRID, "fire", "12幢楼道", "楼道堆放杂物堵塞消防通道", "2024-05-01", None)


def rectified() -> Hazard:
    h = hazard()
    h.assign("p1", "2024-05-10")
    h.rectify("杂物已清理", "2024-05-08")
    return h


def test_a_hazard_is_reported_open() -> None:
    h = hazard()
    assert (h.status, h.jurisdiction, h.category) == ("open", GRID, "fire")


def test_a_hazard_has_a_known_category_and_says_where_and_what() -> None:
    with pytest.raises(InvalidValue) as refused:
        Hazard.report("org", GRID, "ghosts", "12幢", "闹鬼", "2024-05-01", None)
    assert refused.value.field == "category"
    with pytest.raises(InvalidValue) as blank:
        Hazard.report("org", GRID, "gas", " ", "漏气", "2024-05-01", None)
    assert blank.value.field == "location"


def test_rectifying_needs_an_assignment_and_verifying_a_rectification() -> None:
    h = hazard()
    with pytest.raises(IllegalTransition):
        h.rectify("已整改", "2024-05-02")
    with pytest.raises(IllegalTransition):
        h.verify(True, "通过", "2024-05-02")
    with pytest.raises(InvalidValue) as early:
        h.assign("p1", "2024-04-01")
    assert early.value.field == "due_on"


def test_a_passed_verification_closes_it() -> None:
    h = rectified()
    h.verify(True, "复查通过", "2024-05-09")
    assert (h.status, h.closed_on) == ("closed", "2024-05-09")
    with pytest.raises(HazardClosed):
        h.assign("p2", "2024-06-01")


def test_a_failed_verification_reopens_it_for_another_rectification() -> None:
    h = rectified()
    h.verify(False, "仍有杂物", "2024-05-09")
    assert h.status == "assigned"
    h.rectify("再次清理", "2024-05-11")
    h.verify(True, "通过", "2024-05-12")
    assert (h.status, h.rectifications) == ("closed", 2)


def test_a_hazard_past_its_due_date_and_not_closed_is_overdue() -> None:
    h = hazard()
    assert not h.overdue("2024-06-01")
    h.assign("p1", "2024-05-10")
    assert not h.overdue("2024-05-10")
    assert h.overdue("2024-05-11")
    h.rectify("已整改", "2024-05-11")
    h.verify(True, "通过", "2024-05-12")
    assert not h.overdue("2024-06-01")


def test_a_rectified_hazard_awaits_verification_before_a_new_assignment() -> None:
    with pytest.raises(IllegalTransition):
        rectified().assign("p2", "2024-06-01")
