"""How every command runs: idempotency, turns on an aggregate, saving, retries.

Every command loads what it needs, lets the aggregate decide, and saves the
new events together with the request's idempotency claim in one transaction.
A command that changes an aggregate does all that under the aggregate's lock
(``domain.locks``), so concurrent commands on one aggregate take turns rather
than race: a command is never refused for a conflict it did not cause, and
``If-Match`` compares with the version as it stands when the command's turn comes.
Commands waiting for one aggregate are decided together (``domain.turns``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from contextlib import suppress
from time import sleep
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import RecordConflictError

from domain.context import CommandLog, CommandResult, current_context
from domain.errors import ConcurrencyConflict, DomainError, IdempotencyKeyReused, NotFound, VersionMismatch
from domain.locks import AggregateLocks
from domain.turns import Queues, Waiting
from domain.writers_copies import WritersCopies

A = TypeVar("A", bound=Aggregate)
Decision = tuple[Aggregate, dict[str, Any]]

MAX_ATTEMPTS = 8


class CommandService(Application):
    """The command mechanics the application's commands share."""

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.command_log = self.recorder if isinstance(self.recorder, CommandLog) else None
        self.aggregate_locks = self.construct_aggregate_locks()
        self.waiting = Queues()
        cache_size = self.repository.cache.maxsize if self.repository.cache else 0  # type: ignore[attr-defined]
        self.writers_copies = WritersCopies(cache_size, self._reconstruct, self._newer_events)

    def construct_aggregate_locks(self) -> AggregateLocks:
        """In-process locks; a store that several processes share needs its own as well."""
        return AggregateLocks()

    def close(self) -> None:
        self.aggregate_locks.close()
        super().close()

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Stamps the acting principal and correlation id on each new event."""
        metadata = current_context().metadata()
        for obj in objs:
            for pending in getattr(obj, "pending_events", ()):
                object.__setattr__(pending, "metadata", metadata)
        return super().save(*objs, **kwargs)

    def get(self, cls: type[A], aggregate_id: UUID) -> A:
        aggregate: object = None
        with suppress(AggregateNotFoundError):
            aggregate = self.repository.get(aggregate_id)
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id)
        return aggregate

    def read(self, cls: type[A], aggregate_id: UUID) -> A:
        """An aggregate a command only looks at: the shared cached one, not a copy of it."""
        aggregate: object = None
        with suppress(AggregateNotFoundError):
            aggregate = self.repository.get(aggregate_id, deepcopy_from_cache=False)
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id)
        return aggregate

    def _to_change(self, cls: type[A], aggregate_id: UUID) -> A:
        """The aggregate a command changes, in its turn: the commands' own copy
        (``domain.writers_copies``), to be kept again once its changes are saved."""
        aggregate = self.writers_copies.take(aggregate_id)
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id)
        return aggregate

    def _reconstruct(self, aggregate_id: UUID) -> Aggregate | None:
        with suppress(AggregateNotFoundError):
            aggregate: Aggregate = self.repository.get(aggregate_id)
            return aggregate
        return None

    def _newer_events(self, aggregate_id: UUID, version: int) -> Any:
        return self.events.get(aggregate_id, gt=version)

    def _replay(self) -> CommandResult | None:
        claim = current_context().idempotency
        if claim is None or self.command_log is None:
            return None
        recorded = self.command_log.find_command(claim.scope, claim.key)
        if recorded is None:
            return None
        if recorded.fingerprint != claim.fingerprint:
            raise IdempotencyKeyReused(f"Idempotency key {claim.key!r} was used for another request")
        return CommandResult(recorded.aggregate_id, recorded.version, recorded.position, recorded.extra, True)

    def _command(self, decide: Callable[[], Decision], writes: tuple[UUID, ...] = ()) -> CommandResult:
        """Decides and saves under the locks of the aggregates it ``writes`` (none
        for a new one, whose id nobody else knows yet)."""
        replayed = self._replay()
        if replayed is not None:
            return replayed
        with self.aggregate_locks.holding(writes):
            return self._decide_and_save(decide)

    def _decide_and_save(self, decide: Callable[[], Decision]) -> CommandResult:
        claim = current_context().idempotency
        for attempt in range(MAX_ATTEMPTS):
            aggregate, extra = decide()
            try:
                claims = [(claim, extra, len(aggregate.pending_events))]
                recordings = self.save(aggregate, idempotency=claims)
            except RecordConflictError:
                replayed = self._replay()  # a racing retry with the same key
                if replayed is not None:
                    return replayed
                # Under the lock, only a writer that does not take it (a process
                # of an older version) gets there first: read again, after a
                # little while, with jitter.
                sleep(random.uniform(0, 0.002 * 2**attempt))
                continue
            self.writers_copies.keep(aggregate)
            return CommandResult(aggregate.id, aggregate.version, recordings[-1].notification.id, extra)
        raise ConcurrencyConflict(f"Gave up after {MAX_ATTEMPTS} concurrent modifications")

    def _create(self, build: Callable[[], Aggregate]) -> CommandResult:
        return self._command(lambda: (build(), {}))

    def _update(
        self, cls: type[A], aggregate_id: UUID, change: Callable[[A], dict[str, Any] | None]
    ) -> CommandResult:
        """Changes one aggregate: decided together with the other commands of this
        process waiting for it, and saved with them (``domain.turns``)."""
        replayed = self._replay()
        if replayed is not None:
            return replayed
        waiting = Waiting(change)
        self.waiting.join(aggregate_id, waiting)
        waiting.woken.wait()  # answered, or to lead
        if waiting.leads:
            try:
                while not waiting.done:
                    with self.aggregate_locks.holding((aggregate_id,)):
                        self._decide_for(cls, aggregate_id, self.waiting.take(aggregate_id))
            except BaseException as error:  # the locks failed: this command fails alone
                if not waiting.done:
                    waiting.refuse(error)
            finally:
                self.waiting.hand_on(aggregate_id)
        return waiting.outcome()

    def _update_together(
        self, targets: Sequence[tuple[type[Aggregate], UUID]], change: Callable[..., dict[str, Any] | None]
    ) -> CommandResult:
        """Changes several aggregates in one transaction, holding all their locks:
        ``change`` takes them in the order of ``targets``. The answer (and ``If-Match``)
        is the last one's, which the change must always record an event on."""
        replayed = self._replay()
        if replayed is not None:
            return replayed
        with self.aggregate_locks.holding(tuple(i for _, i in targets)):
            return self._save_together(targets, change)

    def _save_together(
        self, targets: Sequence[tuple[type[Aggregate], UUID]], change: Callable[..., dict[str, Any] | None]
    ) -> CommandResult:
        claim = current_context().idempotency
        for attempt in range(MAX_ATTEMPTS):
            aggregates = [self._to_change(cls, aggregate_id) for cls, aggregate_id in targets]
            primary = aggregates[-1]
            expected = current_context().expected_version
            if expected is not None and expected != primary.version:
                raise VersionMismatch(expected, primary.version)
            extra = change(*aggregates) or {}
            pending = sum(len(a.pending_events) for a in aggregates)
            try:
                recordings = self.save(*aggregates, idempotency=[(claim, extra, pending)])
            except RecordConflictError:
                replayed = self._replay()
                if replayed is not None:
                    return replayed
                sleep(random.uniform(0, 0.002 * 2**attempt))
                continue
            for aggregate in aggregates:
                self.writers_copies.keep(aggregate)
            return CommandResult(primary.id, primary.version, recordings[-1].notification.id, extra)
        raise ConcurrencyConflict(f"Gave up after {MAX_ATTEMPTS} concurrent modifications")

    def _decide_for(self, cls: type[A], aggregate_id: UUID, turn: list[Waiting]) -> None:
        """Answers every command of the turn, whatever fails."""
        try:
            self._decide_together(cls, aggregate_id, turn)
        except BaseException as error:
            for waiting in turn:
                if not waiting.done:
                    waiting.refuse(error)

    def _decide_together(self, cls: type[A], aggregate_id: UUID, turn: list[Waiting]) -> None:
        """Decides every waiting command on one reading of the aggregate and saves them
        in one transaction; on any shared failure, each on its own."""
        if len(turn) < 2:
            return self._one_by_one(cls, aggregate_id, turn)
        try:
            aggregate = self._to_change(cls, aggregate_id)
        except DomainError as error:  # the same answer for every command
            for waiting in turn:
                waiting.refuse(error)
            return None
        decided: list[tuple[Waiting, int, int, dict[str, Any]]] = []
        alone: list[Waiting] = []
        for waiting in turn:
            before = len(aggregate.pending_events)
            try:
                extra = waiting.context.run(_change_in_turn, aggregate, waiting.change)
            except Exception as error:
                if len(aggregate.pending_events) != before:  # changed it, then failed
                    return self._one_by_one(cls, aggregate_id, turn)
                waiting.refuse(error)
                continue
            if len(aggregate.pending_events) == before:  # nothing to tie its key to
                alone.append(waiting)
                continue
            decided.append((waiting, len(aggregate.pending_events), aggregate.version, extra))
        if not decided:
            self.writers_copies.keep(aggregate)
            return self._one_by_one(cls, aggregate_id, alone)
        claims = [(w.context.run(lambda: current_context().idempotency), x, n) for w, n, _, x in decided]
        try:
            recordings = Application.save(self, aggregate, idempotency=claims)
        except RecordConflictError:
            return self._one_by_one(cls, aggregate_id, turn)
        self.writers_copies.keep(aggregate)
        for waiting, upto, version, extra in decided:
            waiting.answer(CommandResult(aggregate.id, version, recordings[upto - 1].notification.id, extra))
        return self._one_by_one(cls, aggregate_id, alone)

    def _one_by_one(self, cls: type[A], aggregate_id: UUID, turn: list[Waiting]) -> None:
        """Decides and saves each command of the turn not yet answered, on its own."""
        for waiting in (w for w in turn if not w.done):

            def decide(change: Callable[[Any], dict[str, Any] | None] = waiting.change) -> Decision:
                aggregate = self._to_change(cls, aggregate_id)
                return aggregate, _change_in_turn(aggregate, change)

            try:
                waiting.answer(waiting.context.run(self._decide_and_save, decide))
            except Exception as error:
                waiting.refuse(error)


def _change_in_turn(aggregate: Any, change: Callable[[Any], dict[str, Any] | None]) -> dict[str, Any]:
    """Applies a command's change in the context it runs in: its ``If-Match``, then
    its actor and correlation id on the events the change made."""
    expected = current_context().expected_version
    if expected is not None and expected != aggregate.version:
        raise VersionMismatch(expected, aggregate.version)
    before = len(aggregate.pending_events)
    extra = change(aggregate) or {}
    metadata = current_context().metadata()
    for pending in aggregate.pending_events[before:]:
        object.__setattr__(pending, "metadata", metadata)
    return extra
