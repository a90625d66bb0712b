"""Commands queued for one aggregate are decided together and saved in one transaction,
each answering for itself, on the in-memory store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, CommandResult, acting
from domain.errors import InsufficientFunds, VersionMismatch
from domain.fund import Fund


@pytest.fixture
def app() -> Gongzhi:
    return Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "AGGREGATE_CACHE_MAXSIZE": "100"})


@pytest.fixture
def fund(app: Gongzhi) -> UUID:
    owner = app.register_organisation("sage_association", "乡贤会", "浙江省").id
    return app.open_fund(owner, "助学金", ["education"]).id


def queued_together(
    app: Gongzhi, fund: UUID, commands: list[tuple[CommandContext, Callable[[], CommandResult]]]
) -> list[CommandResult | BaseException]:
    """Runs the commands on threads of their own while the fund is held, so that they all
    queue for it, then lets them go; returns each one's answer, in order."""
    answers: list[CommandResult | BaseException | None] = [None] * len(commands)

    def run(n: int) -> None:
        context, command = commands[n]
        with acting(context):
            try:
                answers[n] = command()
            except BaseException as error:
                answers[n] = error

    deadline = time.monotonic() + 10
    with app.aggregate_locks.holding((fund,)):
        threads = [threading.Thread(target=run, args=(n,)) for n in range(len(commands))]
        for n, thread in enumerate(threads):
            thread.start()
            # Queued in this order (or answered at once, when replayed by its key).
            while len(app.waiting.queued(fund)) + sum(a is not None for a in answers) < n + 1:
                assert time.monotonic() < deadline, "a command neither queued nor answered"
                time.sleep(0.001)
    for thread in threads:
        thread.join(timeout=10)
    return [answer for answer in answers if answer is not None]


def saves_counted(app: Gongzhi, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each write to the store holds, as they happen."""
    writes: list[int] = []
    put = app.events.put

    def counting(events: Any, **kwargs: Any) -> Any:
        writes.append(len(events))
        return put(events, **kwargs)

    monkeypatch.setattr(app.events, "put", counting)
    return writes


def test_queued_donations_are_saved_together_and_each_answers_for_itself(
    app: Gongzhi, fund: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = saves_counted(app, monkeypatch)
    commands = [
        (
            CommandContext(actor=f"clerk{n}"),
            lambda n=n: app.receive_donation(fund, 10 + n, donor_name="沈先生"),
        )
        for n in range(6)
    ]

    answers = queued_together(app, fund, commands)

    assert writes == [6]
    assert [a.version for a in answers if isinstance(a, CommandResult)] == list(range(2, 8))
    positions = [a.position for a in answers if isinstance(a, CommandResult)]
    assert positions == sorted(positions) and len(set(positions)) == 6
    stored = list(app.events.get(fund))[1:]
    assert [e.metadata["actor"] for e in stored] == [f"clerk{n}" for n in range(6)]
    assert app.get(Fund, fund).donated_fen == sum(10 + n for n in range(6))


def test_a_refused_command_changes_nothing_and_fails_no_other(app: Gongzhi, fund: UUID) -> None:
    with acting(CommandContext(actor="clerk")):
        app.receive_donation(fund, 100, donor_name="沈先生")
    commands = [
        (CommandContext(actor="a"), lambda: app.receive_donation(fund, 5, donor_name="沈先生")),
        (
            CommandContext(actor="b", expected_version=2),
            lambda: app.receive_donation(fund, 7, donor_name="x"),
        ),
        (
            CommandContext(actor="c"),
            lambda: app.request_disbursement(fund, 1_000_000, "education", "修路小组"),
        ),
        (CommandContext(actor="d"), lambda: app.receive_donation(fund, 11, donor_name="沈先生")),
    ]

    answers = queued_together(app, fund, commands)

    assert isinstance(answers[1], VersionMismatch)  # version 3 by then: "a" went first
    assert isinstance(answers[2], InsufficientFunds)
    assert [a.version for a in (answers[0], answers[3]) if isinstance(a, CommandResult)] == [3, 4]
    assert app.get(Fund, fund).donated_fen == 116


def test_a_change_that_fails_half_way_is_undone_and_the_others_are_saved_on_their_own(
    app: Gongzhi, fund: UUID
) -> None:
    def donate_then_fail(fund_state: Fund) -> None:
        fund_state.receive_donation("d-x", 1000, None, "沈先生", None, "2026-01-01")
        raise ValueError("failed after changing the fund")

    commands = [
        (CommandContext(actor="a"), lambda: app.receive_donation(fund, 5, donor_name="沈先生")),
        (CommandContext(actor="b"), lambda: app._update(Fund, fund, donate_then_fail)),
        (CommandContext(actor="c"), lambda: app.receive_donation(fund, 7, donor_name="沈先生")),
    ]

    answers = queued_together(app, fund, commands)

    assert isinstance(answers[1], ValueError)
    assert [a.version for a in (answers[0], answers[2]) if isinstance(a, CommandResult)] == [2, 3]
    assert app.get(Fund, fund).donated_fen == 12
    assert [e.metadata["actor"] for e in list(app.events.get(fund))[1:]] == ["a", "c"]
