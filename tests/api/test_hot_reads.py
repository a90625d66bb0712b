"""The dashboards' hottest reads (a fund's view, the statistics, a fund) are answered by a
lane in front of the routes: its answers are the routes' own, and whatever it does not
answer in full (no key, a refusal, an unknown id) the route answers as ever.

A query string sends a read past the lane to its route, so each pair below compares the two."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from api.hot_reads import Answers, Encoded, HotReads
from domain.principals import PrincipalRole
from tests.conftest import assert_problem

if TYPE_CHECKING:
    from tests.conftest import Api

ROUTE = "?by=route"
"""A query string the routes ignore."""


@pytest.fixture
def story(api: Api) -> tuple[str, str, int]:
    """An organisation's fund with a donation and a pending disbursement; the position
    of the last event, which every view has applied."""
    organisation = api.organisation()
    fund = api.fund(organisation)
    api.donate(fund, 50_000)
    accepted = api.command(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 20_000, "purpose": "elderly_care", "payee": "敬老院"},
        status=201,
    )
    api.read(f"/views/funds/{fund}?min_position={accepted['position']}")
    return organisation, fund, accepted["position"]


def through_the_lane(api: Api, path: str, headers: dict[str, str]) -> int | None:
    """The status the lane answers ``path`` with, or None when it passes the request on."""
    sent: list[dict[str, Any]] = []
    passed: list[str] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        passed.append(scope["path"])

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "client": ("127.0.0.1", 50000),
        "app": api.client.app,
    }
    asyncio.run(HotReads(route)(scope, receive, send))
    return None if passed else int(sent[0]["status"])


def pair(api: Api, path: str, headers: dict[str, str] | None = None) -> tuple[httpx.Response, httpx.Response]:
    sent = headers or api.headers()
    return api.client.get(path, headers=sent), api.client.get(path + ROUTE, headers=sent)


@pytest.mark.parametrize("path", ["/views/funds/{fund}", "/funds/{fund}", "/views/statistics"])
def test_the_lane_answers_as_the_route_does(api: Api, story: tuple[str, str, int], path: str) -> None:
    organisation, fund, _ = story
    for headers in (api.headers(), {"Authorization": f"Bearer {api.token('officer', organisation)}"}):
        if path == "/views/statistics" and headers != api.headers():
            headers = api.key("screen", PrincipalRole.DASHBOARD)
        lane, route = pair(api, path.format(fund=fund), headers)

        assert through_the_lane(api, path.format(fund=fund), headers) == 200
        assert lane.status_code == route.status_code == 200, (lane.text, route.text)
        assert lane.json() == route.json()
        assert lane.headers.get("ETag") == route.headers.get("ETag")
        assert lane.headers["content-type"].startswith("application/json")


def test_a_fund_the_client_holds_is_not_sent_again(api: Api, story: tuple[str, str, int]) -> None:
    _, fund, _ = story
    tag = api.read(f"/funds/{fund}").headers["ETag"]

    def holding(path: str, held: str) -> httpx.Response:
        return api.client.get(path, headers=api.headers(headers={"If-None-Match": held}))

    for path in (f"/funds/{fund}", f"/funds/{fund}{ROUTE}"):
        unchanged, weak, stale = holding(path, tag), holding(path, f"W/{tag}"), holding(path, '"1"')

        assert unchanged.status_code == weak.status_code == 304
        assert unchanged.content == b""
        assert unchanged.headers["ETag"] == tag
        assert stale.status_code == 200
        assert stale.json()["id"] == fund

    api.donate(fund, 100)
    changed = holding(f"/funds/{fund}", tag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_refusals_are_the_routes_problems(api: Api, story: tuple[str, str, int]) -> None:
    _, fund, _ = story
    other = api.organisation(name="梧桐街道居民议事会")
    stranger = {"Authorization": f"Bearer {api.token('stranger', other)}"}
    secret, record = api.client.app.state.keys.create("retired", PrincipalRole.ADMIN)
    retired = {"Authorization": f"Bearer {secret}"}
    assert api.client.get(f"/funds/{fund}", headers=retired).status_code == 200
    api.client.app.state.keys.revoke(record.id)

    refused: list[tuple[str, dict[str, str], int]] = []
    for path in (f"/views/funds/{fund}", f"/funds/{fund}", "/views/statistics"):
        refused += [(path, {"Authorization": ""}, 401), (path, retired, 401)]
    for path in (f"/views/funds/{fund}", f"/funds/{fund}"):
        unknown = path.replace(fund, "00000000-0000-4000-8000-000000000000")
        refused += [(path, stranger, 404), (unknown, api.headers(), 404)]
    refused.append((f"/funds/{fund}", api.key("screen", PrincipalRole.DASHBOARD), 403))

    for path, headers, status in refused:
        assert through_the_lane(api, path, headers) is None, path
        assert_problem(api.client.get(path, headers=headers), status)


def test_the_lanes_reads_are_counted_under_their_routes(api: Api, story: tuple[str, str, int]) -> None:
    _, fund, _ = story
    for _ in range(3):
        api.read(f"/views/funds/{fund}")

    metrics = api.read("/metrics").text

    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("gongzhi_http_requests_total")
        and 'route="/views/funds/{fund_id}"' in line
        and 'status="200"' in line
    ]
    assert counted
    assert float(counted[0].rsplit(" ", 1)[1]) >= 3


def test_kept_answers_are_given_while_fresh_and_the_least_used_go_first() -> None:
    answers = Answers(size=2)
    answers.put("a", 1, Encoded(b"a1", None))
    answers.put("b", 1, Encoded(b"b1", None))

    assert answers.get("a", 2) is None  # the store reports a change
    assert answers.get("a", 1) == Encoded(b"a1", None)
    answers.put("c", 1, Encoded(b"c1", None))  # "b" was used least recently

    assert (answers.get("a", 1), answers.get("b", 1), answers.get("c", 1)) == (
        Encoded(b"a1", None),
        None,
        Encoded(b"c1", None),
    )
