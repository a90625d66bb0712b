"""Abuse and bad input: bodies over the size limit, pages over their cap, keys and addresses
over the rate limit. Each is refused as a problem, and a refused command records nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from api.problems import TooManyRequests
from api.rate_limit import RateLimiter
from domain.principals import PrincipalRole
from infra.settings import Settings, SettingsError, load_settings
from tests.conftest import ANONYMOUS, TEST_MASTER_KEY, Api, assert_problem, serving

LIMIT = 64 * 1024


def over_the_limit() -> bytes:
    return b'{"name": "' + b"x" * LIMIT + b'"}'


# Body size


def test_a_body_over_the_limit_is_refused_before_anything_is_recorded(api: Api) -> None:
    problem = api.refuses("/people", content=over_the_limit(), status=413)

    assert problem["type"] == "/problems/content-too-large"


def test_a_body_without_a_length_is_counted_as_it_streams_in(api: Api) -> None:
    """Chunked: no Content-Length to refuse at once, so the bytes are counted."""
    head = api.store_head()

    def chunks() -> Iterator[bytes]:
        body = over_the_limit()
        yield from (body[i : i + 4096] for i in range(0, len(body), 4096))

    response = api.client.post("/people", content=chunks(), headers={"Content-Type": "application/json"})

    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert_problem(response, 413)
    assert api.store_head() == head


def test_a_body_over_the_limit_is_refused_on_any_route_and_unauthenticated(api: Api) -> None:
    api.refuses(
        "/organisations/00000000-0000-0000-0000-000000000000/suspension",
        status=413,
        method="DELETE",
        content=over_the_limit(),
        anonymous=True,
    )


def test_the_largest_body_the_schemas_allow_fits_in_the_limit(api: Api) -> None:
    """A charter of 20,000 Chinese characters (3 bytes each in UTF-8) is a valid command."""
    api.organisation(charter="章" * 20_000)


def test_the_limit_is_a_setting(settings: Settings) -> None:
    with serving(settings.model_copy(update={"max_body_bytes": 1024})) as api:
        api.refuses("/people", {"name": "王" * 400}, status=413)
        api.person("王" * 100)


# Page sizes


def test_every_list_caps_its_page_size(api: Api) -> None:
    org = api.organisation()
    person = api.member(org)
    fund = api.fund(org)
    dividend = api.command(
        f"/organisations/{org}/dividends", {"total_fen": 100, "points_share": 0}, status=201
    )
    lists = {
        f"/views/organisations/{org}/members": 200,
        f"/views/organisations/{org}/departures": 200,
        f"/views/people/{person}/memberships": 200,
        "/views/projects": 200,
        f"/views/funds/{fund}/ledger": 200,
        f"/audit/streams/{fund}/events": 500,
        f"/views/organisations/{org}/mediation-cases": 200,
        "/views/hazards": 200,
        f"/views/organisations/{org}/volunteers": 200,
        f"/views/organisations/{org}/points/{person}": 200,
        f"/views/dividends/{dividend['id']}/allocations": 200,
    }
    head = api.store_head()
    for path, cap in lists.items():
        assert api.read(f"{path}?limit={cap}&min_position={head}").status_code == 200, path
        for refused in (cap + 1, 0, 10**6):
            assert_problem(api.read(f"{path}?limit={refused}"), 422, "query.limit")


def test_every_paged_operation_documents_its_cap(api: Api) -> None:
    """A list is an operation that pages (cursor or after_version); each has a bounded limit."""
    paths = api.client.get("/openapi.json").json()["paths"]
    paged = 0
    for path, operations in paths.items():
        for method, operation in operations.items():
            parameters = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
            if {"cursor", "after_version"} & parameters.keys():
                paged += 1
                assert parameters["limit"]["maximum"] <= 500, (method, path)
    assert paged == 12


# Rate limit


def test_the_rate_limit_is_a_token_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(per_second=2, burst=3, clock=lambda: now[0])
    for _ in range(3):
        limiter.take("key:clerk")
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("key:clerk")
    assert refused.value.retry_after == 1
    limiter.take("key:auditor")  # another key has a bucket of its own

    now[0] = 0.5  # one token back
    limiter.take("key:clerk")
    with pytest.raises(TooManyRequests):
        limiter.take("key:clerk")


def test_the_rate_limits_buckets_are_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(per_second=1, burst=2, max_buckets=100, clock=lambda: now[0])
    for n in range(1000):
        limiter.take(f"address:10.0.{n // 256}.{n % 256}")
    assert len(limiter.buckets) <= 100

    now[0] = 2.0  # every bucket full again, as good as none: dropped
    limiter.take("key:clerk")
    assert list(limiter.buckets) == ["key:clerk"]


@pytest.fixture
def limited(settings: Settings) -> Callable[[], AbstractContextManager[Api]]:
    tiny = settings.model_copy(update={"rate_limit_per_second": 0.5, "rate_limit_burst": 3})
    return lambda: serving(tiny)


def test_a_key_over_the_rate_limit_is_refused_with_retry_after(
    limited: Callable[[], AbstractContextManager[Api]],
) -> None:
    with limited() as api:
        for _ in range(3):
            assert api.read("/views/status").status_code == 200
        response = api.read("/views/status")

        assert_problem(response, 429)
        assert response.json()["type"] == "/problems/too-many-requests"
        assert int(response.headers["Retry-After"]) >= 1
        other = api.key("dashboard", PrincipalRole.DASHBOARD)
        assert api.client.get("/views/status", headers=other).status_code == 200


def test_a_command_over_the_rate_limit_records_nothing(
    limited: Callable[[], AbstractContextManager[Api]],
) -> None:
    with limited() as api:
        org = api.organisation()
        for _ in range(2):
            api.read(f"/organisations/{org}")
        head = api.store_head()

        response = api.post(f"/organisations/{org}/suspension", {"reason": "换届整顿"})

        assert_problem(response, 429)
        assert api.store_head() == head


def test_anonymous_requests_are_limited_per_address(
    limited: Callable[[], AbstractContextManager[Api]],
) -> None:
    with limited() as api:
        for _ in range(3):
            assert api.client.get("/health", headers=ANONYMOUS).status_code == 200
        assert_problem(api.client.get("/public/statistics", headers=ANONYMOUS), 429)
        assert api.read("/views/status").status_code == 200  # a key is limited apart


def test_a_rate_of_zero_turns_the_limit_off(settings: Settings) -> None:
    with serving(settings.model_copy(update={"rate_limit_per_second": 0, "rate_limit_burst": 1})) as api:
        for _ in range(5):
            assert api.read("/views/status").status_code == 200


@pytest.mark.parametrize(
    ("setting", "value"),
    [("max_body_bytes", 10), ("rate_limit_per_second", -1), ("rate_limit_burst", 0)],
)
def test_limits_out_of_range_stop_the_service(tmp_path: Path, setting: str, value: int) -> None:
    with pytest.raises(SettingsError, match=f"GONGZHI_{setting.upper()}"):
        load_settings(data_dir=tmp_path, master_key=TEST_MASTER_KEY, **{setting: value})


def test_a_position_past_the_last_event_is_refused_at_once(api: Api) -> None:
    """Waiting for it could only end in a 503, holding a worker meanwhile."""
    api.organisation()
    response = api.read(f"/views/projects?min_position={api.store_head() + 1}")

    assert_problem(response, 422, "query.min_position")
