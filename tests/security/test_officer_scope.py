"""Officers act for their organisations only: on the organisation, the funds it owns,
the projects it leads and its members. Another organisation's objects are as unknown
to them as ids that do not exist. Disbursements are approved by an officer of the
fund's organisation other than the one who asked; a coordination council's officers
act on the council, not on its member organisations."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

from domain.principals import PrincipalRole
from tests.conftest import assert_problem
from tests.security.worlds import (
    A_DISTRICT,
    A_JURISDICTION,
    B_CITY,
    World,
    audit_events,
    integration,
    officer,
)

if TYPE_CHECKING:
    import httpx

    from tests.conftest import Api


def as_unknown(api: Api, path: str, known: str, headers: dict[str, str]) -> httpx.Response:
    """The answer to ``path`` with ``known`` replaced by an id that does not exist."""
    return api.client.get(path.replace(known, str(uuid4())), headers=headers)


def same_problem(one: httpx.Response, other: httpx.Response) -> bool:
    def shape(response: httpx.Response) -> dict[str, Any]:
        body: dict[str, Any] = response.json()
        return {k: v for k, v in body.items() if k not in ("detail", "instance")}

    return one.status_code == other.status_code and shape(one) == shape(other)


# Another organisation's objects


def test_an_officer_of_b_finds_none_of_as_objects(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    officer_a = officer(api, "chen.a", a.organisation)
    officer_b = officer(api, "zhou.b", world.b.organisation)

    for path, known in [
        (f"/organisations/{a.organisation}", a.organisation),
        (f"/funds/{a.fund}", a.fund),
        (f"/projects/{a.project}", a.project),
        (f"/people/{a.person}", a.person),
        (f"/views/organisations/{a.organisation}/members", a.organisation),
        (f"/views/people/{a.person}/memberships", a.person),
        (f"/views/projects/{a.project}", a.project),
        (f"/views/funds/{a.fund}", a.fund),
        (f"/views/funds/{a.fund}/ledger", a.fund),
    ]:
        assert api.client.get(path, headers=officer_a).status_code == 200, path
        hidden = api.client.get(path, headers=officer_b)
        problem = assert_problem(hidden, 404)
        assert problem["detail"] == f"No {problem['detail'].split()[1]} with id {known}"
        unknown = as_unknown(api, path, known, officer_b)
        assert same_problem(hidden, unknown), (hidden.text, unknown.text)


def test_an_officer_of_b_reads_bs_own_objects(shared_api: Api, world: World) -> None:
    officer_b = officer(shared_api, "zhou.b2", world.b.organisation)
    b = world.b

    for path in (
        f"/organisations/{b.organisation}",
        f"/funds/{b.fund}",
        f"/projects/{b.project}",
        f"/people/{b.person}",
    ):
        assert shared_api.client.get(path, headers=officer_b).status_code == 200, path


def test_an_officer_of_b_cannot_act_on_as_objects(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    officer_b = officer(api, "zhou.b3", world.b.organisation)

    for path, body in [
        (f"/organisations/{a.organisation}/members", {"person_id": world.b.person, "role": "member"}),
        (f"/organisations/{a.organisation}/members/{a.person}/departure", {"reason": "expelled"}),
        (f"/funds/{a.fund}/donations", {"amount_fen": 100, "donor_name": "周先生"}),
        (f"/funds/{a.fund}/disbursements", {"amount_fen": 100, "purpose": "education", "payee": "周先生"}),
        (f"/funds/{a.fund}/disbursements/{a.disbursement}/approvals", {}),
        (f"/funds/{a.fund}/disbursements/{a.disbursement}/rejection", {"reason": "不合规"}),
        (f"/funds/{a.fund}/disbursements/{a.disbursement}/payment", {}),
        (f"/projects/{a.project}/approval", {}),
        (f"/projects/{a.project}/cancellation", {"reason": "不合规"}),
    ]:
        api.refuses(path, body, status=404, headers=officer_b)


def test_an_officer_of_b_cannot_name_a_in_a_body_any_more_than_an_unknown_id(
    shared_api: Api, world: World
) -> None:
    api = shared_api
    officer_b = officer(api, "zhou.b4", world.b.organisation)

    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("/funds", "organisation_id", {"name": "助学基金", "purposes": ["education"]}),
        ("/projects", "lead_organisation_id", {"title": "老年食堂", "category": "elderly_care"}),
    ]
    for path, field, body in cases:
        named_a = api.refuses(
            path, {**body, field: world.a.organisation}, status=422, field=field, headers=officer_b
        )
        unknown = str(uuid4())
        named_nothing = api.refuses(
            path, {**body, field: unknown}, status=422, field=field, headers=officer_b
        )
        assert named_a["errors"] == [
            {**error, "message": error["message"].replace(unknown, world.a.organisation)}
            for error in named_nothing["errors"]
        ]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode(),
        lambda text: text.encode("utf-16"),
        lambda text: text.encode("utf-32-le"),
    ],
    ids=["utf-8 with BOM", "utf-16", "utf-32"],
)
def test_a_body_in_another_encoding_names_nothing_more(
    shared_api: Api, world: World, encode: Callable[[str], bytes]
) -> None:
    """JSON may come as UTF-16 or UTF-32, or with a BOM: the check of whom a body names
    reads it as the command does."""
    api = shared_api
    officer_b = officer(api, "zhou.encodings", world.b.organisation)
    outside = integration(api, "jiaxing.encodings", B_CITY)

    cases: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
        ("/funds", "organisation_id", {"name": "助学基金", "purposes": ["education"]}, officer_b),
        ("/projects", "lead_organisation_id", {"title": "老年食堂", "category": "elderly_care"}, outside),
    ]
    for path, field, body, headers in cases:
        named_a = json.dumps({**body, field: world.a.organisation}, ensure_ascii=False)
        api.refuses(path, status=422, field=field, headers=headers, content=encode(named_a))
    registration = {"kind": "mutual_aid_association", "name": "邻里互助会", "jurisdiction": A_JURISDICTION}
    content = encode(json.dumps(registration, ensure_ascii=False))
    api.refuses("/organisations", status=403, field="jurisdiction", headers=outside, content=content)


def test_officers_neither_register_nor_supervise_organisations(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    officer_a = officer(api, "chen.a2", a.organisation)

    api.refuses(
        "/organisations",
        {
            "kind": "mutual_aid_association",
            "name": "邻里互助会",
            "jurisdiction": "浙江省/金华市/金东区/多湖街道",
        },
        status=403,
        headers=officer_a,
    )
    api.refuses(
        f"/organisations/{a.organisation}/suspension", {"reason": "整顿"}, status=403, headers=officer_a
    )
    api.refuses(f"/organisations/{a.organisation}/suspension", status=403, headers=officer_a, method="DELETE")
    api.refuses(
        f"/organisations/{a.organisation}/dissolution", {"reason": "解散"}, status=403, headers=officer_a
    )


def test_an_officer_reads_a_partner_project_but_only_the_lead_runs_it(api: Api) -> None:
    lead = api.organisation(name="多湖街道居民自治委员会", jurisdiction="浙江省/金华市/金东区/多湖街道")
    partner = api.organisation(
        name="多湖街道乡贤参事会", kind="sage_association", jurisdiction="浙江省/金华市/金东区/多湖街道"
    )
    project = api.project(lead, partner_organisation_ids=[partner])
    of_partner = officer(api, "partner.officer", partner)
    of_lead = officer(api, "lead.officer", lead)

    assert api.client.get(f"/projects/{project}", headers=of_partner).status_code == 200
    api.refuses(f"/projects/{project}/approval", {}, status=404, headers=of_partner)
    api.command(f"/projects/{project}/approval", {}, headers=of_lead)


def test_an_officer_of_several_organisations_acts_on_each(api: Api) -> None:
    first, second = (
        api.organisation(),
        api.organisation(name="龙翔街道新居民互助会", kind="mutual_aid_association"),
    )
    both = officer(api, "two.hats", first, second)

    for organisation in (first, second):
        api.command(
            "/funds",
            {"organisation_id": organisation, "name": "互助金", "purposes": ["relief"]},
            status=201,
            headers=both,
        )


# Disbursements


def test_the_approver_is_another_officer_of_the_funds_organisation(api: Api) -> None:
    owner = api.organisation(
        name="多湖街道乡贤参事会", kind="sage_association", jurisdiction="浙江省/金华市/金东区/多湖街道"
    )
    other = api.organisation(name="龙翔街道居民自治委员会")
    council = api.council()
    api.command(f"/organisations/{council}/member-organisations", {"organisation_id": owner}, status=201)
    fund = api.fund(owner)
    api.donate(fund, 50_000)
    requester = officer(api, "wang.requester", owner)
    accepted = api.command(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 20_000, "purpose": "elderly_care", "payee": "多湖街道养老服务站"},
        status=201,
        headers=requester,
    )
    approvals = f"/funds/{fund}/disbursements/{accepted['disbursement_id']}/approvals"

    api.refuses(approvals, status=409, headers=requester)
    api.refuses(approvals, status=403, headers=api.headers())  # an admin
    api.refuses(
        approvals,
        status=403,
        headers=api.key(
            "finance.bureau", PrincipalRole.INTEGRATION, jurisdictions=[A_DISTRICT], scopes=["funds:write"]
        ),
    )
    api.refuses(approvals, status=404, headers=officer(api, "li.other", other))
    api.refuses(approvals, status=404, headers=officer(api, "zhao.council", council))
    # The requester's other keys are the same principal.
    api.refuses(approvals, status=409, headers=officer(api, "wang.requester", owner))
    api.command(approvals, headers=officer(api, "sun.approver", owner))

    disbursement = api.get(f"/funds/{fund}")["disbursements"][0]
    assert disbursement["status"] == "approved"
    assert disbursement["requested_by"] == "wang.requester"
    assert disbursement["approvals"] == ["sun.approver"]
    actors = [e["actor"] for e in audit_events(api, fund)]
    assert actors[-2:] == ["wang.requester", "sun.approver"]


def test_a_rejection_is_likewise_for_the_funds_own_officers(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 5_000)
    rejection = f"/funds/{fund}/disbursements/{disbursement}/rejection"

    api.refuses(rejection, {"reason": "不合规"}, status=403, headers=api.headers())  # an admin
    api.refuses(
        rejection, {"reason": "不合规"}, status=404, headers=officer(api, "li.elsewhere", api.organisation())
    )
    api.command(rejection, {"reason": "不合规"}, headers=api.officer("sun.treasurer", fund))


# Coordination councils


def test_a_council_officer_acts_on_the_council_not_on_its_members(api: Api) -> None:
    member = api.organisation(name="多湖街道居民自治委员会", jurisdiction="浙江省/金华市/金东区/多湖街道")
    council = api.organisation("coordination_council", "多湖街道共治协调会", "浙江省/金华市/金东区/多湖街道")
    api.command(f"/organisations/{council}/member-organisations", {"organisation_id": member}, status=201)
    member_fund = api.fund(member)
    member_project = api.project(member)
    person = api.member(member, api.person("陈静"))
    of_council = officer(api, "council.secretary", council)

    # On the council itself.
    assert api.client.get(f"/organisations/{council}", headers=of_council).status_code == 200
    api.command(
        f"/organisations/{council}/members",
        {"person_id": person, "role": "liaison_representative"},
        status=201,
        headers=of_council,
    )
    council_fund = api.command(
        "/funds",
        {"organisation_id": council, "name": "共治基金", "purposes": ["relief"]},
        status=201,
        headers=of_council,
    )
    assert api.client.get(f"/funds/{council_fund['id']}", headers=of_council).status_code == 200

    # Not on its member organisation, nor on what that owns.
    for path in (
        f"/organisations/{member}",
        f"/funds/{member_fund}",
        f"/projects/{member_project}",
        f"/views/organisations/{member}/members",
    ):
        assert_problem(api.client.get(path, headers=of_council), 404)
    api.refuses(
        f"/organisations/{member}/members",
        {"person_id": api.person(), "role": "member"},
        status=404,
        headers=of_council,
    )
    api.refuses(
        f"/funds/{member_fund}/donations",
        {"amount_fen": 100, "donor_name": "陈女士"},
        status=404,
        headers=of_council,
    )
    api.refuses(f"/projects/{member_project}/approval", {}, status=404, headers=of_council)
    api.refuses(
        "/funds",
        {"organisation_id": member, "name": "互助金", "purposes": ["relief"]},
        status=422,
        field="organisation_id",
        headers=of_council,
    )
    api.refuses(
        "/projects",
        {"title": "老年食堂", "category": "elderly_care", "lead_organisation_id": member},
        status=422,
        field="lead_organisation_id",
        headers=of_council,
    )


def test_a_member_organisations_officer_does_not_act_on_the_council(api: Api) -> None:
    member = api.organisation()
    council = api.council()
    api.command(f"/organisations/{council}/member-organisations", {"organisation_id": member}, status=201)

    api.refuses(
        f"/organisations/{council}/members",
        {"person_id": api.person(), "role": "member"},
        status=404,
        headers=officer(api, "member.chair", member),
    )


# The actor


def test_the_actor_recorded_is_the_keys_principal_whatever_x_actor_says(api: Api) -> None:
    fund = api.fund()
    treasurer = officer(api, "sun.treasurer", api.get(f"/funds/{fund}")["organisation_id"])

    api.command(
        f"/funds/{fund}/donations",
        {"amount_fen": 100, "donor_name": "沈先生"},
        status=201,
        headers={**treasurer, "X-Actor": "mayor"},
    )

    last = audit_events(api, fund)[-1]
    assert last["actor"] == "sun.treasurer"
    assert "on_behalf_of" not in last or last["on_behalf_of"] is None


def test_on_behalf_of_is_for_integrations_only(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    body = {"amount_fen": 100, "donor_name": "沈先生"}

    for headers in (officer(api, "chen.a3", a.organisation), api.headers()):
        problem = api.refuses(
            f"/funds/{a.fund}/donations", body, status=400, headers={**headers, "On-Behalf-Of": "zhang.wei"}
        )
        assert problem["errors"][0]["field"] == "On-Behalf-Of"
    api.refuses(
        f"/funds/{a.fund}/donations",
        body,
        status=400,
        headers={**integration(api, "civil.affairs", A_DISTRICT), "On-Behalf-Of": "zhang wei;drop"},
    )
