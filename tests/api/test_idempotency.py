"""Idempotency keys: a retried command answers as the first time and records nothing more;
a key reused for another request is refused; keys are remembered across restarts."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import orjson
import pytest

if TYPE_CHECKING:
    from tests.conftest import Api

OpenApi = Callable[[], AbstractContextManager["Api"]]


def test_a_retried_registration_replays_the_first_response(api: Api) -> None:
    key = {"Idempotency-Key": "register-wang-fang-1"}
    first = api.post("/people", {"name": "王芳"}, headers=key)
    head = api.store_head()

    retry = api.post("/people", {"name": "王芳"}, headers=key)

    assert first.status_code == retry.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert api.store_head() == head
    assert api.get(f"/people/{first.json()['id']}")["version"] == 1


def test_a_retried_donation_replays_without_advancing_the_fund(api: Api) -> None:
    fund = api.fund()
    body = {"amount_fen": 8_800, "donor_name": "沈先生"}
    key = {"Idempotency-Key": "donation-2024-05-04-shen"}
    first = api.post(f"/funds/{fund}/donations", body, headers=key)
    before = api.get(f"/funds/{fund}")

    retries = [api.post(f"/funds/{fund}/donations", body, headers=key) for _ in range(3)]

    assert first.status_code == 201
    for retry in retries:
        assert retry.status_code == 201
        assert retry.json() == first.json()
        assert retry.headers["Idempotent-Replayed"] == "true"
    assert api.get(f"/funds/{fund}") == before
    assert (before["version"], before["donated_fen"]) == (2, 8_800)


def test_a_retry_with_the_same_json_formatted_differently_replays(api: Api) -> None:
    fund = api.fund()
    path = f"/funds/{fund}/donations"
    headers = api.headers(headers={"Idempotency-Key": "k-42", "Content-Type": "application/json"})
    first = api.client.post(
        path, content=b'{"amount_fen":100,"donor_name":"\xe5\x8c\xbf\xe5\x90\x8d"}', headers=headers
    )

    retry = api.client.post(
        path,
        content=orjson.dumps({"donor_name": "匿名", "amount_fen": 100}, option=orjson.OPT_INDENT_2),
        headers=headers,
    )

    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert api.get(f"/funds/{fund}")["donated_fen"] == 100


def test_a_replayed_update_is_not_refused_by_its_now_stale_if_match(api: Api) -> None:
    project = api.project()
    headers = {"Idempotency-Key": "approve-elevator", "If-Match": '"1"'}
    first = api.command(f"/projects/{project}/approval", headers=headers)

    retry = api.post(f"/projects/{project}/approval", headers=headers)

    assert retry.status_code == 200
    assert retry.json() == first
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert api.get(f"/projects/{project}")["version"] == 2


def test_reusing_a_key_for_another_body_is_refused(api: Api) -> None:
    fund = api.fund()
    key = {"Idempotency-Key": "donation-7"}
    api.command(
        f"/funds/{fund}/donations", {"amount_fen": 100, "donor_name": "匿名"}, status=201, headers=key
    )

    problem = api.refuses(
        f"/funds/{fund}/donations", {"amount_fen": 1_000, "donor_name": "匿名"}, headers=key, status=422
    )

    assert problem["title"] == "Idempotency key reused with a different request"
    assert api.get(f"/funds/{fund}")["donated_fen"] == 100


def test_reusing_a_key_on_another_path_is_refused(api: Api) -> None:
    key = {"Idempotency-Key": "once"}
    api.command("/people", {"name": "王芳"}, status=201, headers=key)
    organisation = api.organisation()

    api.refuses(f"/organisations/{organisation}/suspension", {"reason": "整顿"}, headers=key, status=422)


def test_keys_belong_to_the_actor_who_sent_them(api: Api) -> None:
    key = {"Idempotency-Key": "1"}

    mine = api.command("/people", {"name": "王芳"}, status=201, headers=key, actor="clerk_a")
    theirs = api.command("/people", {"name": "王芳"}, status=201, headers=key, actor="clerk_b")

    assert mine["id"] != theirs["id"]


@pytest.mark.parametrize(
    "key", ["", "has space", "k" * 256, "tab\there"], ids=["empty", "space", "too-long", "control-character"]
)
def test_a_malformed_key_is_a_bad_request(api: Api, key: str) -> None:
    api.refuses(
        "/people", {"name": "王芳"}, headers={"Idempotency-Key": key}, status=400, field="Idempotency-Key"
    )


def test_keys_survive_a_restart(open_api: OpenApi) -> None:
    key = {"Idempotency-Key": "before-restart"}
    with open_api() as api:
        fund = api.fund()
        first = api.post(f"/funds/{fund}/donations", {"amount_fen": 500, "donor_name": "匿名"}, headers=key)
        person = api.post("/people", {"name": "王芳"}, headers=key, actor="registrar")
        head = api.store_head()

    with open_api() as api:
        retry = api.post(f"/funds/{fund}/donations", {"amount_fen": 500, "donor_name": "匿名"}, headers=key)
        person_retry = api.post("/people", {"name": "王芳"}, headers=key, actor="registrar")
        reused = api.post(f"/funds/{fund}/donations", {"amount_fen": 501, "donor_name": "匿名"}, headers=key)

        assert (retry.status_code, person_retry.status_code) == (201, 201)
        assert retry.content == first.content
        assert person_retry.content == person.content
        assert retry.headers["Idempotent-Replayed"] == person_retry.headers["Idempotent-Replayed"] == "true"
        assert reused.status_code == 422
        assert api.store_head() == head
        assert api.get(f"/funds/{fund}")["donated_fen"] == 500


def test_a_retried_fund_opening_replays_after_the_owner_is_suspended(api: Api) -> None:
    owner = api.organisation()
    body = {"organisation_id": owner, "name": "助学基金", "purposes": ["education"]}
    key = {"Idempotency-Key": "open-education-fund"}
    first = api.post("/funds", body, headers=key)
    api.suspend(owner)

    retry = api.post("/funds", body, headers=key)

    assert retry.status_code == 201, retry.text
    assert retry.json() == first.json()


def test_a_retried_project_proposal_replays_after_the_lead_is_suspended(api: Api) -> None:
    lead = api.organisation()
    body = {"title": "口袋公园", "category": "environment", "lead_organisation_id": lead}
    key = {"Idempotency-Key": "propose-pocket-park"}
    first = api.post("/projects", body, headers=key)
    api.suspend(lead)

    retry = api.post("/projects", body, headers=key)

    assert retry.status_code == 201, retry.text
    assert retry.json() == first.json()
