"""What every command endpoint shares: the headers it requires, the JSON it accepts,
the ids it resolves, and the If-Match precondition. Nothing refused is recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

from tests.conftest import assert_problem

if TYPE_CHECKING:
    from tests.conftest import Api


@dataclass(frozen=True)
class Endpoint:
    """A command endpoint; ``{name}`` placeholders in the path and body name ids in the world."""

    method: str
    path: str
    body: dict[str, Any] | None
    takes_body: bool = True

    def resolve(self, ids: dict[str, str]) -> tuple[str, dict[str, Any] | None]:
        body = None if self.body is None else {k: _fill(v, ids) for k, v in self.body.items()}
        return self.path.format(**ids), body


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


ORG = "/organisations/{org}"
PROJECT = "/projects/{project}"
FUND = "/funds/{fund}"
DISBURSEMENT = "/funds/{fund}/disbursements/{disbursement}"

ENDPOINTS = {
    "register_person": Endpoint("POST", "/people", {"name": "李明"}),
    "register_organisation": Endpoint(
        "POST",
        "/organisations",
        {"kind": "sage_association", "name": "乡贤参事会", "jurisdiction": "浙江省/嘉兴市"},
    ),
    "admit_member": Endpoint("POST", ORG + "/members", {"person_id": "{person}", "role": "member"}),
    "change_member_role": Endpoint("POST", ORG + "/members/{chair}/role", {"role": "secretary"}),
    "record_departure": Endpoint("POST", ORG + "/members/{chair}/departure", {"reason": "left"}),
    "suspend_organisation": Endpoint("POST", ORG + "/suspension", {"reason": "换届整顿"}),
    "reinstate_organisation": Endpoint("DELETE", ORG + "/suspension", None, takes_body=False),
    "dissolve_organisation": Endpoint("POST", ORG + "/dissolution", {"reason": "合并"}),
    "join_council": Endpoint(
        "POST", "/organisations/{council}/member-organisations", {"organisation_id": "{org}"}
    ),
    "leave_council": Endpoint("POST", "/organisations/{council}/member-organisations/{unit}/departure", None),
    "propose_project": Endpoint(
        "POST",
        "/projects",
        {"title": "口袋公园", "category": "environment", "lead_organisation_id": "{org}"},
    ),
    "approve_project": Endpoint("POST", PROJECT + "/approval", None),
    "start_project": Endpoint("POST", PROJECT + "/start", None),
    "report_progress": Endpoint("POST", PROJECT + "/progress", {"note": "完成选址", "beneficiaries": 3}),
    "complete_project": Endpoint("POST", PROJECT + "/completion", {"outcome": "已建成"}),
    "cancel_project": Endpoint("POST", PROJECT + "/cancellation", {"reason": "资金不足"}),
    "open_fund": Endpoint(
        "POST", "/funds", {"organisation_id": "{org}", "name": "助学基金", "purposes": ["education"]}
    ),
    "receive_donation": Endpoint("POST", FUND + "/donations", {"amount_fen": 500, "donor_name": "陈女士"}),
    "request_disbursement": Endpoint(
        "POST", FUND + "/disbursements", {"amount_fen": 500, "purpose": "elderly_care", "payee": "敬老院"}
    ),
    "approve_disbursement": Endpoint("POST", DISBURSEMENT + "/approvals", None),
    "reject_disbursement": Endpoint("POST", DISBURSEMENT + "/rejection", {"reason": "票据不全"}),
    "pay_disbursement": Endpoint("POST", DISBURSEMENT + "/payment", {"reference": "转账 0001"}),
}
WITH_PATH_IDS = {name: e for name, e in ENDPOINTS.items() if "{" in e.path}

# Each id in a path, and an id of another kind of aggregate that must not be mistaken for it.
FOREIGN = {"org": "fund", "council": "project", "project": "org", "fund": "org", "person": "org"}


def build_world(api: Api) -> dict[str, str]:
    """One of everything: an organisation with a chair, a council with a member unit,
    a proposed project, and a fund with a donation and a requested disbursement."""
    org = api.organisation()
    council = api.council()
    unit = api.organisation(kind="mutual_aid_association", name="邻里互助会")
    api.command(f"/organisations/{council}/member-organisations", {"organisation_id": unit}, status=201)
    fund = api.fund(org)
    api.donate(fund, 10_000)
    return {
        "org": org,
        "council": council,
        "unit": unit,
        "person": api.person(),
        "chair": api.member(org, role="chair"),
        "project": api.project(org),
        "fund": fund,
        "disbursement": api.disbursement(fund, 1_000),
    }


DECIDED_BY_OFFICERS = {"approve_disbursement", "reject_disbursement"}


def allowed(api: Api, world: dict[str, str], name: str) -> dict[str, str]:
    """Headers of a principal who may send this command: an officer of the fund's
    organisation for the decisions only officers make, the admin otherwise."""
    return api.officer("officer", world["fund"]) if name in DECIDED_BY_OFFICERS else {}


@pytest.fixture(scope="module")
def shared_world(shared_api: Api) -> dict[str, str]:
    """For tests that only send refused commands: built once per module and backend."""
    return build_world(shared_api)


@pytest.mark.parametrize(("name", "endpoint"), ENDPOINTS.items(), ids=ENDPOINTS.keys())
def test_every_command_refuses_a_malformed_request(
    shared_api: Api, shared_world: dict[str, str], name: str, endpoint: Endpoint
) -> None:
    path, body = endpoint.resolve(shared_world)
    method = endpoint.method
    headers = allowed(shared_api, shared_world, name)

    shared_api.refuses(path, body, method=method, anonymous=True, status=401)
    if endpoint.takes_body:
        malformed = shared_api.refuses(path, method=method, content=b"{bad", headers=headers, status=400)
        assert malformed["title"] == "Malformed JSON"
        surprise = {**(body or {}), "surprise": 1}
        shared_api.refuses(path, surprise, method=method, headers=headers, status=422, field="surprise")


@pytest.mark.parametrize(("name", "endpoint"), WITH_PATH_IDS.items(), ids=WITH_PATH_IDS.keys())
def test_every_command_refuses_a_wrong_target(
    shared_api: Api, shared_world: dict[str, str], name: str, endpoint: Endpoint
) -> None:
    """An unknown id, an id of another kind of aggregate, a malformed id, a stale version."""
    target = endpoint.path.split("/")[2].strip("{}")
    parameter = {"org": "organisation_id", "council": "organisation_id"}.get(target, f"{target}_id")
    method = endpoint.method
    headers = allowed(shared_api, shared_world, name)

    for wrong_id in (str(uuid4()), shared_world[FOREIGN[target]]):
        path, body = endpoint.resolve({**shared_world, target: wrong_id})
        shared_api.refuses(path, body, method=method, headers=headers, status=404)

    path, body = endpoint.resolve({**shared_world, target: "not-a-uuid"})
    shared_api.refuses(path, body, method=method, headers=headers, status=422, field=f"path.{parameter}")

    path, body = endpoint.resolve(shared_world)
    stale = shared_api.get("/".join(path.split("/")[:3]))["version"] + 1
    stale_headers = {**headers, "If-Match": f'"{stale}"'}
    problem = shared_api.refuses(path, body, method=method, headers=stale_headers, status=412)
    assert problem["title"] == "Precondition failed"


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer gzk_unknown", "Bearer " + "x" * 300]
)
def test_a_missing_or_malformed_key_is_unauthenticated(
    shared_api: Api, shared_world: dict[str, str], authorization: str
) -> None:
    path, body = ENDPOINTS["receive_donation"].resolve(shared_world)
    response = shared_api.client.post(path, json=body, headers={"Authorization": authorization})

    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="gongzhi"')


def test_the_actor_is_the_key_holder_whatever_x_actor_says(api: Api) -> None:
    person = api.command("/people", {"name": "王芳"}, status=201, headers={"X-Actor": "someone_else"})["id"]

    events = api.read(f"/audit/streams/{person}/events").json()["items"]

    assert [event["actor"] for event in events] == ["clerk"]


def test_an_unknown_disbursement_of_a_known_fund_is_not_found(
    shared_api: Api, shared_world: dict[str, str]
) -> None:
    for name in ("approve_disbursement", "reject_disbursement", "pay_disbursement"):
        path, body = ENDPOINTS[name].resolve({**shared_world, "disbursement": str(uuid4())})

        problem = shared_api.refuses(path, body, status=404)

        assert "disbursement" in problem["detail"]


@pytest.mark.parametrize("resource", ["people", "organisations", "projects", "funds"])
def test_reading_an_unknown_id_is_not_found(shared_api: Api, resource: str) -> None:
    response = shared_api.client.get(f"/{resource}/{uuid4()}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail"} <= response.json().keys()


@pytest.mark.parametrize(
    ("resource", "other"),
    [("people", "org"), ("organisations", "person"), ("projects", "fund"), ("funds", "project")],
)
def test_reading_an_id_of_another_kind_is_not_found(
    shared_api: Api, shared_world: dict[str, str], resource: str, other: str
) -> None:
    response = shared_api.client.get(f"/{resource}/{shared_world[other]}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_a_missing_body_names_the_body(shared_api: Api, shared_world: dict[str, str]) -> None:
    path, _ = ENDPOINTS["receive_donation"].resolve(shared_world)

    shared_api.refuses(path, None, status=422, field="body")


def test_a_body_that_is_not_an_object_is_invalid(shared_api: Api, shared_world: dict[str, str]) -> None:
    path, _ = ENDPOINTS["approve_project"].resolve(shared_world)

    shared_api.refuses(path, [1, 2], status=422, field="body")


# If-Match


def test_a_command_with_the_current_version_in_if_match_succeeds(api: Api) -> None:
    fund = api.fund()
    etag = api.client.get(f"/funds/{fund}").headers["ETag"]

    accepted = api.command(
        f"/funds/{fund}/donations",
        {"amount_fen": 100, "donor_name": "陈女士"},
        status=201,
        headers={"If-Match": etag},
    )

    assert f'"{accepted["version"] - 1}"' == etag


def test_a_weak_or_wildcard_if_match_is_accepted(api: Api) -> None:
    project = api.project()

    approved = api.command(f"/projects/{project}/approval", headers={"If-Match": 'W/"1"'})
    started = api.command(f"/projects/{project}/start", headers={"If-Match": "*"})

    assert (approved["version"], started["version"]) == (2, 3)


def test_an_if_match_that_is_not_an_entity_tag_is_a_bad_request(
    shared_api: Api, shared_world: dict[str, str]
) -> None:
    path, body = ENDPOINTS["receive_donation"].resolve(shared_world)

    shared_api.refuses(path, body, headers={"If-Match": "yesterday"}, status=400, field="If-Match")


def test_if_match_after_a_concurrent_change_is_a_failed_precondition(api: Api) -> None:
    fund = api.fund()
    etag = api.client.get(f"/funds/{fund}").headers["ETag"]
    api.donate(fund, 200, donor_name="另一位经办人")

    api.refuses(
        f"/funds/{fund}/donations",
        {"amount_fen": 100, "donor_name": "陈女士"},
        headers={"If-Match": etag},
        status=412,
    )
