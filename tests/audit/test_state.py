"""An auditor asks what an aggregate looked like at a version or at a moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.audit.conftest import Clock
from tests.conftest import Api, assert_problem


def state(api: Api, aggregate_id: str, **params: Any) -> dict[str, Any]:
    response = api.client.get(f"/audit/streams/{aggregate_id}/state", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def recorded_times(api: Api, aggregate_id: str) -> list[datetime]:
    events = api.client.get(f"/audit/streams/{aggregate_id}/events").json()["items"]
    return [datetime.fromisoformat(e["recorded_at"]) for e in events]


def test_the_state_as_of_a_time_between_two_events_is_the_state_after_the_earlier(
    api: Api, clock: Clock
) -> None:
    fund = api.fund()
    clock.advance(hours=1)
    api.donate(fund, 300_000)
    after_first_gift = api.get(f"/funds/{fund}")
    clock.advance(hours=1)
    api.donate(fund, 50_000)
    first_gift, second_gift = recorded_times(api, fund)[1:3]

    between = state(api, fund, as_of=(first_gift + (second_gift - first_gift) / 2).isoformat())

    assert between["aggregate_type"] == "fund"
    assert between["version"] == 2
    assert between["state"] == after_first_gift
    assert between["state"]["balance_fen"] == 300_000
    assert datetime.fromisoformat(between["recorded_at"]) == first_gift


def test_an_event_recorded_exactly_at_the_moment_counts(api: Api, clock: Clock) -> None:
    fund = api.fund()
    clock.advance(seconds=30)
    api.donate(fund, 100)
    stamped = recorded_times(api, fund)[1]

    assert state(api, fund, as_of=stamped.isoformat())["version"] == 2
    assert state(api, fund, as_of=(stamped - timedelta(microseconds=1)).isoformat())["version"] == 1


def test_a_moment_in_another_offset_means_the_same_instant(api: Api, clock: Clock) -> None:
    fund = api.fund()  # 09:00 UTC
    clock.advance(hours=2)
    api.donate(fund, 100)  # 11:00 UTC, 19:00 in Beijing

    assert state(api, fund, as_of="2021-06-01T18:59:59+08:00")["version"] == 1
    assert state(api, fund, as_of="2021-06-01T19:00:00+08:00")["version"] == 2


def test_the_state_at_each_version_is_what_the_fund_read_then(api: Api) -> None:
    fund = api.fund(approvals_required=2)
    seen = [api.get(f"/funds/{fund}")]
    api.donate(fund, 800_000)
    seen.append(api.get(f"/funds/{fund}"))
    disbursement = api.disbursement(fund, 500_000)
    seen.append(api.get(f"/funds/{fund}"))
    api.approve(fund, disbursement, actor="chair")
    seen.append(api.get(f"/funds/{fund}"))
    api.approve(fund, disbursement, actor="supervisor")
    seen.append(api.get(f"/funds/{fund}"))
    api.pay(fund, disbursement)
    seen.append(api.get(f"/funds/{fund}"))

    for version, then in enumerate(seen, start=1):
        assert state(api, fund, version=version)["state"] == then
    assert state(api, fund)["state"] == seen[-1]
    assert seen[3]["available_fen"] == 800_000
    assert seen[4]["available_fen"] == 300_000


def test_an_organisation_as_of_a_moment_has_the_members_it_had_then(api: Api, clock: Clock) -> None:
    org = api.organisation()
    chair = api.member(org, role="chair")
    clock.advance(days=1)
    member = api.member(org)
    clock.advance(days=1)
    api.command(f"/organisations/{org}/members/{chair}/departure", {"reason": "left"})
    times = recorded_times(api, org)

    before_departure = state(api, org, as_of=(times[-1] - timedelta(hours=1)).isoformat())["state"]

    assert before_departure["status"] == "active"
    assert sorted(m["person_id"] for m in before_departure["members"]) == sorted([chair, member])
    assert [m["person_id"] for m in state(api, org)["state"]["members"]] == [member]


def test_a_person_and_a_project_read_back_in_their_public_form(api: Api) -> None:
    person = api.person("沈国庆", id_number="33048319900101123X")
    project = api.project()
    api.command(f"/projects/{project}/approval")

    assert state(api, person, version=1)["state"] == api.get(f"/people/{person}")
    proposed = state(api, project, version=1)
    assert proposed["aggregate_type"] == "project"
    assert proposed["state"]["status"] == "proposed"
    assert state(api, project)["state"] == api.get(f"/projects/{project}")


def test_states_that_never_were_are_not_found(api: Api, clock: Clock) -> None:
    fund = api.fund()
    opened = recorded_times(api, fund)[0]
    path = f"/audit/streams/{fund}/state"

    future = assert_problem(api.client.get(path, params={"version": 2}), 404)
    assert "version 1" in future["detail"]
    earlier = (opened - timedelta(seconds=1)).isoformat()
    before = assert_problem(api.client.get(path, params={"as_of": earlier}), 404)
    assert "no event recorded" in before["detail"]
    assert_problem(api.client.get("/audit/streams/6f1c2f4e-8a8b-4c1e-9c59-3f7d2b1e0a11/state"), 404)


def test_bad_parameters_are_refused_naming_the_field(api: Api) -> None:
    fund = api.fund()
    path = f"/audit/streams/{fund}/state"

    assert_problem(api.client.get(path, params={"version": 0}), 422, "query.version")
    assert_problem(api.client.get(path, params={"as_of": "2021-06-01T09:00:00"}), 422, "query.as_of")
    assert_problem(api.client.get(path, params={"as_of": "yesterday"}), 422, "query.as_of")
    both = {"version": 1, "as_of": "2021-06-01T09:00:00+00:00"}
    assert_problem(api.client.get(path, params=both), 422, "query.as_of")
    assert_problem(api.client.get("/audit/streams/42/state"), 422, "path.aggregate_id")
