"""A server started with ``GONGZHI_LOG_FORMAT=json`` writes one JSON object a line: each
request with its route template, status, duration, principal, correlation and trace ids,
and never a personal detail."""

from __future__ import annotations

import json
from typing import Any

from tests.processes.running import Processes

NAME, PHONE = "欧阳娜娜", "13912345678"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # a line that is not JSON fails the test here


def test_requests_are_logged_as_json_lines_without_personal_details(processes: Processes) -> None:
    (server,) = processes.servers(1, GONGZHI_LOG_FORMAT="json")
    registered = server.client.post(
        "/people",
        json={"name": NAME, "phone": PHONE},
        headers={"X-Correlation-Id": "corr-42", "traceparent": TRACEPARENT},
    )
    assert registered.status_code == 201, registered.text
    person = registered.json()["id"]
    assert server.client.get(f"/people/{person}").status_code == 200
    server.stop()

    log = server.log.read_text()
    lines = json_lines(log)
    assert NAME not in log and PHONE not in log and person not in log
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    requests = [line for line in lines if line["logger"] == "gongzhi.requests"]
    command = next(r for r in requests if r["method"] == "POST" and r["route"] == "/people")
    assert command["status"] == 201
    assert command["principal_id"] == "t"
    assert command["correlation_id"] == "corr-42"
    assert command["trace_id"] == TRACE_ID
    assert command["duration_ms"] > 0
    read = next(r for r in requests if r["route"] == "/people/{person_id}")
    assert (read["level"], read["status"]) == ("INFO", 200)
    if processes.settings.database_url is None:  # PostgreSQL warns, rightly, of no signing key
        assert not [line for line in lines if line["level"] == "WARNING"], "a normal start warned"
