"""Commands decided together, on SQLite and PostgreSQL: one transaction holds every
command's events and idempotency key, and a key used twice in one turn records once."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, CommandResult, IdempotencyClaim
from domain.fund import Fund
from infra.settings import Settings
from infra.store.application import open_application
from tests.unit.test_turns import queued_together


@pytest.fixture
def app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    yield application
    application.close()


@pytest.fixture
def fund(app: Gongzhi) -> UUID:
    owner = app.register_organisation("sage_association", "乡贤会", "浙江省").id
    return app.open_fund(owner, "助学金", ["education"]).id


def test_each_command_of_a_turn_is_remembered_by_its_own_key(app: Gongzhi, fund: UUID) -> None:
    commands = [
        (
            CommandContext(actor="clerk", idempotency=IdempotencyClaim("clerk", f"k-{n}", f"body {n}")),
            lambda n=n: app.receive_donation(fund, 10 + n, donor_name="沈先生"),
        )
        for n in range(4)
    ]

    first = queued_together(app, fund, commands)
    again = queued_together(app, fund, commands)

    assert all(isinstance(a, CommandResult) and not a.replayed for a in first)
    assert [(a.version, a.position) for a in again] == [(a.version, a.position) for a in first]  # type: ignore[union-attr]
    assert all(isinstance(a, CommandResult) and a.replayed for a in again)
    assert app.get(Fund, fund).donated_fen == sum(10 + n for n in range(4))


def test_a_key_used_twice_in_one_turn_records_once_and_answers_both_alike(app: Gongzhi, fund: UUID) -> None:
    claim = IdempotencyClaim("clerk", "k-1", "same body")
    commands = [
        (
            CommandContext(actor="clerk", idempotency=claim),
            lambda: app.receive_donation(fund, 9, donor_name="x"),
        ),
        (CommandContext(actor="other"), lambda: app.receive_donation(fund, 1, donor_name="y")),
        (
            CommandContext(actor="clerk", idempotency=claim),
            lambda: app.receive_donation(fund, 9, donor_name="x"),
        ),
    ]

    answers = queued_together(app, fund, commands)

    assert all(isinstance(a, CommandResult) for a in answers)
    first, _, repeated = answers
    assert isinstance(first, CommandResult) and isinstance(repeated, CommandResult)
    assert (repeated.version, repeated.position) == (first.version, first.position)
    assert app.get(Fund, fund).donated_fen == 10


def test_keys_repeated_turn_after_turn_never_break_the_next_save(app: Gongzhi, fund: UUID) -> None:
    """A repeated key refuses a turn's shared transaction; whatever statements the
    refused transaction was about to prepare, the connections it leaves must still
    record the next turn (hundreds of turns reach every statement's preparation)."""
    for round_ in range(300):
        claim = IdempotencyClaim("clerk", f"k-{round_}", "same body")
        commands = [
            (
                CommandContext(actor="clerk", idempotency=claim),
                lambda: app.receive_donation(fund, 1, donor_name="x"),
            )
        ] * 3

        answers = queued_together(app, fund, commands)

        assert all(isinstance(a, CommandResult) for a in answers), (round_, answers)
        assert len({a.position for a in answers if isinstance(a, CommandResult)}) == 1
    assert app.get(Fund, fund).donated_fen == 300
