"""The commands' own copies of the aggregates they change.

The library's repository deep-copies a cached aggregate on every fetch, so that
a command that fails half-way cannot leave its changes in the cache that every
reader shares; for an organisation with many members that copy is most of a
command's work. Commands keep copies of their own instead: one per aggregate,
touched only by the command whose turn it is (``domain.locks``), brought up to
date from the store before each use (another process may have written since),
and dropped as soon as a command changes it and does not save, so that a copy
never holds a change the store does not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

Reconstruct = Callable[[UUID], Aggregate | None]
"""The aggregate as the store holds it, or None if it has no events."""
NewerEvents = Callable[[UUID, int], Iterable[Any]]
"""The events of an aggregate after a version, oldest first."""


class WritersCopies:
    def __init__(self, size: int, reconstruct: Reconstruct, newer_events: NewerEvents) -> None:
        self.size = size
        self._reconstruct = reconstruct
        self._newer_events = newer_events
        self._copies: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()  # guards the dictionary, not the copies

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        """The aggregate, up to date, for the caller alone until it ``keep``s it again;
        None if the store has no such aggregate. Only the holder of the aggregate's
        turn may call it."""
        with self._lock:
            copy = self._copies.pop(aggregate_id, None)
        if copy is None:
            return self._reconstruct(aggregate_id)
        return project_aggregate(copy, self._newer_events(aggregate_id, copy.version))

    def keep(self, aggregate: Aggregate) -> None:
        """Keeps an aggregate whose every change is saved, for the next command on it."""
        if self.size <= 0 or aggregate.pending_events:
            return
        with self._lock:
            self._copies[aggregate.id] = aggregate
            self._copies.move_to_end(aggregate.id)
            while len(self._copies) > self.size:
                self._copies.popitem(last=False)
