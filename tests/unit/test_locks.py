"""Commands on one aggregate take turns, in one process, on the in-memory store."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import VersionMismatch
from domain.locks import AggregateLocks, lock_key

THREADS = 8
DONATIONS = 25


@pytest.fixture
def app() -> Gongzhi:
    return Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "AGGREGATE_CACHE_MAXSIZE": "100"})


def test_donations_from_many_threads_to_one_fund_are_all_taken_in_turn(app: Gongzhi) -> None:
    owner = app.register_organisation("sage_association", "乡贤会", "浙江省").id
    fund = app.open_fund(owner, "助学金", ["education"]).id

    def donate(thread: int) -> list[int]:
        return [app.receive_donation(fund, 1 + thread, donor_name="沈先生").version for _ in range(DONATIONS)]

    with ThreadPoolExecutor(THREADS) as pool:
        versions = [v for share in pool.map(donate, range(THREADS)) for v in share]

    assert sorted(versions) == list(range(2, 2 + THREADS * DONATIONS))
    state = app.repository.get(fund)
    assert state.donated_fen == sum(DONATIONS * (1 + thread) for thread in range(THREADS))


def test_a_stale_version_is_refused_when_its_turn_comes(app: Gongzhi) -> None:
    owner = app.register_organisation("sage_association", "乡贤会", "浙江省").id
    fund = app.open_fund(owner, "助学金", ["education"]).id

    def donate(_: int) -> str:
        with acting(CommandContext(actor="clerk", expected_version=1)):
            try:
                app.receive_donation(fund, 100, donor_name="沈先生")
            except VersionMismatch:
                return "stale"
            return "taken"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = sorted(pool.map(donate, range(THREADS)))

    assert outcomes == ["stale"] * (THREADS - 1) + ["taken"]


def test_one_aggregate_is_held_by_one_thread_at_a_time_and_others_are_not_held_up() -> None:
    locks = AggregateLocks()
    busy, other = uuid4(), uuid4()
    entered = threading.Event()

    def enter(aggregate_id: UUID) -> None:
        with locks.holding([aggregate_id]):
            entered.set()

    with locks.holding([busy]):
        waiting = threading.Thread(target=enter, args=(busy,))
        waiting.start()
        assert not entered.wait(0.2)
        enter(other)
        assert entered.is_set()
        entered.clear()
    waiting.join(timeout=5)
    assert entered.is_set()
    assert not locks._turns  # nothing kept for aggregates nobody holds


def test_lock_keys_are_stable_and_fit_in_62_bits() -> None:
    aggregate_id = uuid4()
    assert lock_key(aggregate_id) == lock_key(aggregate_id)
    assert all(0 <= lock_key(uuid4()) < 2**62 for _ in range(1000))
