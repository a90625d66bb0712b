"""Text, jurisdictions and business dates, as every command takes them.

Text is stored in NFC and trimmed; characters nobody types (controls, zero-width and
direction marks, byte order marks) are refused, and text that must say something must
show something. Line breaks go only into multi-line text (a charter, a description, a
note). A jurisdiction's segments each show something and are never ``.`` or ``..``. A
business date is an ISO ``YYYY-MM-DD`` string from 1949-10-01 to two years from today.
Every refusal is a 422 problem naming the field, and records nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.conftest import Api

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
ERASURE = {"reason": "本人申请删除个人信息", "request_reference": "申请 2024-017"}


@dataclass(frozen=True)
class World:
    organisation: str
    person: str
    member: str
    project: str
    fund: str
    disbursement: str


@pytest.fixture(scope="module")
def world(shared_api: Api) -> World:
    """Something for every command to address; the tests' commands are all refused."""
    api = shared_api
    organisation = api.organisation()
    fund = api.fund(organisation)
    api.donate(fund, 10_000)
    return World(
        organisation,
        api.person(),
        api.member(organisation),
        api.project(organisation),
        fund,
        api.disbursement(fund, 1_000),
    )


@dataclass(frozen=True)
class Field:
    path: str
    body: dict[str, Any]
    name: str
    lines: bool = False
    """Multi-line text: takes line breaks and tabs."""
    required: bool = True
    """Must say something (optional text may be empty)."""

    def __str__(self) -> str:
        return f"{self.path.split('/')[-1] or 'people'}.{self.name}"


ORG = "/organisations/{w.organisation}"
FUND = "/funds/{w.fund}"
PROJECT = "/projects/{w.project}"
NEW_ORGANISATION = {"kind": "advisory_group", "name": "法律顾问团", "jurisdiction": VILLAGE}
NEW_PROJECT = {"title": "老年食堂", "category": "elderly_care", "lead_organisation_id": "{w.organisation}"}

TEXT_FIELDS = [
    Field("/people", {"name": "王芳"}, "name"),
    Field("/people/{w.person}/erasure", ERASURE, "reason"),
    Field("/people/{w.person}/erasure", ERASURE, "request_reference"),
    Field("/organisations", NEW_ORGANISATION, "name"),
    Field("/organisations", NEW_ORGANISATION, "charter", lines=True, required=False),
    Field(f"{ORG}/members/{{w.member}}/departure", {"reason": "left"}, "note", lines=True, required=False),
    Field(f"{ORG}/suspension", {"reason": "换届整顿"}, "reason"),
    Field(f"{ORG}/dissolution", {"reason": "并入"}, "reason"),
    Field("/projects", NEW_PROJECT, "title"),
    Field("/projects", NEW_PROJECT, "category"),
    Field("/projects", NEW_PROJECT, "description", lines=True, required=False),
    Field(f"{PROJECT}/progress", {"note": "完成选址"}, "note", lines=True),
    Field(f"{PROJECT}/completion", {"outcome": "食堂开业"}, "outcome", lines=True),
    Field(f"{PROJECT}/cancellation", {"reason": "并入县道工程"}, "reason"),
    Field(
        "/funds",
        {"organisation_id": "{w.organisation}", "name": "助学基金", "purposes": ["education"]},
        "name",
    ),
    Field(f"{FUND}/donations", {"amount_fen": 100, "donor_name": "沈先生"}, "donor_name"),
    Field(f"{FUND}/disbursements", {"amount_fen": 100, "purpose": "education", "payee": "村小学"}, "payee"),
    Field(f"{FUND}/disbursements/{{w.disbursement}}/rejection", {"reason": "不合规"}, "reason"),
    Field(f"{FUND}/disbursements/{{w.disbursement}}/payment", {}, "reference", required=False),
]

HIDDEN = {
    "zero width space": "\u200b",
    "right-to-left mark": "\u200f",
    "byte order mark": "\ufeff",
    "only invisibles, padded": " \u200b\u200f\ufeff ",
    "zero width space inside": "王\u200b芳",
    "right-to-left override inside": "王\u202e芳",
    "bell inside": "王\x07芳",
    "line separator inside": "王\u2028芳",
}
"""Refused in every text field."""
BLANK = {"empty": "", "spaces": "   ", "ideographic space": "\u3000", "Hangul filler": "\u3164"}
"""Refused where text must say something."""
BREAKS = {"line break": "王\n芳", "CR LF": "王\r\n芳", "tab": "王\t芳"}
"""Refused in one-line text, taken by multi-line text."""


def send(api: Api, world: World, field: Field, value: Any) -> tuple[str, dict[str, Any]]:
    path = field.path.format(w=world)
    body = {key: v.format(w=world) if isinstance(v, str) else v for key, v in field.body.items()}
    return path, {**body, field.name: value}


def refused_text() -> Iterator[Any]:
    for field in TEXT_FIELDS:
        values = dict(HIDDEN)
        if field.required:
            values |= BLANK
        if not field.lines:
            values |= BREAKS
        for label, value in values.items():
            yield pytest.param(field, value, id=f"{field}-{label}")


