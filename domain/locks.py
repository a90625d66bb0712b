"""One writer per aggregate at a time, so that a plain command never loses a race.

A command that changes an aggregate holds the aggregate's lock from before it
reads the aggregate (fresh: a cached one is fast-forwarded from the store) until
its events are committed. Commands on one aggregate therefore queue behind each
other, and each decides on the state its predecessor left.

The lock has two halves under one key: a ``threading.Lock`` that the threads
of this process queue on, and, taken after it, the store's lock that processes
sharing the store queue on (``across_processes``, which ``infra.store.aggregate_locks``
implements). While more of this process's commands wait for an aggregate, the
store's lock is handed from one to the next, up to ``HAND_OVER`` commands in a
row, then let go so that other processes get their turn.

A command that writes several aggregates takes their keys in ascending order,
each key's halves in turn, so two such commands never wait for each other in a
cycle. Aggregates a command only reads are not locked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from hashlib import blake2b
from threading import Lock
from uuid import UUID

KEY_BITS = 62
HAND_OVER = 16

logger = logging.getLogger(__name__)


def lock_key(aggregate_id: UUID) -> int:
    """The aggregate's lock key: a non-negative 62-bit hash of its id (two
    aggregates that share one merely take turns)."""
    digest = blake2b(aggregate_id.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - KEY_BITS)


@dataclass
class _Turns:
    """One key's lock in this process, and the store's lock while it is held."""

    lock: Lock = field(default_factory=Lock)
    users: int = 0
    """Threads holding or waiting for the lock."""
    store: ExitStack | None = None
    in_a_row: int = 0
    """Commands run under the store's lock since it was taken."""


class AggregateLocks:
    """The locks of one application; on their own they serve a store that one
    process alone writes (in memory, or an embedded one)."""

    def __init__(self) -> None:
        self._guard = Lock()
        self._turns: dict[int, _Turns] = {}

    @contextmanager
    def holding(self, aggregate_ids: Iterable[UUID]) -> Iterator[None]:
        with ExitStack() as held:
            for key in sorted({lock_key(aggregate_id) for aggregate_id in aggregate_ids}):
                held.enter_context(self._turn(key))
            yield

    def across_processes(self, key: int) -> AbstractContextManager[None]:
        """Holds the store's lock on the key, which this process alone contends for here."""
        return nullcontext()

    def close(self) -> None:
        """Lets go of what the store's locks keep open."""

    @contextmanager
    def _turn(self, key: int) -> Iterator[None]:
        with self._guard:
            turns = self._turns.setdefault(key, _Turns())
            turns.users += 1
        turns.lock.acquire()
        try:
            if turns.store is None:
                store = ExitStack()
                store.enter_context(self.across_processes(key))
                turns.store, turns.in_a_row = store, 0
            turns.in_a_row += 1
            yield
        finally:
            with self._guard:
                turns.users -= 1
                hand_over = turns.users > 0 and turns.in_a_row < HAND_OVER
                if not turns.users:
                    del self._turns[key]
            if turns.store is not None and not hand_over:
                store, turns.store = turns.store, None
                try:
                    store.close()
                except Exception:  # the command's work is done; the lock went with its connection
                    logger.warning("letting go of the store's lock %d failed", key, exc_info=True)
            turns.lock.release()
