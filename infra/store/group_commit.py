"""Group commit: concurrent saves share one transaction.

When several commands finish deciding at about the same time, the first to
take the write lock records every save queued so far in one transaction (one
commit, one fsync), and the others find their events already recorded. If
that shared transaction is refused (an aggregate version already taken, an
idempotency key already used), each save is retried on its own, so one
command's conflict never fails another's. A lone save is written as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    Notification,
    Recording,
    StoredEvent,
)

from infra.tracing import tracer


@dataclass
class _Save:
    domain_events: Sequence[DomainEventProtocol[Any]]
    stored_events: list[StoredEvent]
    kwargs: dict[str, Any]
    notification_ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


class GroupCommitEventStore(EventStore[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: list[_Save] = []
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def put(self, domain_events: Sequence[DomainEventProtocol[Any]], **kwargs: Any) -> list[Recording[Any]]:
        if kwargs.get("tracking") is not None:
            return super().put(domain_events, **kwargs)
        save = _Save(domain_events, [self.mapper.to_stored_event(e) for e in domain_events], kwargs)
        with self._queue_lock:
            self._queue.append(save)
        with self._write_lock:
            if not save.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write(batch)
        if save.error is not None:
            raise save.error
        return self._recordings(save)

    def _write(self, batch: list[_Save]) -> None:
        events = sum(len(save.stored_events) for save in batch)
        with tracer.start_as_current_span(
            "store transaction", attributes={"gongzhi.saves": len(batch), "gongzhi.events": events}
        ):
            self._write_in_one(batch)

    def _write_in_one(self, batch: list[_Save]) -> None:
        if len(batch) > 1:
            try:
                ids = self.recorder.insert_events(
                    [s for save in batch for s in save.stored_events],
                    idempotency=[claim for save in batch for claim in _claims(save)],
                )
            except IntegrityError:
                pass  # someone in the batch conflicts: retry each on its own
            else:
                self._share_out(batch, ids)
                return
        for save in batch:
            try:
                save.notification_ids = self.recorder.insert_events(
                    save.stored_events, idempotency=_claims(save)
                )
            except BaseException as error:  # handed to the thread that asked
                save.error = error
            save.done = True

    @staticmethod
    def _share_out(batch: list[_Save], ids: Sequence[int] | None) -> None:
        offset = 0
        for save in batch:
            count = len(save.stored_events)
            save.notification_ids = ids[offset : offset + count] if ids else None
            offset += count
            save.done = True

    @staticmethod
    def _recordings(save: _Save) -> list[Recording[Any]]:
        if not save.notification_ids:
            return []
        return [
            Recording(
                event,
                Notification(
                    originator_id=stored.originator_id,
                    originator_version=stored.originator_version,
                    topic=stored.topic,
                    state=stored.state,
                    id=notification_id,
                ),
            )
            for event, stored, notification_id in zip(
                save.domain_events, save.stored_events, save.notification_ids, strict=True
            )
        ]


def _claims(save: _Save) -> list[tuple[Any, dict[str, Any], StoredEvent]]:
    """The save's idempotency claims (one a command decided in it), each tied to the
    last event of its command: ``idempotency`` lists (claim, extra, how many of the
    save's events the command's last one is)."""
    claims = save.kwargs.get("idempotency") or []
    return [
        (claim, extra or {}, save.stored_events[upto - 1]) for claim, extra, upto in claims if claim and upto
    ]
