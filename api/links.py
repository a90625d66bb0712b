"""OpenAPI links: where the id a command creates leads, for clients (and stateful tests)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

ID = "$response.body#/id"
POSITION = "$response.body#/position"
"""Reads of the views wait until they have applied the command (read-your-writes)."""


def _operation_ref(method: str, path: str) -> str:
    """``#/paths/~1people~1%7Bperson_id%7D/get``: a JSON pointer (RFC 6901) in a URI fragment."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{quote(pointer, safe='~')}/{method.lower()}"


def to(method: str, path: str, body: dict[str, str] | None = None, **parameters: str) -> dict[str, Any]:
    link: dict[str, Any] = {"operationRef": _operation_ref(method, path), "parameters": parameters}
    if body is not None:
        link["requestBody"] = body
    return link


def _view(path: str, **parameters: str) -> dict[str, Any]:
    link = to("GET", path)
    link["parameters"] = {**parameters, "min_position": POSITION}
    return link


def _organisation(path: str, method: str = "POST") -> dict[str, Any]:
    return to(method, f"/organisations/{{organisation_id}}{path}", organisation_id=ID)


def _project(path: str, method: str = "POST") -> dict[str, Any]:
    return to(method, f"/projects/{{project_id}}{path}", project_id=ID)


def _fund(path: str, method: str = "POST") -> dict[str, Any]:
    return to(method, f"/funds/{{fund_id}}{path}", fund_id=ID)


HISTORY = to("GET", "/audit/streams/{aggregate_id}/events", aggregate_id=ID)
IN_PATH_ORGANISATION = "$request.path.organisation_id"
IN_PATH_FUND = "$request.path.fund_id"

LINKS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("POST", "/people"): {
        "GetPerson": to("GET", "/people/{person_id}", person_id=ID),
        "GetMemberships": _view("/views/people/{person_id}/memberships", person_id=ID),
        "ErasePerson": to("POST", "/people/{person_id}/erasure", person_id=ID),
        "GetHistory": HISTORY,
    },
    ("POST", "/organisations"): {
        "GetOrganisation": _organisation("", "GET"),
        "AdmitMember": _organisation("/members"),
        "Suspend": _organisation("/suspension"),
        "Reinstate": _organisation("/suspension", "DELETE"),
        "Dissolve": _organisation("/dissolution"),
        "AdmitMemberOrganisation": _organisation("/member-organisations"),
        "GetMembers": _view("/views/organisations/{organisation_id}/members", organisation_id=ID),
        "GetDepartures": _view("/views/organisations/{organisation_id}/departures", organisation_id=ID),
        "ProposeProject": to("POST", "/projects", body={"lead_organisation_id": ID}),
        "OpenFund": to("POST", "/funds", body={"organisation_id": ID}),
        "ReceiveMediationCase": to("POST", "/mediation-cases", body={"organisation_id": ID}),
        "ReportHazard": to("POST", "/hazards", body={"organisation_id": ID}),
        "HoldActivity": _organisation("/activities"),
        "GetPointsBook": _organisation("/points", "GET"),
        "AdjustPoints": _organisation("/points/adjustments"),
        "DeclareDividend": _organisation("/dividends"),
        "GetHistory": HISTORY,
    },
    ("POST", "/organisations/{organisation_id}/members"): {
        "ChangeRole": to(
            "POST",
            "/organisations/{organisation_id}/members/{person_id}/role",
            organisation_id=IN_PATH_ORGANISATION,
            person_id="$request.body#/person_id",
        ),
        "RecordDeparture": to(
            "POST",
            "/organisations/{organisation_id}/members/{person_id}/departure",
            organisation_id=IN_PATH_ORGANISATION,
            person_id="$request.body#/person_id",
        ),
    },
    ("POST", "/organisations/{organisation_id}/member-organisations"): {
        "LeaveCouncil": to(
            "POST",
            "/organisations/{organisation_id}/member-organisations/{member_id}/departure",
            organisation_id=IN_PATH_ORGANISATION,
            member_id="$request.body#/organisation_id",
        ),
    },
    ("POST", "/projects"): {
        "GetProject": _project("", "GET"),
        "Approve": _project("/approval"),
        "Start": _project("/start"),
        "ReportProgress": _project("/progress"),
        "Complete": _project("/completion"),
        "Cancel": _project("/cancellation"),
        "GetProjectView": _view("/views/projects/{project_id}", project_id=ID),
        "GetHistory": HISTORY,
    },
    ("POST", "/funds"): {
        "GetFund": _fund("", "GET"),
        "ReceiveDonation": _fund("/donations"),
        "RequestDisbursement": _fund("/disbursements"),
        "GetFundView": _view("/views/funds/{fund_id}", fund_id=ID),
        "GetLedger": _view("/views/funds/{fund_id}/ledger", fund_id=ID),
        "GetHistory": HISTORY,
    },
    ("POST", "/funds/{fund_id}/donations"): {
        "GetFund": to("GET", "/funds/{fund_id}", fund_id=IN_PATH_FUND),
    },
    ("POST", "/funds/{fund_id}/disbursements"): {
        **{
            name: to(
                "POST",
                f"/funds/{{fund_id}}/disbursements/{{disbursement_id}}/{step}",
                fund_id=IN_PATH_FUND,
                disbursement_id="$response.body#/disbursement_id",
            )
            for name, step in (("Approve", "approvals"), ("Reject", "rejection"), ("Pay", "payment"))
        },
        "GetFund": to("GET", "/funds/{fund_id}", fund_id=IN_PATH_FUND),
    },
}


def _case(path: str, method: str = "POST") -> dict[str, Any]:
    return to(method, f"/mediation-cases/{{case_id}}{path}", case_id=ID)


def _hazard(path: str, method: str = "POST") -> dict[str, Any]:
    return to(method, f"/hazards/{{hazard_id}}{path}", hazard_id=ID)


LINKS |= {
    ("POST", "/mediation-cases"): {
        "GetMediationCase": _case("", "GET"),
        "AssignMediator": _case("/assignment"),
        "HoldSession": _case("/sessions"),
        "SignAgreement": _case("/agreement"),
        "RecordFailure": _case("/failure"),
        "Withdraw": _case("/withdrawal"),
        "GetHistory": HISTORY,
    },
    ("POST", "/hazards"): {
        "GetHazard": _hazard("", "GET"),
        "AssignHazard": _hazard("/assignment"),
        "Rectify": _hazard("/rectification"),
        "Verify": _hazard("/verification"),
        "GetHistory": HISTORY,
    },
    ("POST", "/organisations/{organisation_id}/activities"): {
        "GetActivity": to("GET", "/activities/{activity_id}", activity_id=ID),
        "RecordService": to("POST", "/activities/{activity_id}/service", activity_id=ID),
    },
    ("POST", "/organisations/{organisation_id}/dividends"): {
        "GetDividend": to("GET", "/dividends/{dividend_id}", dividend_id=ID),
        "GetAllocations": _view("/views/dividends/{dividend_id}/allocations", dividend_id=ID),
    },
}
"""Community work's links."""


def add_links(schema: dict[str, Any]) -> None:
    """Puts each command's links on its 201 response in the OpenAPI document."""
    for (method, path), links in LINKS.items():
        schema["paths"][path][method.lower()]["responses"]["201"]["links"] = links
