"""Mediation cases and hazard reports over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Api

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
GRID = f"{VILLAGE}/第三网格"


def view(api: Api, path: str, position: int, **params: Any) -> dict[str, Any]:
    response = api.client.get(path, params={"min_position": position, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def society(api: Api) -> tuple[str, str]:
    """The mediation society and its mediator."""
    organisation = api.organisation(name="翔和促进会", jurisdiction=VILLAGE)
    return organisation, api.member(organisation, api.person("陈老娘舅"), role="mediator")


def case(api: Api, organisation: str, **fields: Any) -> str:
    body = {
        "organisation_id": organisation,
        "category": "neighbour",
        "summary": "两户因排水沟堵塞起争执",
        "parties": [api.person("周大伟"), api.person("吴秀兰")],
        "received_on": "2024-03-01",
        **fields,
    }
    return api.command("/mediation-cases", body, status=201)["id"]


def test_a_case_is_received_mediated_and_resolved(api: Api) -> None:
    organisation, mediator = society(api)
    case_id = case(api, organisation)

    api.command(f"/mediation-cases/{case_id}/assignment", {"mediator_person_id": mediator})
    api.command(
        f"/mediation-cases/{case_id}/sessions", {"held_on": "2024-03-02", "note": "双方陈述"}, status=201
    )
    done = api.command(
        f"/mediation-cases/{case_id}/agreement", {"summary": "共同疏通", "signed_on": "2024-03-05"}
    )

    state = api.get(f"/mediation-cases/{case_id}")
    assert (state["status"], state["agreement"], state["ended_on"], state["version"]) == (
        "resolved",
        "共同疏通",
        "2024-03-05",
        4,
    )
    assert state["sessions"] == [{"held_on": "2024-03-02", "note": "双方陈述"}]
    listed = view(api, f"/views/organisations/{organisation}/mediation-cases", done["position"])
    (row,) = listed["items"]
    assert (row["status"], row["days_to_end"], row["party_count"], row["sessions"]) == ("resolved", 4, 2, 1)
    assert "summary" not in row and "parties" not in row


def test_an_ended_case_takes_nothing_more(api: Api) -> None:
    organisation, mediator = society(api)
    case_id = case(api, organisation)
    api.command(f"/mediation-cases/{case_id}/withdrawal", {"reason": "当事人撤回"})

    api.refuses(f"/mediation-cases/{case_id}/assignment", {"mediator_person_id": mediator}, status=409)
    api.refuses(f"/mediation-cases/{case_id}/failure", {"reason": "不成", "referred_to": "法院"}, status=409)


def test_the_mediator_must_be_one_of_the_organisations_mediators(api: Api) -> None:
    organisation, _ = society(api)
    case_id = case(api, organisation)
    secretary = api.member(organisation, role="secretary")

    api.refuses(
        f"/mediation-cases/{case_id}/assignment",
        {"mediator_person_id": secretary},
        status=422,
        field="mediator_person_id",
    )
    api.refuses(f"/mediation-cases/{case_id}/assignment", {"mediator_person_id": api.person()}, status=409)


def test_bad_cases_are_refused_naming_the_field(api: Api) -> None:
    organisation, _ = society(api)
    one = api.person()
    good = {
        "organisation_id": organisation,
        "category": "family",
        "summary": "家事",
        "parties": [one, api.person()],
    }
    for change, field in [
        ({"category": "gossip"}, "category"),
        ({"parties": [one]}, "parties"),
        ({"summary": ""}, "summary"),
        ({"received_on": "2024/03/01"}, "received_on"),
        ({"parties": [one, one]}, "parties"),
    ]:
        api.refuses("/mediation-cases", {**good, **change}, status=422, field=field)


def test_erasing_a_party_leaves_the_case_and_its_outcome_but_not_what_it_says(api: Api) -> None:
    organisation, mediator = society(api)
    party = api.person("周大伟")
    case_id = case(api, organisation, parties=[party, api.person("吴秀兰")])
    api.command(f"/mediation-cases/{case_id}/assignment", {"mediator_person_id": mediator})
    api.command(f"/mediation-cases/{case_id}/sessions", {"note": "周大伟情绪激动"}, status=201)
    api.command(f"/mediation-cases/{case_id}/agreement", {"summary": "周大伟赔偿"})

    api.command(f"/people/{party}/erasure", {"reason": "本人申请", "request_reference": "申请 1"})

    state = api.get(f"/mediation-cases/{case_id}")
    assert (state["summary"], state["agreement"], state["sessions"][0]["note"]) == (None, None, None)
    assert (state["status"], state["parties"][0]) == ("resolved", party)
    history = api.read(f"/audit/streams/{case_id}/events").json()["items"]
    assert "周大伟" not in str(history)


def test_the_cases_texts_are_sealed_in_the_store(api: Api) -> None:
    organisation, _ = society(api)
    case_id = case(api, organisation, summary="周大伟与吴秀兰争执")
    recorder = api.client.app.state.application.recorder
    stored = b"".join(e.state for e in recorder.select_events(__import__("uuid").UUID(case_id)))
    assert "周大伟".encode() not in stored
    assert api.get(f"/mediation-cases/{case_id}")["summary"] == "周大伟与吴秀兰争执"


def hazard(api: Api, organisation: str, **fields: Any) -> str:
    body = {
        "organisation_id": organisation,
        "jurisdiction": GRID,
        "category": "fire",
        "location": "12幢楼道",
        "description": "杂物堵塞消防通道",
        "found_on": "2024-05-01",
        **fields,
    }
    return api.command("/hazards", body, status=201)["id"]


def test_a_hazard_is_assigned_rectified_reopened_and_closed(api: Api) -> None:
    committee = api.organisation(name="皂林村业主自治委员会", jurisdiction=VILLAGE)
    grid_head = api.member(committee, role="grid_head")
    hazard_id = hazard(api, committee, reported_by_person_id=grid_head)

    api.command(f"/hazards/{hazard_id}/assignment", {"person_id": grid_head, "due_on": "2024-05-10"})
    api.command(f"/hazards/{hazard_id}/rectification", {"note": "已清理", "rectified_on": "2024-05-08"})
    api.command(f"/hazards/{hazard_id}/verification", {"passed": False, "note": "仍有杂物"})
    assert api.get(f"/hazards/{hazard_id}")["status"] == "assigned"
    api.refuses(f"/hazards/{hazard_id}/verification", {"passed": True, "note": "复查"}, status=409)
    api.command(f"/hazards/{hazard_id}/rectification", {"note": "再次清理"})
    api.command(f"/hazards/{hazard_id}/verification", {"passed": True, "note": "复查合格"})

    state = api.get(f"/hazards/{hazard_id}")
    assert (state["status"], state["rectifications"], state["overdue"]) == ("closed", 2, False)
    api.refuses(
        f"/hazards/{hazard_id}/assignment", {"person_id": grid_head, "due_on": "2024-06-01"}, status=409
    )


def test_an_overdue_hazard_shows_as_such(api: Api) -> None:
    committee = api.organisation(jurisdiction=VILLAGE)
    grid_head = api.member(committee, role="grid_head")
    late, on_time = hazard(api, committee), hazard(api, committee, category="gas")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    api.command(f"/hazards/{late}/assignment", {"person_id": grid_head, "due_on": yesterday})
    due = (date.today() + timedelta(days=7)).isoformat()
    last = api.command(f"/hazards/{on_time}/assignment", {"person_id": grid_head, "due_on": due})

    assert api.get(f"/hazards/{late}")["overdue"] is True
    overdue = view(api, "/views/hazards", last["position"], overdue="true", jurisdiction=VILLAGE)
    assert [h["id"] for h in overdue["items"]] == [late]
    assert overdue["items"][0]["overdue"] is True
    everything = view(api, "/views/hazards", last["position"], organisation_id=committee)
    assert {h["id"]: h["overdue"] for h in everything["items"]} == {late: True, on_time: False}


def test_a_hazard_lies_within_its_organisation(api: Api) -> None:
    committee = api.organisation(jurisdiction=VILLAGE)
    api.refuses(
        "/hazards",
        {
            "organisation_id": committee,
            "jurisdiction": "浙江省/杭州市",
            "category": "gas",
            "location": "厨房",
            "description": "漏气",
        },
        status=422,
        field="jurisdiction",
    )


def test_statistics_count_cases_and_hazards_under_a_prefix_and_publicly_at_district_level(api: Api) -> None:
    organisation, mediator = society(api)
    resolved, failed = case(api, organisation), case(api, organisation, category="land")
    api.command(f"/mediation-cases/{resolved}/assignment", {"mediator_person_id": mediator})
    api.command(f"/mediation-cases/{resolved}/agreement", {"summary": "和解", "signed_on": "2024-03-03"})
    api.command(f"/mediation-cases/{failed}/failure", {"reason": "不成", "ended_on": "2024-03-11"})
    case(api, organisation, category="land")
    hazard_id = hazard(api, organisation)
    api.command(f"/hazards/{hazard_id}/assignment", {"person_id": mediator, "due_on": "2024-05-02"})
    api.command(f"/hazards/{hazard_id}/rectification", {"note": "已整改", "rectified_on": "2024-05-02"})
    last = api.command(
        f"/hazards/{hazard_id}/verification", {"passed": True, "note": "合格", "verified_on": "2024-05-04"}
    )

    figures = view(api, "/views/statistics", last["position"], jurisdiction=VILLAGE)["community"]
    assert figures["mediation"] == {
        "received": 3,
        "ended": 2,
        "resolved": 1,
        "resolution_rate": 0.5,
        "median_days_to_end": 6,
        "by_category": {"land": 2, "neighbour": 1},
    }
    assert figures["hazards"] | {"by_category": None} == {
        "found": 1,
        "rectified": 1,
        "closed": 1,
        "open": 0,
        "overdue": 0,
        "median_days_to_close": 3,
        "by_category": None,
    }
    public = api.client.get("/public/statistics", params={"jurisdiction": "浙江省/嘉兴市/桐乡市"})
    assert public.status_code == 200
    assert public.json()["community"]["mediation"]["received"] == 3
    elsewhere = view(api, "/views/statistics", last["position"], jurisdiction="浙江省/杭州市")["community"]
    assert elsewhere["mediation"]["received"] == 0


def test_bad_hazards_are_refused_naming_the_field(api: Api) -> None:
    committee = api.organisation(jurisdiction=VILLAGE)
    good = {
        "organisation_id": committee,
        "jurisdiction": GRID,
        "category": "fire",
        "location": "12幢",
        "description": "杂物",
        "found_on": "2024-05-01",
    }
    for change, field in [
        ({"category": "ghosts"}, "category"),
        ({"location": " "}, "location"),
        ({"found_on": "1900-01-01"}, "found_on"),
        ({"reported_by_person_id": "5f0c8a0e-2b1d-4c3e-9f4a-7d6e5c4b3a21"}, "reported_by_person_id"),
    ]:
        api.refuses("/hazards", {**good, **change}, status=422, field=field)
    hazard_id = hazard(api, committee)
    api.refuses(
        f"/hazards/{hazard_id}/assignment",
        {"person_id": api.person(), "due_on": "2024-04-01"},
        status=422,
        field="due_on",
    )
