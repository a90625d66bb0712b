"""One question to the store for every request waiting on it, like a group commit of reads.

Requests that arrive while a question is on its way wait for the next one, which is
asked as soon as the first is answered and covers all of them: each request's answer
is read by a question asked after the request arrived, so it is as fresh as a question
of its own, and the store answers one question a round trip, however many requests
there are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Coalesced(Generic[K, V]):
    def __init__(self, ask: Callable[[frozenset[K]], Awaitable[dict[K, V]]]) -> None:
        """``ask`` answers for a set of keys at once; a key it leaves out is answered None."""
        self.ask = ask
        self._next: dict[K, list[asyncio.Future[V | None]]] = {}
        self._rounds: asyncio.Task[None] | None = None

    async def __call__(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V | None] = loop.create_future()
        self._next.setdefault(key, []).append(future)
        if self._rounds is None or self._rounds.done() or self._rounds.get_loop() is not loop:
            self._rounds = loop.create_task(self._ask_in_rounds())
        return await future

    async def _ask_in_rounds(self) -> None:
        while self._next:
            waiting, self._next = self._next, {}
            try:
                answers = await self.ask(frozenset(waiting))
            except Exception as error:  # every request of the round fails alike
                for futures in waiting.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(error)
                continue
            for key, futures in waiting.items():
                for future in futures:
                    if not future.done():
                        future.set_result(answers.get(key))
