"""Prometheus figures an operator watches: request durations by route template and status,
and commands by name and outcome."""

from __future__ import annotations

import re

from tests.conftest import Api


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of the one sample of ``name`` with these labels (0 when there is none)."""
    for line in metrics.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and all(f'{key}="{value}"' in match.group(1) for key, value in labels.items()):
            return float(match.group(2))
    return 0.0


def test_request_durations_are_counted_by_route_template_and_status(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 500)
    api.refuses(f"/funds/{fund}/donations", {"amount_fen": -1, "donor_name": "沈先生"}, status=422)

    metrics = api.client.get("/metrics").text

    route = "/funds/{fund_id}/donations"
    ok = sample(metrics, "gongzhi_http_request_duration_seconds_count", route=route, status="201")
    refused = sample(metrics, "gongzhi_http_request_duration_seconds_count", route=route, status="422")
    assert (ok, refused) == (1, 1)


def test_commands_are_counted_by_outcome(api: Api) -> None:
    fund = api.fund()
    retry = {"Idempotency-Key": "donation-1"}
    body = {"amount_fen": 500, "donor_name": "沈先生"}
    api.command(f"/funds/{fund}/donations", body, status=201, headers=retry)
    api.command(f"/funds/{fund}/donations", body, status=201, headers=retry)
    api.refuses(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 10_000, "purpose": "sports", "payee": "某体育用品店"},
        status=409,
        headers=api.officer("requester", fund),
    )

    metrics = api.client.get("/metrics").text

    def outcome(name: str) -> float:
        return sample(metrics, "gongzhi_commands_total", command="receive_donation", outcome=name)

    assert (outcome("recorded"), outcome("repeated")) == (1, 1)
    assert (
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("gongzhi_commands_total") and 'outcome="refused"' in line
        )
        >= 1
    )
