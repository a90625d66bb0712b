"""An auditor asks the API whether the store holds what was recorded."""

from __future__ import annotations

import pytest

from infra.audit.chain import GENESIS
from infra.audit.hashes import stream_hashes
from infra.settings import Settings
from tests.audit.tampering import Tamperer, audit_settings, auditor_api, seal, village_story
from tests.conftest import Api, assert_problem

__all__ = ["audit_settings", "auditor_api"]  # fixtures


def test_verify_answers_ok_with_the_range_covered(auditor_api: Api) -> None:
    village_story(auditor_api)
    seal(auditor_api)
    head = auditor_api.store_head()

    body = auditor_api.client.get("/audit/verify").json()

    assert body["status"] == "ok"
    assert (body["from_position"], body["to_position"], body["sealed_up_to"]) == (1, head, head)
    partial = auditor_api.client.get("/audit/verify", params={"from_position": 7, "to_position": 9}).json()
    assert (partial["status"], partial["from_position"], partial["to_position"]) == ("ok", 6, 9)


def test_verify_names_the_first_failure(auditor_api: Api, audit_settings: Settings) -> None:
    story = village_story(auditor_api)
    seal(auditor_api)
    dba = Tamperer(audit_settings)
    middle = dba.positions(story.fund)[2]
    dba.delete_events(middle)

    body = auditor_api.client.get("/audit/verify").json()
    stream = auditor_api.client.get("/audit/verify", params={"aggregate_id": story.fund}).json()

    assert body["status"] == "failed"
    assert body["failure"] | {"detail": ""} == {
        "position": middle,
        "kind": "missing",
        "aggregate_id": story.fund,
        "version": 3,
        "detail": "",
    }
    assert (stream["status"], stream["failure"]["position"]) == ("failed", middle)


@pytest.mark.parametrize(
    "query, field",
    [
        ("from_position=-1", "query.from_position"),
        ("to_position=abc", "query.to_position"),
        ("aggregate_id=not-an-id", "query.aggregate_id"),
        ("from_position=9&to_position=3", "query.from_position"),
        (f"to_position={2**63 - 1}", "query.to_position"),
    ],
)
def test_bad_query_values_are_problems(auditor_api: Api, query: str, field: str) -> None:
    for path in ("/audit/verify", "/audit/export"):
        if "aggregate_id" in query and path == "/audit/export":
            continue
        assert_problem(auditor_api.client.get(f"{path}?{query}"), 422, field)


def test_a_range_may_end_at_the_largest_position(auditor_api: Api) -> None:
    verified = auditor_api.client.get(f"/audit/verify?to_position={2**63 - 2}")
    exported = auditor_api.client.get(f"/audit/export?to_position={2**63 - 2}")

    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "ok"
    assert exported.status_code == 200, exported.text
    assert exported.text.count("\n") >= auditor_api.store_head()


def test_a_streams_hashes_chain_version_by_version(auditor_api: Api) -> None:
    story = village_story(auditor_api)

    hashes = stream_hashes(auditor_api.client.app.state.application.recorder, story.fund)

    assert sorted(hashes) == [1, 2, 3, 4, 5]
    assert hashes[1][1] == GENESIS.hex()
    assert all(hashes[v][1] == hashes[v - 1][0] for v in range(2, 6))
