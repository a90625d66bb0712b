"""The commands' own copies of the aggregates they change (``domain.writers_copies``),
on SQLite and PostgreSQL: a change that is not saved never reaches the next command,
and what another process saved always does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import InsufficientFunds
from domain.fund import Fund
from infra.settings import Settings
from infra.store.application import open_application


@pytest.fixture
def app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    with acting(CommandContext(actor="clerk")):
        yield application
    application.close()


@pytest.fixture
def fund(app: Gongzhi) -> UUID:
    owner = app.register_organisation("sage_association", "乡贤会", "浙江省").id
    fund_id = app.open_fund(owner, "助学金", ["education"]).id
    app.receive_donation(fund_id, 100, donor_name="沈先生")
    return fund_id


class HalfWay(Exception):
    pass


def test_a_change_that_fails_half_way_leaves_nothing_for_the_next_command(app: Gongzhi, fund: UUID) -> None:
    def donate_then_fail(aggregate: Fund) -> dict[str, Any]:
        aggregate.receive_donation("d-half", 1_000, None, "x", None, date(2024, 1, 1))
        raise HalfWay

    with pytest.raises(HalfWay):
        app._update(Fund, fund, donate_then_fail)

    # With the thousand the change made before failing, 500 would be there to pay out.
    with pytest.raises(InsufficientFunds):
        app.request_disbursement(fund, 500, "education", "某小学")
    result = app.request_disbursement(fund, 100, "education", "某小学")
    assert result.version == 3  # opened, one donation, this request


def test_what_another_process_saved_reaches_the_next_command(
    settings: Settings, app: Gongzhi, fund: UUID
) -> None:
    app.receive_donation(fund, 1, donor_name="沈先生")  # this process keeps its copy at version 3
    other = open_application(settings)
    try:
        other.receive_donation(fund, 50, donor_name="林女士")
    finally:
        other.close()

    # Without the other process's 50, only 101 would be there to pay out.
    result = app.request_disbursement(fund, 151, "education", "某小学")

    assert result.version == 5


def test_a_refused_command_leaves_the_copy_as_the_store_has_it(app: Gongzhi, fund: UUID) -> None:
    with pytest.raises(InsufficientFunds):
        app.request_disbursement(fund, 101, "education", "某小学")
    app.receive_donation(fund, 1, donor_name="沈先生")

    assert app.request_disbursement(fund, 101, "education", "某小学").version == 4