@pytest.mark.parametrize(("field", "value"), list(refused_text()))
def test_text_nobody_types_is_refused_naming_the_field(
    shared_api: Api, world: World, field: Field, value: str
) -> None:
    path, body = send(shared_api, world, field, value)

    shared_api.refuses(path, body, status=422, field=field.name)


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=str)
def test_text_must_be_a_string(shared_api: Api, world: World, field: Field) -> None:
    path, body = send(shared_api, world, field, 42)

    shared_api.refuses(path, body, status=422, field=field.name)


def test_text_is_stored_in_nfc_and_trimmed(api: Api) -> None:
    person = api.person("  Jose\u0301 Zhang\u3000")
    charter = "\n第一条\u3000本会宗旨\r\n第二条\tcafe\u0301 👨\u200d👩\u200d👧\n\n"
    organisation = api.organisation(
        name="Cafe\u0301 议事会", jurisdiction="浙江省/Cafe\u0301村", charter=charter
    )

    assert api.get(f"/people/{person}")["name"] == "José Zhang"
    stored = api.get(f"/organisations/{organisation}")
    assert stored["name"] == "Café 议事会"
    assert stored["jurisdiction"] == "浙江省/Café村"
    assert stored["charter"] == "第一条\u3000本会宗旨\n第二条\tcafé 👨\u200d👩\u200d👧"
    history = api.read(f"/audit/streams/{organisation}/events").json()["items"]
    assert history[0]["payload"]["name"] == "Café 议事会"


# Jurisdictions

BAD_JURISDICTIONS = {
    "dot": ".",
    "dot dot": "..",
    "dots up": "../..",
    "dot inside": "浙江省/./嘉兴市",
    "dot dot at the end": "浙江省/..",
    "byte order mark": "\ufeff",
    "invisible segment": "浙江省/\u200b/x",
    "blank segment": "浙江省/\u3000/x",
    "empty segment": "浙江省//嘉兴市",
    "padded segment": "浙江省/ 嘉兴市",
    "right-to-left mark inside": "浙江省/嘉兴\u200f市",
    "line break inside": "浙江省/嘉兴\n市",
    "nine segments": "/".join("abcdefghi"),
}


@pytest.mark.parametrize("value", BAD_JURISDICTIONS.values(), ids=BAD_JURISDICTIONS.keys())
def test_a_malformed_jurisdiction_is_refused_naming_the_field(shared_api: Api, value: str) -> None:
    shared_api.refuses(
        "/organisations", {**NEW_ORGANISATION, "jurisdiction": value}, status=422, field="jurisdiction"
    )
    for path in ("/views/projects", "/views/statistics"):
        response = shared_api.client.get(path, params={"jurisdiction": value})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "query.jurisdiction"


# Business dates

TODAY = date.today()
BAD_DATES: dict[str, Any] = {
    "zero": 0,
    "a number": 20240105,
    "true": True,
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "before the republic": "1949-09-30",
    "beyond two years": (TODAY + timedelta(days=731)).isoformat(),
    "unpadded": "2024-1-5",
    "with a time": "2024-01-05T00:00:00",
    "slashes": "2024/01/05",
    "padded": " 2024-01-05",
    "no such day": "2024-02-30",
}
DATED = {
    "joined_on": (f"{ORG}/members", {"person_id": "{w.person}", "role": "member"}),
    "received_on": (f"{FUND}/donations", {"amount_fen": 100, "donor_name": "沈先生"}),
    "paid_on": (f"{FUND}/disbursements/{{w.disbursement}}/payment", {}),
}


@pytest.mark.parametrize("value", BAD_DATES.values(), ids=BAD_DATES.keys())
@pytest.mark.parametrize("name", DATED)
def test_a_business_date_is_an_iso_string_in_range(
    shared_api: Api, world: World, name: str, value: Any
) -> None:
    path, body = DATED[name]
    path, body = send(shared_api, world, Field(path, body, name), value)

    shared_api.refuses(path, body, status=422, field=name)


def test_business_dates_run_from_1949_10_01_to_two_years_from_today(api: Api) -> None:
    organisation = api.organisation()
    fund = api.fund(organisation)
    latest = (TODAY + timedelta(days=730)).isoformat()

    api.member(organisation, joined_on="1949-10-01")
    api.member(organisation, joined_on=latest)
    api.donate(fund, 100, received_on="1949-10-01")

    joined = sorted(m["joined_on"] for m in api.get(f"/organisations/{organisation}")["members"])
    assert joined == ["1949-10-01", latest]


@pytest.mark.parametrize("value", ["0", "20240105", "2024-1-5", "2024-01-05T00:00:00"])
def test_a_business_date_in_a_query_is_an_iso_string_too(shared_api: Api, world: World, value: str) -> None:
    response = shared_api.client.get(f"/views/funds/{world.fund}", params={"on": value})

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "query.on"
