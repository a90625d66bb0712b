"""Seals the log: a signed checkpoint every N events, or every T seconds while events wait.

A checkpoint is one row, inserted atomically; its position and the
checkpoint it follows are both unique, so of two sealers racing for the same
range one inserts and the other skips. A restarted sealer carries on after
the last stored checkpoint. It never vouches for an event whose hash does not
hold: it seals up to the event before and logs the failure until resolved.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import ApplicationRecorder
from kafka.errors import KafkaError

from infra.audit.checkpoint import GENESIS_RUNNING, Checkpoint, RunningHash
from infra.audit.publish import CheckpointPublisher
from infra.audit.rows import EventRow
from infra.audit.signing_key import key_id, signing_key
from infra.audit.tables import audit_tables
from infra.audit.verify import BATCH_SIZE, event_failure
from infra.background import Background
from infra.kafka.producing import Unacknowledged
from infra.settings import Settings, SettingsError

log = logging.getLogger(__name__)


class Sealer(Background):
    thread_name = "audit-sealer"

    def __init__(self, recorder: ApplicationRecorder, settings: Settings, key: Ed25519PrivateKey) -> None:
        super().__init__()
        self.tables = audit_tables(recorder)
        self.every = settings.audit_seal_every_events
        self.interval = settings.audit_seal_interval_seconds
        self.key = key
        self.key_id = key_id(key.public_key())
        self.publisher = (
            CheckpointPublisher(recorder, self.tables, settings) if settings.kafka_bootstrap_servers else None
        )
        self._seen: int | None = None
        self._seen_at = time.monotonic()

    def seal(self, force: bool = False) -> Checkpoint | None:
        """Seals the next N events, or (when T seconds passed or ``force``) those waiting."""
        last = self.tables.last_checkpoint()
        after = last.position if last else 0
        if after != self._seen:
            self._seen, self._seen_at = after, time.monotonic()
        rows = self._unsealed(after)
        due = len(rows) >= self.every or force or time.monotonic() - self._seen_at >= self.interval
        if not rows or not due:
            return None
        checkpoint = self._checkpoint(last, rows)
        if not self.tables.insert_checkpoint(checkpoint):
            log.info("Another sealer sealed after position %d first; skipping", after)
            return None
        self._seen, self._seen_at = checkpoint.position, time.monotonic()
        return checkpoint

    def seal_all(self) -> list[Checkpoint]:
        """Seals every event recorded so far."""
        sealed = []
        while (checkpoint := self.seal(force=True)) is not None:
            sealed.append(checkpoint)
        return sealed

    def _unsealed(self, after: int) -> list[EventRow]:
        """Up to N events after ``after``, stopping before one whose hash does not hold."""
        rows: list[EventRow] = []
        head = self.tables.head()
        while len(rows) < self.every and after < head:
            batch = self.tables.event_rows(after, head, min(BATCH_SIZE, self.every - len(rows)))
            if not batch:
                break
            for row in batch:
                failure = event_failure(row)
                if failure is not None:
                    log.error("Not sealing position %d (%s): %s", row.position, failure.kind, failure.detail)
                    return rows
                rows.append(row)
            after = batch[-1].position
        return rows

    def _checkpoint(self, last: Checkpoint | None, rows: list[EventRow]) -> Checkpoint:
        previous = last.running_hash if last else GENESIS_RUNNING
        running = RunningHash(previous)
        for row in rows:
            running.add(row.position, row.hash or b"")
        return Checkpoint(
            position=rows[-1].position,
            previous_position=last.position if last else 0,
            event_count=running.count,
            runs=running.runs,
            previous_hash=previous,
            running_hash=running.digest(),
            sealed_at=datetime.now(UTC).isoformat(),
            key_id=self.key_id,
        ).signed(self.key)

    def publish(self) -> None:
        if self.publisher is None:
            return
        try:
            self.publisher.publish_pending()
        except (KafkaError, Unacknowledged) as error:
            log.warning("Audit checkpoints not published to Kafka yet: %s", error)
            self.publisher.reset()

    def run_forever(self) -> None:
        poll = min(0.5, self.interval / 2)
        while not self.stopping.is_set():
            try:
                sealed = self.seal()
                self.publish()
            except Exception:
                log.exception("Sealing failed; retrying")
                sealed = None
            if sealed is None:
                self.stopping.wait(poll)

    def close(self) -> None:
        self.join()
        if self.publisher is not None:
            self.publisher.close()


def in_process_sealer(recorder: ApplicationRecorder, settings: Settings) -> Sealer | None:
    """The sealer ``gongzhi serve`` runs, unless told not to or (on PostgreSQL) given no key."""
    if not settings.audit_seal_in_process:
        return None
    try:
        key = signing_key(settings)
    except SettingsError as missing:
        log.warning(
            "%s; this process seals no checkpoints (`gongzhi audit seal` does, given the key)", missing
        )
        return None
    return Sealer(recorder, settings, key)
