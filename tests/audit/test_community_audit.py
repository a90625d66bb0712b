"""Community work is audited like everything else: each stream's history and past states,
and a changed points book or dividend is caught by verification."""

from __future__ import annotations

from typing import Any

from infra.audit.report import Kind
from infra.settings import Settings
from tests.audit.tampering import Tamperer, audit, audit_settings, auditor_api, seal
from tests.conftest import Api

__all__ = ["audit_settings", "auditor_api"]  # fixtures

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


def points_story(api: Api) -> dict[str, Any]:
    team = api.organisation("mutual_aid_association", "新居民服务中队", VILLAGE)
    villager = api.member(team)
    adjusted = api.command(
        f"/organisations/{team}/points/adjustments",
        {"person_id": villager, "points": 30, "reason": "tidy_yard"},
        status=201,
    )
    api.command(
        f"/organisations/{team}/points/redemptions",
        {"person_id": villager, "points": 10, "reward": "毛巾"},
        status=201,
    )
    dividend = api.command(
        f"/organisations/{team}/dividends", {"total_fen": 1_000, "points_share": 0.5}, status=201
    )
    return {"team": team, "book": adjusted["id"], "dividend": dividend["id"]}


def test_a_points_book_has_a_history_and_past_states(auditor_api: Api) -> None:
    story = points_story(auditor_api)

    history = auditor_api.read(f"/audit/streams/{story['book']}/events").json()
    assert [item["type"] for item in history["items"]] == [
        "PointsBook.Opened",
        "PointsBook.Adjusted",
        "PointsBook.Redeemed",
    ]
    assert all(item["hash"] for item in history["items"])
    past = auditor_api.read(f"/audit/streams/{story['book']}/state?version=2").json()
    assert (past["aggregate_type"], past["state"]["version"]) == ("pointsbook", 2)
    dividend = auditor_api.read(f"/audit/streams/{story['dividend']}/state").json()
    assert dividend["state"]["total_fen"] == 1_000


def test_a_changed_redemption_is_caught(auditor_api: Api, audit_settings: Settings) -> None:
    story = points_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    redemption = dba.positions(story["book"])[2]
    state = dba.event(redemption)[3]
    assert b'"points":10' in state
    dba.set_state(redemption, state.replace(b'"points":10', b'"points":1'))

    report = audit(auditor_api)

    assert report.failure is not None
    assert (report.failure.kind, report.failure.position) == (Kind.MODIFIED, redemption)
