"""Views of one organisation or fund as they stood at a moment (recorded time, ``as_of``)
or by business date (``on``), computed on demand in the shape of the live views."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.audit.conftest import Clock
from tests.conftest import Api, assert_problem


def view(api: Api, path: str, **params: Any) -> dict[str, Any]:
    response = api.client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def live(api: Api, path: str, position: int, **params: Any) -> dict[str, Any]:
    return view(api, path, min_position=position, **params)


def recorded_times(api: Api, aggregate_id: str) -> list[datetime]:
    events = api.client.get(f"/audit/streams/{aggregate_id}/events").json()["items"]
    return [datetime.fromisoformat(e["recorded_at"]) for e in events]


def just_before(moment: datetime) -> str:
    return (moment - timedelta(seconds=1)).isoformat()


def test_members_as_of_a_moment_are_those_the_live_view_showed_then(api: Api, clock: Clock) -> None:
    org = api.organisation()
    chair = api.member(org, role="chair")
    clock.advance(days=1)
    api.member(org)
    shown_then = live(api, f"/views/organisations/{org}/members", api.store_head())
    clock.advance(days=1)
    api.command(f"/organisations/{org}/members/{chair}/departure", {"reason": "left"})
    api.member(org, role="chair")
    departed_at = recorded_times(api, org)[3]

    then = view(api, f"/views/organisations/{org}/members", as_of=just_before(departed_at))
    now = live(api, f"/views/organisations/{org}/members", api.store_head())

    assert then == shown_then
    assert then["counts"]["by_role"] == {"chair": 1, "member": 1}
    assert now["counts"]["by_role"] == {"chair": 1, "member": 1}
    assert chair not in [m["person_id"] for m in now["items"]]
    assert view(api, f"/views/organisations/{org}/departures", as_of=just_before(departed_at))["items"] == []
    (departure,) = view(api, f"/views/organisations/{org}/departures", as_of=clock.now.isoformat())["items"]
    assert departure["person_id"] == chair


def test_members_as_of_a_moment_come_in_pages_like_the_live_view(api: Api, clock: Clock) -> None:
    org = api.organisation()
    people = [api.member(org) for _ in range(5)]
    moment = clock.now.isoformat()
    clock.advance(minutes=1)
    api.member(org)

    seen, cursor = [], None
    while True:
        page = view(
            api,
            f"/views/organisations/{org}/members",
            as_of=moment,
            limit=2,
            **({"cursor": cursor} if cursor else {}),
        )
        seen += [m["person_id"] for m in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break

    assert seen == sorted(people)


def test_a_fund_as_of_a_moment_equals_the_live_fund_view_then(api: Api, clock: Clock) -> None:
    fund = api.fund(approvals_required=1)
    api.donate(fund, 800_000, purpose="elderly_care")
    clock.advance(hours=1)
    disbursement = api.disbursement(fund, 300_000)
    api.approve(fund, disbursement)
    position = api.store_head()
    fund_then = live(api, f"/views/funds/{fund}", position)
    ledger_then = live(api, f"/views/funds/{fund}/ledger", position)
    clock.advance(hours=1)
    api.pay(fund, disbursement)
    api.donate(fund, 5_000)
    paid_at = recorded_times(api, fund)[4]

    assert view(api, f"/views/funds/{fund}", as_of=just_before(paid_at)) == fund_then
    assert view(api, f"/views/funds/{fund}/ledger", as_of=just_before(paid_at)) == ledger_then
    assert fund_then["reserved_fen"] == 300_000
    assert [d["id"] for d in fund_then["pending_disbursements"]] == [disbursement]
    assert view(api, f"/views/funds/{fund}", as_of=clock.now.isoformat()) == live(
        api, f"/views/funds/{fund}", api.store_head()
    )


def test_as_of_is_recorded_time_and_on_is_the_business_date(api: Api, clock: Clock) -> None:
    """A donation received on 1 June but entered on 10 June: on 5 June the system did not show
    it, though by business date the fund held it on 1 June."""
    fund = api.fund()
    api.donate(fund, 100_000, received_on="2021-05-20")
    clock.now = datetime.fromisoformat("2021-06-10T10:00:00+08:00")
    api.donate(fund, 40_000, received_on="2021-06-01")
    shown_on_5_june = "2021-06-05T18:00:00+08:00"

    def balance(**params: Any) -> int:
        return int(view(api, f"/views/funds/{fund}", **params)["balance_fen"])

    assert balance(as_of=shown_on_5_june) == 100_000
    assert balance(on="2021-06-01") == 140_000
    assert balance(on="2021-05-31") == 100_000
    assert balance(on="2021-06-01", as_of=shown_on_5_june) == 100_000
    lines = view(api, f"/views/funds/{fund}/ledger", on="2021-05-31")["items"]
    assert [(line["business_date"], line["balance_fen"]) for line in lines] == [("2021-05-20", 100_000)]


def test_a_payment_after_the_business_date_leaves_the_request_approved_on_that_date(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 500_000, received_on="2021-03-01")
    disbursement = api.disbursement(fund, 200_000)
    api.approve(fund, disbursement)
    api.command(f"/funds/{fund}/disbursements/{disbursement}/payment", {"paid_on": "2021-04-15"})

    on_the_eve = view(api, f"/views/funds/{fund}", on="2021-04-14")
    on_the_day = view(api, f"/views/funds/{fund}", on="2021-04-15")

    assert (on_the_eve["balance_fen"], on_the_eve["reserved_fen"], on_the_eve["available_fen"]) == (
        500_000,
        200_000,
        300_000,
    )
    assert (on_the_day["balance_fen"], on_the_day["reserved_fen"], on_the_day["paid_fen"]) == (
        300_000,
        0,
        200_000,
    )


def test_an_organisation_or_fund_that_did_not_exist_yet_is_not_found(api: Api, clock: Clock) -> None:
    fund = api.fund()
    before = just_before(recorded_times(api, fund)[0])
    org = api.get(f"/funds/{fund}")["organisation_id"]

    assert_problem(api.client.get(f"/views/funds/{fund}", params={"as_of": before}), 404)
    assert_problem(api.client.get(f"/views/funds/{fund}/ledger", params={"as_of": before}), 404)
    assert_problem(api.client.get(f"/views/organisations/{org}/members", params={"as_of": before}), 404)
    assert_problem(api.client.get(f"/views/organisations/{org}/departures", params={"as_of": before}), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/views/projects",
        "/views/statistics",
        "/views/status",
        "/views/people/{id}/memberships",
        "/views/projects/{id}",
    ],
)
def test_views_of_many_aggregates_refuse_as_of_naming_those_that_take_it(api: Api, path: str) -> None:
    response = api.client.get(path.format(id=api.person()), params={"as_of": "2021-06-30T23:59:59+08:00"})

    problem = assert_problem(response, 422, "query.as_of")
    assert "/views/funds/{id}/ledger" in problem["detail"]


def test_malformed_moments_and_dates_are_refused_naming_the_field(api: Api) -> None:
    fund = api.fund()

    for as_of in ("2021-06-30T23:59:59", "30/06/2021", ""):
        assert_problem(api.client.get(f"/views/funds/{fund}", params={"as_of": as_of}), 422, "query.as_of")
    assert_problem(
        api.client.get(f"/views/funds/{fund}/ledger", params={"on": "2021-02-30"}), 422, "query.on"
    )


def test_a_moment_pasted_with_its_plus_unencoded_means_that_offset(api: Api, clock: Clock) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    shanghai = (clock.now + timedelta(hours=1)).astimezone(timezone(timedelta(hours=8)))
    encoded = api.client.get(f"/views/funds/{fund}", params={"as_of": shanghai.isoformat()})

    pasted = api.client.get(f"/views/funds/{fund}?as_of={shanghai.isoformat()}")  # "+" arrives as " "

    assert "+08:00" in shanghai.isoformat()
    assert pasted.status_code == 200, pasted.text
    assert pasted.json() == encoded.json()
    assert pasted.json()["balance_fen"] == 10_000
