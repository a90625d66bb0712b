"""Personal details: sealed in the store, shown (the ID-card number masked) to the API's
callers, and erased for good on request, while the person's history and memberships stay
and the audit chain still verifies."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx
import orjson
import pytest

from domain.context import CommandContext, acting
from domain.principals import PrincipalRole
from infra.settings import Settings
from infra.store.application import open_application
from tests.conftest import backend_settings, serving
from tests.security.support import leaked, raw_store, stored_events

if TYPE_CHECKING:
    from tests.conftest import Api

NAME, PHONE, ID_NUMBER = "沈国庆", "13957300421", "33048319900101123X"
DETAILS = (NAME, PHONE, ID_NUMBER)
MASKED = "**************123X"
REASON = "本人申请删除个人信息"
REQUEST = "桐乡市龙翔街道 个人信息删除申请 2024-017"
ERASURE = {"reason": REASON, "request_reference": REQUEST}


def register(api: Api) -> str:
    return api.person(NAME, phone=PHONE, id_number=ID_NUMBER)


def read(api: Api, path: str, **params: Any) -> httpx.Response:
    response = api.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def settings_of(api: Api) -> Settings:
    settings: Settings = api.client.app.state.settings
    return settings


def stored_people(api: Api) -> list[dict[str, Any]]:
    """The payloads of the Person events, as the events table holds them."""
    table = api.client.app.state.application.recorder.events_table_name
    rows = stored_events(settings_of(api), table)
    return [orjson.loads(state) for topic, state in rows if "Person." in topic]


# Sealed in the store, shown to callers


def test_a_person_is_stored_with_every_detail_sealed(api: Api) -> None:
    register(api)

    (payload,) = stored_people(api)

    assert all(payload[field].startswith("aesgcm:") for field in ("name", "phone", "id_number"))
    assert not leaked(DETAILS, raw_store(settings_of(api)))


def test_a_detail_never_given_stays_null(api: Api) -> None:
    person = api.person("王芳")

    (payload,) = stored_people(api)

    assert payload["phone"] is None
    assert payload["id_number"] is None
    assert api.get(f"/people/{person}")["phone"] is None


def test_a_person_reads_back_in_clear_with_the_id_number_masked(api: Api) -> None:
    person = register(api)
    auditor = api.key("auditor_zhou", PrincipalRole.AUDITOR)

    assert api.client.get(f"/people/{person}", headers=auditor).json() == {
        "id": person,
        "name": NAME,
        "phone": PHONE,
        "id_number": MASKED,
        "erased": False,
        "version": 1,
    }
    history = api.client.get(f"/audit/streams/{person}/events", headers=auditor).json()
    assert history["items"][0]["payload"] == {"name": NAME, "phone": PHONE, "id_number": MASKED}
    state = api.client.get(f"/audit/streams/{person}/state", headers=auditor).json()
    assert state["state"]["id_number"] == MASKED


def test_the_audit_export_holds_only_sealed_details(api: Api) -> None:
    register(api)

    export = read(api, "/audit/export").content

    assert not leaked(DETAILS, export)
    (line,) = [orjson.loads(line) for line in export.splitlines() if b"Person.Registered" in line]
    assert line["payload"]["phone"].startswith("aesgcm:")


def test_reading_a_person_looks_their_key_up_once_and_other_aggregates_never(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = register(api)
    org = api.organisation()
    api.member(org, person)
    app = api.client.app.state.application
    table, lookups = app.mapper.keys.table, []
    find = table.find
    monkeypatch.setattr(table, "find", lambda person_id: lookups.append(person_id) or find(person_id))

    assert app.repository.get(UUID(person), version=1).name == NAME  # replayed, not cached
    app.repository.get(UUID(org), version=2)
    read(api, f"/audit/streams/{person}/events")

    assert lookups == [person, person]


# Erased


def test_an_erased_person_is_erased_everywhere_and_keeps_their_history_and_memberships(api: Api) -> None:
    person = register(api)
    org = api.organisation()
    api.member(org, person, role="secretary")
    fund = api.fund(org)
    api.command(f"/funds/{fund}/donations", {"amount_fen": 50_000, "donor_person_id": person}, status=201)

    erased = api.command(f"/people/{person}/erasure", ERASURE)

    assert erased == {"id": person, "version": 2, "position": api.store_head()}
    body = api.get(f"/people/{person}")
    assert body == {
        "id": person,
        "name": None,
        "phone": None,
        "id_number": None,
        "erased": True,
        "version": 2,
    }
    history = read(api, f"/audit/streams/{person}/events")
    registered, erasure = history.json()["items"]
    assert registered["payload"] == {"name": None, "phone": None, "id_number": None}
    assert erasure["type"] == "Person.Erased"
    assert erasure["payload"] == {"reason": REASON, "request_reference": REQUEST}
    assert erasure["actor"] == api.actor
    now = read(api, f"/audit/streams/{person}/state")
    then = read(api, f"/audit/streams/{person}/state", version=1)
    assert now.json()["state"] == body
    assert then.json()["state"] | {"version": 2} == body
    position = erased["position"]
    memberships = read(api, f"/views/people/{person}/memberships", min_position=position)
    members = read(api, f"/views/organisations/{org}/members", min_position=position)
    ledger = read(api, f"/views/funds/{fund}/ledger", min_position=position)
    assert [m["organisation_id"] for m in memberships.json()["items"]] == [org]
    assert [m["person_id"] for m in members.json()["items"]] == [person]
    assert [m["person_id"] for m in api.get(f"/organisations/{org}")["members"]] == [person]
    assert read(api, "/audit/verify").json()["status"] == "ok"
    export = read(api, "/audit/export").content
    answers = [history, now, then, memberships, members, ledger]
    assert not leaked(DETAILS, orjson.dumps(body), *(a.content for a in answers), export)
    assert not leaked(DETAILS, raw_store(settings_of(api)))


def test_an_erased_person_is_named_in_nothing_new(api: Api) -> None:
    person = register(api)
    member_of = api.organisation()
    api.member(member_of, person)
    other = api.organisation(name="龙翔街道乡贤会", kind="sage_association")
    fund = api.fund(other)
    api.command(f"/people/{person}/erasure", ERASURE)
    head = api.store_head()

    admitted = {"person_id": person, "role": "member"}
    problem = api.refuses(f"/organisations/{other}/members", admitted, status=422, field="person_id")
    assert "erased" in problem["detail"]
    donation = {"amount_fen": 10_000, "donor_person_id": person}
    api.refuses(f"/funds/{fund}/donations", donation, status=422, field="donor_person_id")

    assert api.store_head() == head
    assert [m["person_id"] for m in api.get(f"/organisations/{member_of}")["members"]] == [person]
    # What they already belong to stays theirs to leave.
    api.command(f"/organisations/{member_of}/members/{person}/departure", {"reason": "left"})


def test_erasure_changes_no_stored_byte_so_the_chain_verifies_over_the_same_hashes(api: Api) -> None:
    person = register(api)
    before = read(api, f"/audit/streams/{person}/events").json()["items"]

    api.command(f"/people/{person}/erasure", ERASURE)

    registered = read(api, f"/audit/streams/{person}/events").json()["items"][0]
    assert registered["hash"] == before[0]["hash"]
    assert registered["previous_hash"] == before[0]["previous_hash"]
    assert read(api, "/audit/verify", aggregate_id=person).json()["status"] == "ok"


def test_erasing_twice_is_refused_with_a_conflict(api: Api) -> None:
    person = register(api)
    api.command(f"/people/{person}/erasure", ERASURE)

    problem = api.refuses(f"/people/{person}/erasure", ERASURE, status=409)

    assert problem["type"] == "/problems/already-erased"


def test_an_erasure_needs_a_reason_a_request_reference_and_an_existing_person(api: Api) -> None:
    person = register(api)

    api.refuses(f"/people/{person}/erasure", {**ERASURE, "reason": "  "}, status=422, field="reason")
    api.refuses(f"/people/{person}/erasure", {}, status=422, field="reason")
    api.refuses(f"/people/{person}/erasure", {"reason": REASON}, status=422, field="request_reference")
    for blank in ("", " ", "\u200b", "\ufeff"):
        body = {**ERASURE, "request_reference": blank}
        api.refuses(f"/people/{person}/erasure", body, status=422, field="request_reference")
    too_long = {**ERASURE, "request_reference": "号" * 101}
    api.refuses(f"/people/{person}/erasure", too_long, status=422, field="request_reference")
    api.refuses("/people/6f1c2f4e-8a8b-4c1e-9c59-3f7d2b1e0a11/erasure", ERASURE, status=404)
    assert api.get(f"/people/{person}")["erased"] is False


def test_an_erasure_retried_with_its_idempotency_key_is_the_same_erasure(api: Api) -> None:
    person = register(api)
    key = {"Idempotency-Key": "erase-1"}

    first = api.command(f"/people/{person}/erasure", ERASURE, headers=key)
    again = api.command(f"/people/{person}/erasure", ERASURE, headers=key)

    assert again == first


def test_a_process_that_read_the_person_before_another_erased_them_shows_them_erased(
    api: Api, settings: Settings
) -> None:
    person = register(api)
    with serving(settings) as other:
        assert other.get(f"/people/{person}")["name"] == NAME  # now in that process's memory

        api.command(f"/people/{person}/erasure", ERASURE)

        assert other.get(f"/people/{person}")["erased"] is True
        assert other.get(f"/people/{person}")["name"] is None


def test_on_sqlite_a_destroyed_key_leaves_no_copy_in_the_files_after_a_checkpoint(tmp_path: Path) -> None:
    with backend_settings("sqlite", tmp_path) as settings:
        app = open_application(settings)
        with acting(CommandContext(actor="clerk")):
            person = app.register_person(NAME, phone=PHONE, id_number=ID_NUMBER).id
            found = app.recorder.person_keys.find(str(person))  # type: ignore[attr-defined]
            app.erase_person(person, REASON, REQUEST)
        app.close()
    with sqlite3.connect(settings.data_dir / "gongzhi.db") as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    assert found is not None
    assert found[1] not in raw_store(settings)


# Nothing personal in errors or logs


def test_a_refused_detail_is_not_repeated_in_the_problem(shared_api: Api) -> None:
    problem = shared_api.refuses(
        "/people", {"name": NAME, "phone": "电话 13957300421", "id_number": "33048319900101123Y"}, status=422
    )

    assert not leaked((NAME, "13957300421", "33048319900101123Y"), orjson.dumps(problem))


def test_the_service_logs_no_detail(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        person = register(api)
        api.get(f"/people/{person}")
        api.command(f"/people/{person}/erasure", ERASURE)
        api.refuses(f"/people/{person}/erasure", ERASURE, status=409)

    assert caplog.records
    assert not leaked(DETAILS, caplog.text)
