"""Requests waiting on the store at one time share one question; none is answered by a
question asked before it arrived."""

from __future__ import annotations

import asyncio

import pytest

from infra.store.coalesced import Coalesced


class Store:
    """Answers each key with the number of the question that asked it; a question is
    held on its way until the test lets it go."""

    def __init__(self) -> None:
        self.questions: list[frozenset[str]] = []
        self.on_its_way = asyncio.Event()
        self.go = asyncio.Event()
        self.failing = False

    async def ask(self, keys: frozenset[str]) -> dict[str, int]:
        self.questions.append(keys)
        self.on_its_way.set()
        await self.go.wait()
        self.go.clear()
        if self.failing:
            raise ConnectionError("the store went away")
        return {key: len(self.questions) for key in keys if key != "missing"}


def test_requests_arriving_together_share_one_question() -> None:
    async def story() -> None:
        store = Store()
        coalesced: Coalesced[str, int] = Coalesced(store.ask)
        waiting = [asyncio.ensure_future(coalesced(key)) for key in ("a", "b", "a", "missing")]
        await store.on_its_way.wait()
        store.go.set()
        assert await asyncio.gather(*waiting) == [1, 1, 1, None]
        assert store.questions == [frozenset({"a", "b", "missing"})]

    asyncio.run(story())


def test_a_request_arriving_while_a_question_is_on_its_way_waits_for_the_next() -> None:
    async def story() -> None:
        store = Store()
        coalesced: Coalesced[str, int] = Coalesced(store.ask)
        early = asyncio.ensure_future(coalesced("a"))
        await store.on_its_way.wait()
        store.on_its_way.clear()
        late = [asyncio.ensure_future(coalesced(key)) for key in ("a", "c")]
        await asyncio.sleep(0)
        store.go.set()
        assert await early == 1
        await store.on_its_way.wait()
        store.go.set()
        assert await asyncio.gather(*late) == [2, 2]
        assert store.questions == [frozenset({"a"}), frozenset({"a", "c"})]

    asyncio.run(story())


def test_a_failed_question_fails_its_round_and_the_next_is_asked_afresh() -> None:
    async def story() -> None:
        store = Store()
        coalesced: Coalesced[str, int] = Coalesced(store.ask)
        store.failing = True
        failing = [asyncio.ensure_future(coalesced(key)) for key in ("a", "b")]
        await store.on_its_way.wait()
        store.go.set()
        for request in failing:
            with pytest.raises(ConnectionError):
                await request
        store.failing, store.on_its_way = False, asyncio.Event()
        again = asyncio.ensure_future(coalesced("a"))
        await store.on_its_way.wait()
        store.go.set()
        assert await again == 2

    asyncio.run(story())
