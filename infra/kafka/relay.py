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
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Tracking
from kafka import KafkaProducer
from kafka.errors import KafkaError

from infra.background import Background
from infra.kafka.contract import to_message
from infra.kafka.producing import (
    ACK_TIMEOUT_SECONDS,
    RememberedKeyHashes,
    Unacknowledged,
    ensure_topics,
    producer_config,
    publishing_tracking,
)
from infra.settings import Settings
from infra.tracing import links_to, traceparents_of, tracer, tracing_on
from infra.viewstore.runner import RecordReader
from projections.events import EventRecord, records

log = logging.getLogger(__name__)

TRACKING_NAME = "kafka-relay"
BATCH_SIZE = 2000
"""Positions read from the log at a time."""
BATCHES_IN_FLIGHT = 3
"""Batches sent and not yet acknowledged before the relay waits for the oldest."""
MAX_UNACKNOWLEDGED = BATCH_SIZE * (BATCHES_IN_FLIGHT + 1)
"""At most this many events are published again after a crash."""
MAX_BACKOFF_SECONDS = 30.0


def published_position(recorder: ApplicationRecorder) -> int:
    """The position the relay has published up to (0 before it first ran)."""
    return publishing_tracking(recorder, create=False).max_tracking_id(TRACKING_NAME) or 0


@dataclass
class _Sent:
    """A batch sent and not yet recorded: the position it reaches and its sends."""

    upto: int
    sends: list[Any]


class Relay(Background):
    thread_name = "kafka-relay"

    def __init__(
        self,
        recorder: ApplicationRecorder,
        settings: Settings,
        producer_factory: Callable[[], Any] | None = None,
        batch_size: int = BATCH_SIZE,
        tracking_name: str = TRACKING_NAME,
    ) -> None:
        super().__init__()
        self.tracking_name = tracking_name
        self.recorder = recorder
        self.settings = settings
        self.tracking = publishing_tracking(recorder)
        self.batch_size = batch_size
        self.producer_factory = producer_factory or (
            lambda: KafkaProducer(**producer_config(settings), partitioner=RememberedKeyHashes())
        )
        self._producer: Any = None
        self._topics_ready = False
        self._sent_upto: int | None = None
        """The position sent up to, ahead of the recorded one while batches are in flight."""
        self._in_flight: deque[_Sent] = deque()

    def position(self) -> int:
        return self.tracking.max_tracking_id(self.tracking_name) or 0

    def lag(self) -> int:
        return (self.recorder.max_notification_id() or 0) - self.position()

    def publish_batch(self) -> int:
        """Sends the next batch, then records the position of the batches acknowledged
        so far, waiting for the oldest while too many are in flight; returns how many
        events it sent (0 once everything sent is acknowledged and recorded)."""
        start = self._sent_upto if self._sent_upto is not None else self.position()
        head = self.recorder.max_notification_id() or 0
        events: list[EventRecord] = []
        stop = start
        while not events and stop < head:  # a gap in the positions reads as nothing
            stop = min(stop + self.batch_size, head)
            events = self._read(start, stop)
        if not events:
            self.settle()
            return 0
        if not self._topics_ready:
            ensure_topics(self.settings)
            self._topics_ready = True
        if self._producer is None:
            self._producer = self.producer_factory()
        with tracer.start_as_current_span(
            "relay publish",
            links=links_to(traceparents_of(e.metadata for e in events)) if tracing_on() else None,
            attributes={"gongzhi.events": len(events), "gongzhi.position": stop},
        ):
            self._in_flight.append(_Sent(stop, self._send(events)))
        self._sent_upto = stop
        self._record_acknowledged(wait=len(self._in_flight) > BATCHES_IN_FLIGHT)
        return len(events)

    def _read(self, start: int, stop: int) -> list[EventRecord]:
        if isinstance(self.recorder, RecordReader):
            return self.recorder.select_records(start, stop, ())
        notifications = self.recorder.select_notifications(
            start, stop - start, stop, inclusive_of_start=False
        )
        return records(notifications)

    def _send(self, events: list[EventRecord]) -> list[Any]:
        send, prefix, source = (
            self._producer.send,
            self.settings.kafka_topic_prefix,
            self.settings.event_source,
        )
        sends = []
        for event in events:
            message = to_message(event, source)
            if message is None:
                log.warning("No public form for %s at position %d; not published", event.type, event.position)
                continue
            sends.append(
                send(prefix + message.topic, key=message.key, value=message.value, headers=message.headers)
            )
        return sends

    def settle(self) -> None:
        """Waits for every batch sent to be acknowledged, and records the position."""
        if self._in_flight:
            self._producer.flush(timeout=ACK_TIMEOUT_SECONDS)
            self._record_acknowledged(wait=True)

    def _record_acknowledged(self, wait: bool) -> None:
        """Records the position of the batches acknowledged, oldest first (waiting for
        the oldest if ``wait``); raises ``Unacknowledged`` for a send the broker refused."""
        acknowledged = None
        while self._in_flight:
            oldest = self._in_flight[0]
            if wait:
                self._wait_for(oldest.sends)
                wait = False
            elif not all(sent.is_done for sent in oldest.sends):
                break
            for sent in oldest.sends:
                if sent.exception is not None:
                    raise Unacknowledged(f"the broker refused an event: {sent.exception}") from sent.exception
            acknowledged = self._in_flight.popleft().upto
        if acknowledged is not None:
            self.tracking.insert_tracking(Tracking(self.tracking_name, acknowledged))

    @staticmethod
    def _wait_for(sends: list[Any]) -> None:
        deadline = time.monotonic() + ACK_TIMEOUT_SECONDS
        for sent in sends:
            if not sent.is_done:
                with suppress(Exception):  # a refusal is read from the send afterwards
                    sent.get(timeout=max(0.0, deadline - time.monotonic()))
            if not sent.is_done:
                raise Unacknowledged(f"no acknowledgement within {ACK_TIMEOUT_SECONDS:.0f} s")

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
        self._sent_upto = None  # what was not recorded is sent again, in order
        self._in_flight.clear()
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
