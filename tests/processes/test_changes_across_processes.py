"""A server knows the API keys and the views' live generations without asking the
store on every request, yet a change made by another process counts from the next
request: a key revoked with `gongzhi keys revoke`, views swapped in by
`gongzhi projections rebuild`."""

from __future__ import annotations

from tests.processes.running import Processes, gongzhi
from tests.processes.story import open_fund


def test_a_key_revoked_elsewhere_is_refused_on_the_next_request(processes: Processes) -> None:
    (server,) = processes.servers(1)
    key = gongzhi(processes.settings, "keys", "create", "--name", "reader", "--role", "admin")
    reader = {"Authorization": f"Bearer {key.strip().splitlines()[-1]}"}
    for _ in range(3):  # known to the server from the first
        assert server.client.get("/views/statistics", headers=reader).status_code == 200

    gongzhi(processes.settings, "keys", "revoke", "reader")

    assert server.client.get("/views/statistics", headers=reader).status_code == 401
    assert server.client.get("/views/statistics").status_code == 200  # another key still counts


def test_views_swapped_in_elsewhere_answer_from_the_next_request(processes: Processes) -> None:
    (server,) = processes.servers(1)
    scene = open_fund([server])
    fund = f"/views/funds/{scene.fund_id}"

    def donated_after_donating() -> int:
        donated = server.client.post(
            f"/funds/{scene.fund_id}/donations",
            json={"amount_fen": 500, "donor_name": "沈先生", "received_on": "2024-01-01"},
        )
        assert donated.status_code == 201, donated.text
        read = server.client.get(fund, params={"min_position": donated.json()["position"]})
        assert read.status_code == 200, read.text
        return int(read.json()["donated_fen"])

    assert donated_after_donating() == 500

    gongzhi(processes.settings, "projections", "rebuild", "funds", "--jobs", "1")

    read = server.client.get(fund)  # the generation it read before is gone
    assert read.status_code == 200, read.text
    assert read.json()["donated_fen"] == 500
    assert donated_after_donating() == 1000  # applied to the generation swapped in, and read from it
