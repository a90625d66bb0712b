"""An auditor reads the whole history of one fund, organisation or person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.audit.conftest import Clock
from tests.conftest import Api, assert_problem


def history(api: Api, aggregate_id: str, **params: Any) -> dict[str, Any]:
    response = api.client.get(f"/audit/streams/{aggregate_id}/events", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def correlated(correlation_id: str) -> dict[str, str]:
    return {"X-Correlation-Id": correlation_id}


def test_the_history_of_a_fund_lists_every_event_with_actor_and_correlation_id(
    api: Api, clock: Clock
) -> None:
    body = {"organisation_id": api.organisation(), "name": "乡贤基金", "purposes": ["elder_care"]}
    opened = api.command("/funds", body, status=201, actor="clerk", headers=correlated("req-open"))
    fund = opened["id"]
    clock.advance(minutes=5)
    donation = {"amount_fen": 500_000, "donor_name": "沈先生", "received_on": "2021-05-30"}
    donated = api.command(
        f"/funds/{fund}/donations", donation, status=201, actor="cashier", headers=correlated("req-gift")
    )
    clock.advance(minutes=5)
    request = {"amount_fen": 200_000, "purpose": "elder_care", "payee": "敬老院"}
    requested = api.command(
        f"/funds/{fund}/disbursements", request, status=201, actor="requester", headers=correlated("req-ask")
    )
    disbursement = requested["disbursement_id"]
    clock.advance(minutes=5)
    approved = api.command(
        f"/funds/{fund}/disbursements/{disbursement}/approvals",
        headers={**api.officer("approver", fund), **correlated("req-yes")},
    )
    clock.advance(minutes=5)
    paid = api.command(
        f"/funds/{fund}/disbursements/{disbursement}/payment",
        {"paid_on": "2021-06-02", "reference": "转账 0042"},
        actor="treasurer",
        headers=correlated("req-pay"),
    )

    read = history(api, fund)

    assert read["aggregate_id"] == fund
    assert read["aggregate_type"] == "fund"
    assert read["version"] == 5
    assert read["next_after_version"] is None
    events = read["items"]
    assert [(e["type"], e["version"]) for e in events] == [
        ("Fund.Opened", 1),
        ("Fund.DonationReceived", 2),
        ("Fund.DisbursementRequested", 3),
        ("Fund.DisbursementApproved", 4),
        ("Fund.DisbursementPaid", 5),
    ]
    commands = [opened, donated, requested, approved, paid]
    assert [e["position"] for e in events] == [c["position"] for c in commands]
    assert [e["actor"] for e in events] == ["clerk", "cashier", "requester", "approver", "treasurer"]
    assert [e["correlation_id"] for e in events] == ["req-open", "req-gift", "req-ask", "req-yes", "req-pay"]
    assert [e["business_date"] for e in events] == [None, "2021-05-30", None, None, "2021-06-02"]
    stamped = [datetime.fromisoformat(e["recorded_at"]) for e in events]
    assert [(t - stamped[0]).total_seconds() for t in stamped] == [0, 300, 600, 900, 1200]
    assert events[1]["payload"]["amount_fen"] == 500_000
    assert events[1]["payload"]["donation_id"] == donated["donation_id"]
    assert events[4]["payload"] == {
        "disbursement_id": disbursement,
        "amount_fen": 200_000,
        "paid_on": "2021-06-02",
        "reference": "转账 0042",
    }
    hashes = [e["hash"] for e in events]
    assert all(len(bytes.fromhex(h)) == 32 for h in hashes)
    assert [e["previous_hash"] for e in events[1:]] == hashes[:-1]
    assert events[0]["previous_hash"] is not None


def test_a_long_history_comes_in_pages_cut_by_version(api: Api) -> None:
    fund = api.fund()
    for amount in range(1, 8):
        api.donate(fund, amount)

    pages, events, after = [], [], 0
    while after is not None:
        page = history(api, fund, after_version=after, limit=3)
        pages.append([e["version"] for e in page["items"]])
        events += page["items"]
        after = page["next_after_version"]

    assert pages == [[1, 2, 3], [4, 5, 6], [7, 8]]
    assert [e["previous_hash"] for e in events[1:]] == [e["hash"] for e in events[:-1]]


def test_a_page_past_the_end_is_empty(api: Api) -> None:
    fund = api.fund()

    page = history(api, fund, after_version=1)

    assert page["items"] == []
    assert page["version"] == 1
    assert page["next_after_version"] is None


def test_an_organisations_history_shows_who_joined_when(api: Api) -> None:
    org = api.organisation()
    person = api.member(org, role="chair", joined_on="2014-03-01")
    api.command(f"/organisations/{org}/members/{person}/departure", {"reason": "left"}, actor="secretary")

    events = history(api, org)["items"]

    assert [e["type"] for e in events] == [
        "Organisation.Registered",
        "Organisation.MemberAdmitted",
        "Organisation.MemberDeparted",
    ]
    assert events[1]["business_date"] == "2014-03-01"
    assert events[1]["payload"]["person_id"] == person
    assert events[2]["actor"] == "secretary"


def test_a_persons_id_number_stays_masked_in_the_history(api: Api) -> None:
    person = api.person("沈国庆", id_number="33048319900101123X")

    (registered,) = history(api, person)["items"]

    assert registered["payload"]["id_number"] == "**************123X"
    assert registered["payload"]["name"] == "沈国庆"


def test_an_unknown_stream_is_not_found_and_a_malformed_id_is_refused(api: Api) -> None:
    assert_problem(api.client.get("/audit/streams/6f1c2f4e-8a8b-4c1e-9c59-3f7d2b1e0a11/events"), 404)
    assert_problem(api.client.get("/audit/streams/not-an-id/events"), 422, "path.aggregate_id")


def test_a_page_is_at_most_500_events(api: Api) -> None:
    fund = api.fund()

    assert_problem(api.client.get(f"/audit/streams/{fund}/events?limit=501"), 422, "query.limit")
    assert_problem(
        api.client.get(f"/audit/streams/{fund}/events?after_version=-1"), 422, "query.after_version"
    )
