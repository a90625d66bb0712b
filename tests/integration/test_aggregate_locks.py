"""Two applications on one store, as two processes would be: a command waits for
the other's turn on an aggregate, and reads what the other wrote meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

import pytest

from domain.application import Gongzhi
from domain.context import CommandResult
from domain.fund import Fund
from infra.settings import Settings
from infra.store.application import open_application


@pytest.fixture
def apps(settings: Settings) -> Iterator[tuple[Gongzhi, Gongzhi]]:
    first, second = open_application(settings), open_application(settings)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def open_fund(app: Gongzhi) -> UUID:
    owner = app.register_organisation("sage_association", "乡贤会", "浙江省").id
    return app.open_fund(owner, "助学金", ["education"]).id


def test_a_command_waits_while_another_application_holds_the_aggregate(apps: tuple[Gongzhi, Gongzhi]) -> None:
    first, second = apps
    fund, other_fund = open_fund(first), open_fund(first)
    results: list[CommandResult] = []
    waiting = threading.Thread(
        target=lambda: results.append(second.receive_donation(fund, 100, donor_name="甲"))
    )

    with first.aggregate_locks.holding([fund]):
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive(), "the donation did not wait for its turn"
        assert second.receive_donation(other_fund, 100, donor_name="乙").version == 2
    waiting.join(timeout=10)

    assert [r.version for r in results] == [2]


def test_a_cached_aggregate_is_brought_up_to_date_before_a_command_decides(
    apps: tuple[Gongzhi, Gongzhi],
) -> None:
    first, second = apps
    fund = open_fund(first)
    first.receive_donation(fund, 100, donor_name="甲")  # now in the first's cache
    for _ in range(3):
        second.receive_donation(fund, 200, donor_name="乙")

    result = first.receive_donation(fund, 400, donor_name="甲")

    assert result.version == 6
    assert first.get(Fund, fund).donated_fen == 100 + 3 * 200 + 400


def test_racing_applications_take_every_donation(apps: tuple[Gongzhi, Gongzhi]) -> None:
    fund = open_fund(apps[0])

    def donate(thread: int) -> list[int]:
        app = apps[thread % 2]
        return [app.receive_donation(fund, 100, donor_name="丙").version for _ in range(10)]

    with ThreadPoolExecutor(8) as pool:
        versions = sorted(v for share in pool.map(donate, range(8)) for v in share)

    assert versions == list(range(2, 82))
    assert apps[1].get(Fund, fund).donated_fen == 80 * 100
