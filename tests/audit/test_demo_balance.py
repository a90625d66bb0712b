"""The auditor's question on the demo's sage fund: what did it hold on a given date?"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from domain.application import Gongzhi
from infra.demo import DemoLoader
from tests.conftest import Api


def by_hand(app: Gongzhi, fund: UUID, day: str) -> tuple[int, int]:
    """(donated, paid) by ``day``, summed from the fund's recorded donations and payments."""
    donated = paid = 0
    for event in app.events.get(fund):
        match type(event).__name__:
            case "DonationReceived" if event.received_on <= day:  # type: ignore[attr-defined]
                donated += event.amount_fen  # type: ignore[attr-defined]
            case "DisbursementPaid" if event.paid_on <= day:  # type: ignore[attr-defined]
                paid += event.amount_fen  # type: ignore[attr-defined]
    return donated, paid


@pytest.mark.parametrize(
    ("day", "paid_by_then"),
    [
        ("2017-04-04", 0),  # before the sages' first gifts
        ("2017-06-30", 0),  # all gifts in, nothing paid yet
        ("2017-08-20", 600_000),  # the scholarships paid that day
        ("2017-12-31", 1_400_000),  # and the elder-care centre on 28 October
    ],
)
def test_the_sage_funds_balance_on_a_date_adds_up_its_gifts_and_payments_by_then(
    api: Api, day: str, paid_by_then: int
) -> None:
    served: Any = api.client.app
    app: Gongzhi = served.state.application
    fund = DemoLoader(app).load()["sage_fund"]
    donated, paid = by_hand(app, fund, day)

    on_that_day = api.client.get(f"/views/funds/{fund}", params={"on": day}).json()

    assert paid == paid_by_then
    assert (on_that_day["donated_fen"], on_that_day["paid_fen"]) == (donated, paid)
    assert on_that_day["balance_fen"] == donated - paid
    if day >= "2017-06-01":
        gifts = [e for e in app.events.get(fund) if type(e).__name__ == "DonationReceived"]
        assert donated == sum(e.amount_fen for e in gifts)  # type: ignore[attr-defined]
        assert len(gifts) == 41
    else:
        assert donated == 0
