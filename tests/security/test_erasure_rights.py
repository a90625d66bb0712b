"""Erasing a person is for good and for every organisation, so it is an admin's act (or
that of an integration given the privacy:erase scope), on the data subject's request,
whose reference the erasure records. Officers ask for an erasure; they cannot perform one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.security.worlds import A_DISTRICT, A_JURISDICTION, B_CITY, audit_events, integration, officer

if TYPE_CHECKING:
    from tests.conftest import Api

ERASURE = {"reason": "本人申请删除个人信息", "request_reference": "多湖街道 个人信息删除申请 2024-017"}


def erasure_of(person: str) -> str:
    return f"/people/{person}/erasure"


def test_an_officer_who_admitted_another_organisations_member_may_not_erase_them(api: Api) -> None:
    a = api.organisation(name="多湖街道居民自治委员会", jurisdiction=A_JURISDICTION)
    b = api.organisation(name="龙翔街道居民自治委员会")
    person = api.member(b)
    officer_a = officer(api, "chen.a", a)
    admitted = {"person_id": person, "role": "member"}
    assert api.client.post(f"/organisations/{a}/members", json=admitted, headers=officer_a).status_code == 201

    problem = api.refuses(erasure_of(person), ERASURE, status=403, headers=officer_a)

    assert "officer" in problem["detail"]
    assert api.get(f"/people/{person}")["erased"] is False


def test_an_officer_may_not_erase_even_a_member_of_its_own_organisation(api: Api) -> None:
    organisation = api.organisation()
    person = api.member(organisation)

    api.refuses(erasure_of(person), ERASURE, status=403, headers=officer(api, "chen", organisation))

    assert api.get(f"/people/{person}")["erased"] is False


def test_an_admin_erases_and_the_history_shows_the_requests_reference(api: Api) -> None:
    person = api.member(api.organisation())

    api.command(erasure_of(person), ERASURE)

    erased = audit_events(api, person)[-1]
    assert erased["type"] == "Person.Erased"
    assert erased["payload"] == ERASURE
    assert erased["actor"] == api.actor


def test_an_integration_erases_with_the_privacy_scope_alone(api: Api) -> None:
    person = api.member(api.organisation(jurisdiction=A_JURISDICTION))
    every_other_scope = integration(
        api, "jindong.writer", A_DISTRICT, scopes=("people:write", "organisations:write")
    )
    eraser = integration(api, "jindong.privacy", A_DISTRICT, scopes=("privacy:erase",))

    problem = api.refuses(erasure_of(person), ERASURE, status=403, headers=every_other_scope)
    assert "privacy:erase" in problem["detail"]
    erased = api.client.post(erasure_of(person), json=ERASURE, headers=eraser)

    assert erased.status_code == 200, erased.text
    assert api.get(f"/people/{person}")["erased"] is True
    assert audit_events(api, person)[-1]["actor"] == "jindong.privacy"


def test_an_integration_erases_no_one_outside_its_jurisdictions(api: Api) -> None:
    person = api.member(api.organisation(jurisdiction=A_JURISDICTION))
    elsewhere = integration(api, "jiaxing.privacy", B_CITY, scopes=("privacy:erase",))

    api.refuses(erasure_of(person), ERASURE, status=404, headers=elsewhere)

    assert api.get(f"/people/{person}")["erased"] is False


def test_the_privacy_scope_reads_and_writes_nothing_else(api: Api) -> None:
    organisation = api.organisation(jurisdiction=A_JURISDICTION)
    person = api.member(organisation)
    eraser = integration(api, "jindong.privacy2", A_DISTRICT, scopes=("privacy:erase",))

    assert api.client.get(f"/people/{person}", headers=eraser).status_code == 403
    api.refuses("/people", {"name": "李明"}, status=403, headers=eraser)
    api.refuses(
        f"/organisations/{organisation}/members",
        {"person_id": person, "role": "member"},
        status=403,
        headers=eraser,
    )
