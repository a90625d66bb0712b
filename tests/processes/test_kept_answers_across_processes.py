"""A server gives the hottest reads' answers again from memory while the store reports
them unchanged, yet a write through another server process counts from the next read:
at once for a fund aggregate, and for the views as soon as they have applied it."""

from __future__ import annotations

from typing import Any

from tests.processes.running import Processes, Server
from tests.processes.story import open_fund, read


def read_thrice(server: Server, path: str) -> Any:
    """The third read of a path, by which the server keeps its answer."""
    answers = [server.client.get(path) for _ in range(3)]
    assert all(a.status_code == 200 for a in answers), answers[-1].text
    assert len({a.content for a in answers}) == 1
    return answers[-1].json()


def test_a_donation_through_another_server_shows_in_the_kept_answers(processes: Processes) -> None:
    reader, writer = processes.servers(2)
    scene = open_fund([reader, writer])
    fund, view, statistics = f"/funds/{scene.fund_id}", f"/views/funds/{scene.fund_id}", "/views/statistics"
    read(reader, view, {"min_position": scene.highest_position})
    before = {path: read_thrice(reader, path) for path in (fund, view, statistics)}

    donated = writer.client.post(
        f"/funds/{scene.fund_id}/donations",
        json={"amount_fen": 700, "donor_name": "沈先生", "received_on": "2024-01-01"},
    )
    assert donated.status_code == 201, donated.text

    aggregate = reader.client.get(fund).json()  # the store has the event: fresh at once
    assert (aggregate["donated_fen"], aggregate["version"]) == (
        before[fund]["donated_fen"] + 700,
        before[fund]["version"] + 1,
    )
    applied = writer.client.get(view, params={"min_position": donated.json()["position"]})
    assert applied.status_code == 200, applied.text
    assert reader.client.get(view).json()["donated_fen"] == before[view]["donated_fen"] + 700
    assert reader.client.get(statistics).json() != before[statistics]
