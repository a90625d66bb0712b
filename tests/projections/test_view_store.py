"""Several writers of one store's views: batches take turns and trust no stale row.

Each runner here has an application, and so connections, of its own, as another
process would; the processes themselves are in ``tests/processes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.fund import Fund
from infra.demo import DemoLoader
from infra.settings import Settings
from infra.store.application import open_application
from infra.views import open_views
from infra.viewstore.batch import GenerationsSwapped, batch
from infra.viewstore.runner import ViewRunner
from tests.projections.test_runner import digests


@pytest.fixture
def other_app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    yield application
    application.close()


def caught_up(runner: ViewRunner) -> int:
    return runner.catch_up(*(runner.live(name) for name in runner.views))


def test_runners_taking_turns_leave_every_view_as_a_rebuild_would(app: Gongzhi, other_app: Gongzhi) -> None:
    first, second = open_views(app), open_views(other_app)
    DemoLoader(app).load()
    caught_up(first)
    fund_id = UUID(first.live("funds").rows("funds")[0]["id"])

    # Each runner remembers the fund's row from its last batch; the other changes it between.
    for turn in range(12):
        with acting(CommandContext(actor="treasurer")):
            for amount in range(1, 4):
                (app if turn % 2 else other_app).receive_donation(fund_id, amount, donor_name="沈先生")
        caught_up((first, second)[turn % 2])

    live = digests(first)
    (fund,) = [row for row in first.live("funds").rows("funds") if row["id"] == str(fund_id)]
    assert fund["donated_fen"] == app.get(Fund, fund_id).donated_fen
    first.rebuild()
    assert digests(first) == live


def test_a_batch_on_a_generation_swapped_out_meanwhile_is_refused(app: Gongzhi, other_app: Gongzhi) -> None:
    first, second = open_views(app), open_views(other_app)
    DemoLoader(app).load()
    stale = first.live("funds")
    second.rebuild(["funds"])

    with pytest.raises(GenerationsSwapped), batch(first.database, [stale], live=True):
        pass

    assert caught_up(first) > 0  # it goes on with the new generation
    assert first.live("funds").generation == stale.generation + 1


def test_another_process_s_batch_makes_a_runner_read_its_rows_again(app: Gongzhi, other_app: Gongzhi) -> None:
    first, second = open_views(app), open_views(other_app)
    DemoLoader(app).load()
    caught_up(first)
    tables = first.live("funds")
    assert tables.batches is not None
    remembered = sum(len(t.known) + len(t.older) for t in tables.rows_of.values())
    assert remembered > 0

    with acting(CommandContext(actor="treasurer")):
        app.receive_donation(UUID(tables.rows("funds")[0]["id"]), 5, donor_name="沈先生")
    caught_up(second)
    with batch(first.database, [tables]):
        assert all(not t.known and not t.older for t in tables.rows_of.values())
