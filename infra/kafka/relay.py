"""The outbox relay: publishes every stored event to Kafka, in order, at least once.

The event store is the outbox. The relay reads the notification log after the
position it last published, sends each event as a CloudEvent (``infra.kafka.contract``)
with an idempotent ``acks=all`` producer, waits for the broker to acknowledge the
whole batch, and only then records the new position (a tracking record in the
store's own database). A crash therefore republishes at most the unacknowledged
tail, and a republished event is the same message byte for byte.

While the broker is away, commands go on being recorded; the relay logs, backs
off, builds a fresh producer and catches up when the broker is back.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Tracking
from kafka import KafkaProducer
from kafka.errors import KafkaError

from infra.background import Background
from infra.kafka.contract import to_message
from infra.kafka.producing import (
    ACK_TIMEOUT_SECONDS,
    Unacknowledged,
    ensure_topics,
    producer_config,
    publishing_tracking,
)
from infra.settings import Settings
from projections.events import records

log = logging.getLogger(__name__)

TRACKING_NAME = "kafka-relay"
BATCH_SIZE = 500
MAX_BACKOFF_SECONDS = 30.0


def published_position(recorder: ApplicationRecorder) -> int:
    """The position the relay has published up to (0 before it first ran)."""
    return publishing_tracking(recorder, create=False).max_tracking_id(TRACKING_NAME) or 0


class Relay(Background):
    thread_name = "kafka-relay"

    def __init__(
        self,
        recorder: ApplicationRecorder,
        settings: Settings,
        producer_factory: Callable[[], Any] | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        super().__init__()
        self.recorder = recorder
        self.settings = settings
        self.tracking = publishing_tracking(recorder)
        self.batch_size = batch_size
        self.producer_factory = producer_factory or (lambda: KafkaProducer(**producer_config(settings)))
        self._producer: Any = None
        self._topics_ready = False

    def position(self) -> int:
        return self.tracking.max_tracking_id(TRACKING_NAME) or 0

    def lag(self) -> int:
        return (self.recorder.max_notification_id() or 0) - self.position()

    def publish_batch(self) -> int:
        """Publishes the next batch and records it once acknowledged; returns its size."""
        start = self.position()
        batch = self.recorder.select_notifications(
            start=start, limit=self.batch_size, inclusive_of_start=False
        )
        if not batch:
            return 0
        if not self._topics_ready:
            ensure_topics(self.settings)
            self._topics_ready = True
        if self._producer is None:
            self._producer = self.producer_factory()
        sends = []
        for event in records(batch):
            message = to_message(event, source=self.settings.event_source)
            if message is None:
                log.warning("No public form for %s at position %d; not published", event.type, event.position)
                continue
            sends.append(
                self._producer.send(
                    self.settings.kafka_topic_prefix + message.topic,
                    key=message.key,
                    value=message.value,
                    headers=message.headers,
                )
            )
        self._producer.flush(timeout=ACK_TIMEOUT_SECONDS)
        for sent in sends:
            if not sent.is_done:
                raise Unacknowledged(f"no acknowledgement within {ACK_TIMEOUT_SECONDS:.0f} s")
            if sent.exception is not None:
                raise Unacknowledged(f"the broker refused an event: {sent.exception}") from sent.exception
        self.tracking.insert_tracking(Tracking(TRACKING_NAME, batch[-1].id))
        return len(batch)

    def catch_up(self) -> int:
        published = 0
        while not self.stopping.is_set() and (count := self.publish_batch()):
            published += count
        return published

    def run_forever(self, poll_interval: float = 0.1) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                published = self.catch_up()
            except (KafkaError, Unacknowledged) as error:
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(failures, 10)) * random.uniform(0.5, 1.0)
                log.warning(
                    "Kafka relay: %s; %d event(s) wait in the store, from position %d; retrying in %.1f s",
                    error,
                    self.lag(),
                    self.position() + 1,
                    delay,
                )
                self._reset_producer()
                self.stopping.wait(delay)
                continue
            except Exception:
                log.exception("Kafka relay failed; retrying")
                self._reset_producer()
                self.stopping.wait(1.0)
                continue
            if failures:
                log.info("Kafka relay: broker reachable again; caught up to position %d", self.position())
                failures = 0
            if not published:
                self.stopping.wait(poll_interval)

    def _reset_producer(self) -> None:
        """A producer that failed is not trusted again (its idempotence state may be
        gone on the broker); the next batch gets a new one."""
        producer, self._producer = self._producer, None
        self._topics_ready = False
        if producer is not None:
            try:
                producer.close(timeout=0)
            except Exception:  # closing a broken producer may fail too
                log.debug("closing the failed producer", exc_info=True)

    def close(self) -> None:
        self.join(timeout=ACK_TIMEOUT_SECONDS + 5)
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None
