"""Commands waiting for one aggregate are decided together and saved in one transaction.

Commands on an aggregate take turns (``domain.locks``). While one holds the
aggregate, the others of this process wait in its queue; the next to get the
aggregate decides for everyone queued by then, in the order they came: it reads
the aggregate once, lets each command change it in that command's own context
(its actor, correlation id, ``If-Match`` and idempotency key), and saves every
command's events and idempotency claim in one transaction. Each command then
answers with the version and position of its own last event. A command that its
aggregate refuses gets its own error and changes nothing; the others go on.

So a busy aggregate costs one read and one commit for many commands, not one
each. Only one command of each queue leads at a time: the others sleep until
they are answered, or until the leader, answered itself, hands the lead on to the
first still waiting. Should anything shared fail (the save, or a change that raised after it
had begun to change the aggregate), each command still undecided is decided
and saved on its own, as if it had come alone: one command never fails another.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Event, Lock
from typing import Any
from uuid import UUID

from domain.context import CommandResult

MOST_TOGETHER = 64
"""The most commands decided together (and so saved in one transaction)."""


@dataclass(eq=False)
class Waiting:
    """A command waiting for its aggregate, with the context it runs in."""

    change: Callable[[Any], dict[str, Any] | None]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    result: CommandResult | None = None
    error: BaseException | None = None
    done: bool = False
    leads: bool = False
    """It decides for its queue (until it is answered)."""
    woken: Event = field(default_factory=Event)
    """Set once it is answered, or is to lead."""

    def answer(self, result: CommandResult) -> None:
        self.result, self.done = result, True
        self.woken.set()

    def refuse(self, error: BaseException) -> None:
        self.error, self.done = error, True
        self.woken.set()

    def outcome(self) -> CommandResult:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class Queues:
    """The commands of this process waiting for each aggregate, in their order, and
    which of them leads."""

    def __init__(self) -> None:
        self._guard = Lock()
        self._waiting: dict[UUID, list[Waiting]] = {}
        self._led: set[UUID] = set()

    def join(self, aggregate_id: UUID, waiting: Waiting) -> None:
        """Queues the command; it leads if no other does."""
        with self._guard:
            self._waiting.setdefault(aggregate_id, []).append(waiting)
            if aggregate_id not in self._led:
                self._led.add(aggregate_id)
                waiting.leads = True
                waiting.woken.set()

    def queued(self, aggregate_id: UUID) -> list[Waiting]:
        with self._guard:
            return list(self._waiting.get(aggregate_id, []))

    def take(self, aggregate_id: UUID) -> list[Waiting]:
        """The first ``MOST_TOGETHER`` commands still unanswered (taken off the queue)."""
        with self._guard:
            queue = [w for w in self._waiting.get(aggregate_id, []) if not w.done]
            taken, rest = queue[:MOST_TOGETHER], queue[MOST_TOGETHER:]
            if rest:
                self._waiting[aggregate_id] = rest
            else:
                self._waiting.pop(aggregate_id, None)
            return taken

    def hand_on(self, aggregate_id: UUID) -> None:
        """The leader is answered: the first command still waiting leads now, if any."""
        with self._guard:
            queue = [w for w in self._waiting.get(aggregate_id, []) if not w.done]
            if queue:
                self._waiting[aggregate_id] = queue
                queue[0].leads = True
                queue[0].woken.set()
            else:
                self._waiting.pop(aggregate_id, None)
                self._led.discard(aggregate_id)
