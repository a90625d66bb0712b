"""People: registered once, read back with their ID-card number masked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from domain.principals import PrincipalRole

if TYPE_CHECKING:
    from tests.conftest import Api


def test_registering_a_person_answers_id_version_and_position(api: Api) -> None:
    response = api.post("/people", {"name": "王芳", "phone": "+86 138 0000 0000"})

    assert response.status_code == 201
    accepted = response.json()
    assert accepted.keys() == {"id", "version", "position"}
    assert accepted["version"] == 1
    assert accepted["position"] == api.store_head()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["content-type"] == "application/json"


def test_a_registered_person_reads_back_with_the_id_number_masked(api: Api) -> None:
    person = api.person("  李明  ", phone="0573-8888 1234", id_number="33048319800101123X")

    response = api.client.get(f"/people/{person}", headers=api.key("auditor_zhou", PrincipalRole.AUDITOR))

    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.json() == {
        "id": person,
        "name": "李明",
        "phone": "0573-8888 1234",
        "id_number": "**************123X",
        "erased": False,
        "version": 1,
    }


def test_only_an_admin_reads_the_whole_id_number(api: Api) -> None:
    person = api.person(id_number="33048319800101123X")
    organisation = api.organisation()
    api.member(organisation, person)
    officer = {"Authorization": f"Bearer {api.token('secretary_li', organisation)}"}

    as_admin = api.get(f"/people/{person}")
    as_officer = api.client.get(f"/people/{person}", headers=officer).json()

    assert as_admin["id_number"] == "33048319800101123X"
    assert as_officer["id_number"] == "**************123X"


def test_positions_follow_the_order_of_the_commands(api: Api) -> None:
    first = api.command("/people", {"name": "甲"}, status=201)
    second = api.command("/people", {"name": "乙"}, status=201)

    assert second["position"] > first["position"]
    assert first["id"] != second["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "名" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": None}, "name"),
        ({"name": "王芳", "phone": "call me"}, "phone"),
        ({"name": "王芳", "phone": 13800000000}, "phone"),
        ({"name": "王芳", "id_number": "1234"}, "id_number"),
        ({"name": "王芳", "id_number": "33048319800101123Y"}, "id_number"),
        ({"name": "王芳", "nickname": "芳芳"}, "nickname"),
    ],
    ids=[
        "missing-name",
        "blank-name",
        "over-long-name",
        "name-as-number",
        "null-name",
        "bad-phone",
        "phone-as-number",
        "short-id-number",
        "bad-id-final-character",
        "unknown-field",
    ],
)
def test_an_invalid_person_is_refused_naming_the_field(
    shared_api: Api, body: dict[str, Any], field: str
) -> None:
    shared_api.refuses("/people", body, status=422, field=field)


def test_a_name_of_exactly_two_hundred_characters_is_accepted(api: Api) -> None:
    person = api.person("名" * 200)

    assert api.get(f"/people/{person}")["name"] == "名" * 200


def test_registering_without_a_key_records_nothing(shared_api: Api) -> None:
    shared_api.refuses("/people", {"name": "王芳"}, anonymous=True, status=401)


def test_registering_with_malformed_json_records_nothing(shared_api: Api) -> None:
    shared_api.refuses("/people", content=b"{bad", status=400)


def test_reading_a_malformed_person_id_names_the_path_parameter(shared_api: Api) -> None:
    response = shared_api.client.get("/people/not-a-uuid")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["path.person_id"]
