"""Liveness, readiness, the published OpenAPI document, and problems outside the routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from tests.conftest import Api

COMMAND_PATHS = {
    "/people": {"post"},
    "/organisations": {"post"},
    "/organisations/{organisation_id}/members": {"post"},
    "/organisations/{organisation_id}/members/{person_id}/role": {"post"},
    "/organisations/{organisation_id}/members/{person_id}/departure": {"post"},
    "/organisations/{organisation_id}/suspension": {"post", "delete"},
    "/organisations/{organisation_id}/dissolution": {"post"},
    "/organisations/{organisation_id}/member-organisations": {"post"},
    "/organisations/{organisation_id}/member-organisations/{member_id}/departure": {"post"},
    "/projects": {"post"},
    "/projects/{project_id}/approval": {"post"},
    "/projects/{project_id}/start": {"post"},
    "/projects/{project_id}/progress": {"post"},
    "/projects/{project_id}/completion": {"post"},
    "/projects/{project_id}/cancellation": {"post"},
    "/funds": {"post"},
    "/funds/{fund_id}/donations": {"post"},
    "/funds/{fund_id}/disbursements": {"post"},
    "/funds/{fund_id}/disbursements/{disbursement_id}/approvals": {"post"},
    "/funds/{fund_id}/disbursements/{disbursement_id}/rejection": {"post"},
    "/funds/{fund_id}/disbursements/{disbursement_id}/payment": {"post"},
}
QUERY_PATHS = {
    "/health": {"get"},
    "/ready": {"get"},
    "/people/{person_id}": {"get"},
    "/organisations/{organisation_id}": {"get"},
    "/projects/{project_id}": {"get"},
    "/funds/{fund_id}": {"get"},
}


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_answers_ok_when_the_store_answers(client: TestClient) -> None:
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_lists_every_path_with_its_methods(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in (COMMAND_PATHS | QUERY_PATHS).items():
        assert path in paths, f"{path} is missing from the OpenAPI document"
        assert methods <= paths[path].keys(), path


def test_openapi_documents_commands_with_problem_responses(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    for path, methods in COMMAND_PATHS.items():
        for method in methods:
            responses = paths[path][method]["responses"]
            for status in ("404", "409", "412", "422"):
                assert "application/problem+json" in responses[status]["content"], (path, method, status)


def test_an_unknown_route_is_a_not_found_problem(api: Api) -> None:
    api.refuses("/nowhere", {}, status=404)


def test_a_wrong_method_is_a_method_not_allowed_problem(api: Api) -> None:
    api.refuses("/people", method="PUT", status=405)
