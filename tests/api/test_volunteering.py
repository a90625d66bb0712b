"""Volunteer activities, service confirmed by another officer, points and dividends over
HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Api

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"


def view(api: Api, path: str, position: int, **params: Any) -> dict[str, Any]:
    response = api.client.get(path, params={"min_position": position, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def officer(api: Api, actor: str, organisation: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(actor, organisation)}"}


def team(api: Api) -> str:
    return api.organisation("mutual_aid_association", "皂林村新居民服务中队", VILLAGE)


def activity(api: Api, organisation: str, **fields: Any) -> str:
    body = {"title": "垃圾分类宣传", "category": "environment", "held_on": "2024-04-01", **fields}
    return api.command(f"/organisations/{organisation}/activities", body, status=201)["id"]


def serve(api: Api, activity_id: str, person: str, minutes: int, actor: str = "recorder") -> str:
    body = {"person_id": person, "minutes": minutes}
    organisation = api.get(f"/activities/{activity_id}")["organisation_id"]
    path = f"/activities/{activity_id}/service"
    accepted = api.command(path, body, status=201, headers=officer(api, actor, organisation))
    return str(accepted["service_id"])


def test_service_counts_once_another_officer_confirms_it(api: Api) -> None:
    organisation = team(api)
    volunteer = api.member(organisation)
    activity_id = activity(api, organisation)
    service_id = serve(api, activity_id, volunteer, 90)
    confirm = f"/activities/{activity_id}/service/{service_id}/confirmation"

    book = api.get(f"/organisations/{organisation}/points")
    assert [s["id"] for s in book["pending_service"]] == [service_id]
    api.refuses(confirm, status=409, headers=officer(api, "recorder", organisation))
    api.refuses(confirm, status=403)  # an admin is not one of the organisation's officers
    done = api.command(confirm, headers=officer(api, "secretary", organisation))
    assert done["points"] == 15
    api.refuses(confirm, status=409, headers=officer(api, "another", organisation))

    statement = view(api, f"/views/organisations/{organisation}/points/{volunteer}", done["position"])
    assert (statement["earned"], statement["balance"]) == (15, 15)
    assert [(line["cause"], line["points"], line["activity_id"]) for line in statement["items"]] == [
        ("service", 15, activity_id)
    ]
    volunteers = view(api, f"/views/organisations/{organisation}/volunteers", done["position"])
    assert (volunteers["volunteers"], volunteers["hours"]) == (1, 1.5)
    assert volunteers["items"] == [{"person_id": volunteer, "hours": 1.5, "points_earned": 15}]


def test_points_are_added_and_deducted_for_the_organisations_reasons_and_redeemed_within_the_balance(
    api: Api,
) -> None:
    organisation = team(api)
    villager = api.member(organisation)
    points = f"/organisations/{organisation}/points"

    added = api.command(
        f"{points}/adjustments", {"person_id": villager, "points": 30, "reason": "tidy_yard"}, status=201
    )
    assert (added["balance"], added["below_zero"]) == (30, False)
    api.command(
        f"{points}/redemptions", {"person_id": villager, "points": 20, "reward": "大米一袋"}, status=201
    )
    api.refuses(f"{points}/redemptions", {"person_id": villager, "points": 11, "reward": "油"}, status=409)
    body = {"person_id": villager, "points": -50, "reason": "illegal_building", "note": "违建未拆"}
    deducted = api.command(f"{points}/adjustments", body, status=201)
    assert (deducted["balance"], deducted["below_zero"]) == (-40, True)
    api.refuses(
        f"{points}/adjustments",
        {"person_id": villager, "points": 5, "reason": "helped"},
        status=422,
        field="reason",
    )
    api.refuses(
        f"{points}/adjustments",
        {"person_id": villager, "points": 5, "reason": "illegal_building"},
        status=422,
        field="points",
    )

    statement = view(api, f"/views/organisations/{organisation}/points/{villager}", deducted["position"])
    assert {k: statement[k] for k in ("earned", "adjusted", "redeemed", "balance")} == {
        "earned": 0,
        "adjusted": -20,
        "redeemed": 20,
        "balance": -40,
    }
    assert [
        (line["cause"], line["points"], line["reason"], line["balance"]) for line in statement["items"]
    ] == [
        ("adjustment", 30, "tidy_yard", 30),
        ("redemption", -20, "大米一袋", 10),
        ("adjustment", -50, "illegal_building", -40),
    ]


def test_the_organisation_sets_its_rate_and_reasons_and_if_match_names_the_books_version(api: Api) -> None:
    organisation = team(api)
    villager = api.member(organisation)
    points = f"/organisations/{organisation}/points"
    assert api.get(points)["version"] == 0
    settings = {
        "points_per_hour": 20,
        "additions": ["helped_a_neighbour"],
        "deductions": ["illegal_building"],
    }

    api.refuses(f"{points}/settings", settings, status=412, headers={"If-Match": '"3"'})
    changed = api.command(f"{points}/settings", settings, headers={"If-Match": '"0"'})
    assert changed["version"] == 2
    assert api.get(points)["points_per_hour"] == 20
    body = {"person_id": villager, "points": 5, "reason": "helped_a_neighbour"}
    api.refuses(f"{points}/adjustments", body, status=412, headers={"If-Match": '"1"'})
    api.command(f"{points}/adjustments", body, status=201, headers={"If-Match": '"2"'})


def test_a_retried_redemption_is_recorded_once(api: Api) -> None:
    organisation = team(api)
    villager = api.member(organisation)
    points = f"/organisations/{organisation}/points"
    api.command(
        f"{points}/adjustments",
        {"person_id": villager, "points": 10, "reason": "model_household"},
        status=201,
    )
    body = {"person_id": villager, "points": 10, "reward": "毛巾"}
    first = api.command(f"{points}/redemptions", body, status=201, headers={"Idempotency-Key": "redeem-1"})
    again = api.post(f"{points}/redemptions", body, headers={"Idempotency-Key": "redeem-1"})
    assert again.status_code == 201
    assert again.json() == first
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_dividend_is_shared_to_the_fen_and_listed_member_by_member(api: Api) -> None:
    organisation = team(api)
    rich, poor, nobody = api.member(organisation), api.member(organisation), api.member(organisation)
    points = f"/organisations/{organisation}/points"
    api.command(
        f"{points}/adjustments", {"person_id": rich, "points": 30, "reason": "model_household"}, status=201
    )
    api.command(f"{points}/adjustments", {"person_id": poor, "points": 10, "reason": "tidy_yard"}, status=201)
    api.command(
        f"{points}/adjustments", {"person_id": nobody, "points": -5, "reason": "illegal_building"}, status=201
    )

    declared = api.command(
        f"/organisations/{organisation}/dividends", {"total_fen": 100_001, "points_share": 0.4}, status=201
    )

    dividend = api.get(f"/dividends/{declared['id']}")
    assert (dividend["points_fen"], dividend["equal_fen"], dividend["members"], dividend["points_share"]) == (
        40_000,
        60_001,
        3,
        "0.4",
    )
    listed = view(api, f"/views/dividends/{declared['id']}/allocations", declared["position"])
    amounts = {row["person_id"]: row["amount_fen"] for row in listed["items"]}
    assert sum(amounts.values()) == 100_001
    assert amounts == {rich: 50_001, poor: 30_000, nobody: 20_000}
    assert listed["dividend"]["total_fen"] == 100_001


def test_bad_dividends_are_refused_naming_the_field(api: Api) -> None:
    organisation = team(api)
    path = f"/organisations/{organisation}/dividends"
    api.refuses(path, {"total_fen": 100, "points_share": 0.5}, status=409)  # no members yet
    api.member(organisation)
    for body, field in [
        ({"total_fen": 0, "points_share": 0.5}, "total_fen"),
        ({"total_fen": 100, "points_share": 1.5}, "points_share"),
        ({"total_fen": 100, "points_share": 0.5, "as_of": "yesterday"}, "as_of"),
    ]:
        api.refuses(path, body, status=422, field=field)


def test_statistics_count_volunteers_teams_activities_and_confirmed_hours(api: Api) -> None:
    organisation, other = team(api), api.organisation(jurisdiction=VILLAGE)
    first, second = api.member(organisation), api.member(other)
    one, two = activity(api, organisation), activity(api, other, jurisdiction=f"{VILLAGE}/第一网格")
    activity(api, organisation, title="敬老院探访")
    confirmed = serve(api, one, first, 120)
    serve(api, two, second, 60)  # pending: does not count
    api.command(
        f"/activities/{one}/service/{confirmed}/confirmation", headers=officer(api, "checker", organisation)
    )
    last = api.command(
        f"/activities/{two}/service/{serve(api, two, first, 30)}/confirmation",
        headers=officer(api, "checker", other),
    )

    figures = view(api, "/views/statistics", last["position"], jurisdiction=VILLAGE)["community"][
        "volunteering"
    ]
    assert figures == {"volunteers": 1, "teams": 2, "activities": 3, "confirmed_hours": 2.5}
    grid = view(api, "/views/statistics", last["position"], jurisdiction=f"{VILLAGE}/第一网格")
    assert grid["community"]["volunteering"] == {
        "volunteers": 1,
        "teams": 1,
        "activities": 1,
        "confirmed_hours": 0.5,
    }


def test_bad_activities_and_service_are_refused_naming_the_field(api: Api) -> None:
    organisation = team(api)
    activity_id = activity(api, organisation)
    path = f"/organisations/{organisation}/activities"
    for body, field in [
        ({"title": "", "category": "environment"}, "title"),
        ({"title": "清扫", "category": "environment", "jurisdiction": "浙江省/杭州市"}, "jurisdiction"),
        ({"title": "清扫", "category": "environment", "held_on": 20240401}, "held_on"),
    ]:
        api.refuses(path, body, status=422, field=field)
    service = f"/activities/{activity_id}/service"
    for body, field in [
        ({"person_id": api.person(), "minutes": 0}, "minutes"),
        ({"person_id": api.person(), "minutes": 24 * 60 + 1}, "minutes"),
        ({"person_id": "5f0c8a0e-2b1d-4c3e-9f4a-7d6e5c4b3a21", "minutes": 30}, "person_id"),
    ]:
        api.refuses(service, body, status=422, field=field)
