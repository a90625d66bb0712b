"""Auditors read everything, the audit trail included, and write nothing; dashboards
read views and statistics, and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from domain.principals import PrincipalRole
from tests.conftest import assert_problem
from tests.security.test_permission_matrix import EXPECTED, operations, path_values
from tests.security.worlds import World, app_of

if TYPE_CHECKING:
    from tests.conftest import Api


def commands(api: Api, world: World) -> list[tuple[str, str, object]]:
    """Every command route of the application, addressed to A's objects, with a valid body."""
    values = path_values(world)
    found = []
    for method, path in sorted(operations(app_of(api))):
        if method != "GET":
            body = EXPECTED[method, path].body
            found.append((method, path.format(**values), body(world) if body else None))
    return found


@pytest.mark.parametrize("role", [PrincipalRole.AUDITOR, PrincipalRole.DASHBOARD])
def test_auditors_and_dashboards_write_nothing(shared_api: Api, world: World, role: PrincipalRole) -> None:
    api = shared_api
    key = api.key(f"{role}-writes", role)

    sent = commands(api, world)

    assert len(sent) > 20
    for method, path, body in sent:
        api.refuses(path, body, status=403, headers=key, method=method)


def test_an_auditor_reads_objects_views_and_the_audit_trail(shared_api: Api, world: World) -> None:
    api, a = shared_api, world.a
    auditor = api.key("discipline.inspector", PrincipalRole.AUDITOR)

    for path in (
        f"/funds/{a.fund}",
        f"/people/{a.person}",
        f"/views/funds/{a.fund}/ledger",
        "/views/statistics",
        f"/audit/streams/{a.fund}/events",
        f"/audit/streams/{a.fund}/state?version=1",
        "/audit/verify",
        "/audit/export",
        f"/funds/{world.b.fund}",
    ):
        assert api.client.get(path, headers=auditor).status_code == 200, path


def test_a_dashboard_reads_views_and_statistics_but_not_objects_or_the_audit_trail(
    shared_api: Api, world: World
) -> None:
    api, a = shared_api, world.a
    dashboard = api.key("city.big-screen", PrincipalRole.DASHBOARD)

    for path in (
        "/views/statistics",
        "/views/projects",
        f"/views/funds/{a.fund}",
        f"/views/organisations/{a.organisation}/members",
        f"/views/projects/{world.b.project}",
    ):
        assert api.client.get(path, headers=dashboard).status_code == 200, path
    for path in (
        f"/funds/{a.fund}",
        f"/organisations/{a.organisation}",
        f"/people/{a.person}",
        f"/projects/{a.project}",
        f"/audit/streams/{a.fund}/events",
        f"/audit/streams/{a.fund}/state",
        "/audit/verify",
        "/audit/export",
    ):
        assert_problem(api.client.get(path, headers=dashboard), 403)
