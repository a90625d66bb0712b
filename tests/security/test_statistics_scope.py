"""Statistics: anyone may read them down to district level; finer figures need a key,
and an integration counts only what lies within its jurisdictions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import uuid4

import pytest

from domain.principals import PrincipalRole
from tests.conftest import ANONYMOUS, assert_problem
from tests.security.worlds import (
    A_DISTRICT,
    A_JURISDICTION,
    B_CITY,
    B_JURISDICTION,
    World,
    integration,
    officer,
)

if TYPE_CHECKING:
    import httpx

    from tests.conftest import Api

PROVINCE = "浙江省"


def statistics(
    api: Api, headers: dict[str, str], jurisdiction: str | None = None, public: bool = False
) -> httpx.Response:
    path = "/public/statistics" if public else "/views/statistics"
    query = "" if jurisdiction is None else f"?jurisdiction={quote(jurisdiction)}"
    return api.client.get(path + query, headers=headers)


def figures(api: Api, jurisdiction: str) -> dict[str, Any]:
    """What an admin counts under a prefix."""
    response = statistics(api, api.headers(), jurisdiction)
    assert response.status_code == 200, response.text
    counted: dict[str, Any] = response.json()["figures"]
    return counted


def counted(api: Api, jurisdiction: str) -> dict[str, Any]:
    """Everything an admin counts under a prefix: the figures and community work's."""
    response = statistics(api, api.headers(), jurisdiction)
    assert response.status_code == 200, response.text
    return {key: value for key, value in response.json().items() if key != "jurisdiction"}


def test_the_two_jurisdictions_count_apart(shared_api: Api, world: World) -> None:
    """So that the tests below tell a count within a prefix from a count beyond it."""
    district, city, province = (
        figures(shared_api, A_DISTRICT),
        figures(shared_api, B_CITY),
        figures(shared_api, PROVINCE),
    )
    assert district and city
    assert district != province != city
    for metric, value in district.items():
        assert province[metric] >= value


# Integrations


def test_an_integration_counts_within_its_own_prefix_when_it_names_none(
    shared_api: Api, world: World
) -> None:
    api = shared_api
    inside = integration(api, "jindong.statistics", A_DISTRICT, scopes=("views:read",))

    answer = statistics(api, inside)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"jurisdiction": A_DISTRICT, **counted(api, A_DISTRICT)}


def test_an_integration_counts_below_its_prefix(shared_api: Api, world: World) -> None:
    api = shared_api
    inside = integration(api, "jindong.statistics2", A_DISTRICT, scopes=("views:read",))

    answer = statistics(api, inside, A_JURISDICTION)

    assert answer.json() == {"jurisdiction": A_JURISDICTION, **counted(api, A_JURISDICTION)}


@pytest.mark.parametrize(
    "beyond",
    [PROVINCE, "浙江省/金华市", B_CITY, B_JURISDICTION, "浙江省/金华市/金东"],
    ids=["province", "city above", "elsewhere", "elsewhere below", "text prefix"],
)
def test_an_integration_counts_nothing_beyond_its_prefix(shared_api: Api, world: World, beyond: str) -> None:
    api = shared_api
    inside = integration(api, f"jindong.statistics-{uuid4().hex[:8]}", A_DISTRICT, scopes=("views:read",))

    assert_problem(statistics(api, inside, beyond), 403, "query.jurisdiction")


def test_an_integration_with_two_prefixes_names_the_one_it_counts(shared_api: Api, world: World) -> None:
    api = shared_api
    both = integration(api, "province.statistics", A_DISTRICT, B_CITY, scopes=("views:read",))

    assert_problem(statistics(api, both), 403, "query.jurisdiction")
    assert_problem(statistics(api, both, PROVINCE), 403, "query.jurisdiction")
    for prefix in (A_DISTRICT, B_CITY):
        assert statistics(api, both, prefix).json()["figures"] == figures(api, prefix)


def test_an_integration_without_the_views_scope_counts_nothing(shared_api: Api, world: World) -> None:
    lacking = integration(shared_api, "jindong.funds-only", A_DISTRICT, scopes=("funds:write",))

    assert_problem(statistics(shared_api, lacking, A_DISTRICT), 403)


# Other roles


def test_dashboards_and_auditors_count_anywhere_officers_not_at_all(shared_api: Api, world: World) -> None:
    api = shared_api
    for role in (PrincipalRole.DASHBOARD, PrincipalRole.AUDITOR):
        key = api.key(f"{role}-statistics", role)
        assert statistics(api, key, PROVINCE).json()["figures"] == figures(api, PROVINCE)
    assert_problem(
        statistics(api, officer(api, "chen.statistics", world.a.organisation), A_JURISDICTION), 403
    )


def test_statistics_need_a_key(shared_api: Api, world: World) -> None:
    answer = statistics(shared_api, ANONYMOUS, A_DISTRICT)

    assert_problem(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


# Public


@pytest.mark.parametrize("jurisdiction", ["", PROVINCE, "浙江省/金华市", A_DISTRICT, f"/{A_DISTRICT}/"])
def test_anyone_reads_statistics_down_to_district_level(
    shared_api: Api, world: World, jurisdiction: str
) -> None:
    api = shared_api

    answer = statistics(api, ANONYMOUS, jurisdiction, public=True)

    assert answer.status_code == 200, answer.text
    assert answer.json()["figures"] == figures(api, jurisdiction.strip("/"))


@pytest.mark.parametrize("jurisdiction", [A_JURISDICTION, B_JURISDICTION, f"{A_DISTRICT}/多"])
def test_finer_public_statistics_are_refused_even_with_a_key(
    shared_api: Api, world: World, jurisdiction: str
) -> None:
    api = shared_api

    assert_problem(statistics(api, ANONYMOUS, jurisdiction, public=True), 403, "query.jurisdiction")
    assert_problem(statistics(api, api.headers(), jurisdiction, public=True), 403, "query.jurisdiction")


@pytest.mark.parametrize(
    "jurisdiction", ["浙江省//金华市/金东区", "浙江省/../..", "浙江省/\u200b/金华市", "\ufeff"]
)
def test_a_malformed_jurisdiction_is_refused_before_any_counting(
    shared_api: Api, world: World, jurisdiction: str
) -> None:
    """An empty or hidden segment cannot slip a finer prefix past the public depth."""
    api = shared_api
    inside = integration(api, "jindong.statistics.malformed", A_DISTRICT, scopes=("views:read",))

    for headers, public in (
        (ANONYMOUS, True),
        (api.headers(), True),
        (api.headers(), False),
        (inside, False),
    ):
        assert_problem(statistics(api, headers, jurisdiction, public), 422, "query.jurisdiction")
