"""What the views must show once the commands are in: the aggregates' figures, read
from every server; each check returns what it found wrong rather than stopping at the
first, so that a failure shows every view on every server at once."""

from __future__ import annotations

import time
from typing import Any

from tests.processes.running import Server
from tests.processes.story import Scene, read

FUND_FIGURES = ("donated_fen", "paid_fen", "balance_fen", "available_fen", "version")


def aggregates(server: Server, scene: Scene) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fund and the organisation as their events make them (not from a view)."""
    fund = read(server, f"/funds/{scene.fund_id}")
    organisation = read(server, f"/organisations/{scene.organisation_id}")
    return fund, organisation


def recorded_once(fund: dict[str, Any], organisation: dict[str, Any], scene: Scene) -> list[str]:
    """Every command accepted is recorded exactly once."""
    wrong = []
    if fund["donated_fen"] != scene.donated.total():
        wrong.append(f"fund aggregate donated {fund['donated_fen']} fen, {scene.donated.total()} were given")
    members = sorted(member["person_id"] for member in organisation["members"])
    if members != sorted(scene.members):
        wrong.append(f"organisation aggregate has {len(members)} members, {len(scene.members)} were admitted")
    return wrong


def views_match(
    server: Server, scene: Scene, fund: dict[str, Any], organisation: dict[str, Any]
) -> list[str]:
    """The views of one server, read at the highest position any command returned,
    against the aggregates."""
    at = {"min_position": scene.highest_position}
    return [
        f"{server.name}: {problem}"
        for problem in (
            _fund_view(server, scene, fund, at)
            + _statistics_view(server, scene, fund, organisation, at)
            + _membership_view(server, scene, organisation, at)
            + _projects_view(server, scene, at)
        )
    ]


def _differences(what: str, shown: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    return [
        f"{what} shows {name}={shown.get(name)}, the aggregates say {value}"
        for name, value in expected.items()
        if shown.get(name) != value
    ]


def _fund_view(server: Server, scene: Scene, fund: dict[str, Any], at: dict[str, Any]) -> list[str]:
    view = read(server, f"/views/funds/{scene.fund_id}", at)
    expected = {name: fund[name] for name in FUND_FIGURES} | {"donor_count": len(scene.donors)}
    by_purpose = {row["purpose"]: row["donated_fen"] for row in view["by_purpose"] if row["donated_fen"]}
    wrong = _differences("/views/funds/{id}", view, expected)
    if by_purpose != dict(scene.donated):
        wrong.append(
            f"/views/funds/{{id}} shows donations by purpose {by_purpose}, {dict(scene.donated)} given"
        )
    return wrong


def _statistics_view(
    server: Server, scene: Scene, fund: dict[str, Any], organisation: dict[str, Any], at: dict[str, Any]
) -> list[str]:
    figures = read(server, "/views/statistics", at | {"jurisdiction": scene.jurisdiction})["figures"]
    expected = {
        "organisations": 1,
        "members": len(organisation["members"]),
        "projects": len(scene.projects),
        "donated_fen": fund["donated_fen"],
        "paid_fen": fund["paid_fen"],
    }
    return _differences("/views/statistics", figures, expected)


def _membership_view(
    server: Server, scene: Scene, organisation: dict[str, Any], at: dict[str, Any]
) -> list[str]:
    path = f"/views/organisations/{scene.organisation_id}/members"
    shown = sorted(item["person_id"] for item in read(server, path, at | {"limit": 200})["items"])
    expected = sorted(member["person_id"] for member in organisation["members"])
    return [] if shown == expected else [f"{path} lists {len(shown)} members, the aggregate {len(expected)}"]


def _projects_view(server: Server, scene: Scene, at: dict[str, Any]) -> list[str]:
    params = at | {"organisation_id": scene.organisation_id, "limit": 200}
    shown = sorted(item["id"] for item in read(server, "/views/projects", params)["items"])
    return (
        []
        if shown == sorted(scene.projects)
        else [f"/views/projects lists {shown}, {scene.projects} proposed"]
    )


def caught_up(server: Server, seconds: float = 15) -> list[str]:
    """Waits (at most ``seconds``) until the server's status shows every view at the
    store's head; returns what was still behind otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        status = read(server, "/views/status")
        behind = {name: view["lag_events"] for name, view in status["views"].items() if view["lag_events"]}
        if not behind:
            return []
        if time.monotonic() > deadline:
            return [f"{server.name}: views still behind the head after {seconds} s: {behind}"]
        time.sleep(0.1)


def applier(servers: list[Server], seconds: float = 5) -> Server:
    """The server that applies the views, as its ``/views/status`` says (``applying_here``,
    for the process or for each view: the one that applies the most views). When no
    status says, the first server started (the first to try for the views)."""
    deadline = time.monotonic() + seconds
    while True:
        applying = {server.name: _applying(read(server, "/views/status")) for server in servers}
        if all(count is None for count in applying.values()):
            return servers[0]
        best = max(servers, key=lambda server: applying[server.name] or 0)
        if applying[best.name] or time.monotonic() > deadline:
            return best
        time.sleep(0.1)


def _applying(status: dict[str, Any]) -> int | None:
    """How many views this status says its process applies; None if it does not say."""
    if isinstance(status.get("applying_here"), bool):
        return len(status["views"]) if status["applying_here"] else 0
    flags = [view["applying_here"] for view in status["views"].values() if "applying_here" in view]
    return sum(map(bool, flags)) if flags else None
