"""Views fed from Kafka: the same handlers as from the store's log, the topics as source.

A projector consumes the event topics in a consumer group (several projectors
split the partitions). Messages wait in a buffer per partition until they can be
taken in store order (``infra/kafka/ordering.py``). Each poll is one batch and
one database transaction: the batch's events go through every view's handler,
and in the same transaction are written the views' rows, each aggregate's last
applied version (so that an event the relay published twice is applied once)
and the next offset of every partition (both kept by ``infra/kafka/offsets.py``).
Offsets are committed to Kafka only afterwards, and on assignment a projector
seeks to the offsets in the database, so the database, not Kafka, decides where
to resume: a crash or rebalance at any point loses and doubles nothing.

Each poll's batch is a ``infra.viewstore.batch``, as from the log: batches of
several projectors take turns on the views' position rows, and a projector
trusts the rows it read and wrote for its next batch only while no other
projector has written in between; otherwise it reads them again inside the
lock, so two projectors never overwrite each other's changes to a shared row. A
message that cannot be decoded, or has a type the contract does not know, goes
to the dead-letter topic with headers saying why, and is counted.

The applied versions have generations like the views', so that a rebuild from
Kafka (``infra/kafka/rebuild.py``) can swap in new generations of both and the
offsets that go with them in one transaction. A projector remembers the
generations it feeds (read before the stored offsets it seeks to) and the batch
checks them after its lock: if a swap came between, it rolls back and seeks to
the offsets stored with the new generations.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.structs import OffsetAndMetadata

from infra.gc_tuning import rare_collections
from infra.kafka.contract import DEAD_LETTER_TOPIC, TOPICS, UndecodableMessage, from_message
from infra.kafka.offsets import KafkaState, live_applied
from infra.kafka.ordering import PartitionBuffers
from infra.settings import Settings
from infra.tracing import links_to, traceparents_of, tracer, tracing_on
from infra.viewstore.batch import GenerationsSwapped, batch
from infra.viewstore.runner import ViewRunner
from infra.viewstore.tables import UnitOfWork, ViewTables
from projections.events import EventRecord

log = logging.getLogger(__name__)

MAX_BATCH = 10_000


def _decoded(record: Any) -> EventRecord | str:
    """The message's event, or why the contract refuses it."""
    try:
        return from_message(list(record.headers), record.key, record.value)
    except UndecodableMessage as error:
        return str(error)


def _log_failed_commit(offsets: Any, response: Any) -> None:
    if isinstance(response, Exception):
        log.warning("Committing offsets to Kafka failed (the database holds them): %s", response)


class _SeekToStored(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, feeder: KafkaFeeder) -> None:
        self.feeder = feeder

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.feeder.forget_buffered(revoked)

    def on_partitions_assigned(self, assigned: Any) -> None:
        log.info(
            "Group %s assigned this projector %d partitions: %s",
            self.feeder.group_id,
            len(assigned),
            ", ".join(sorted(f"{p.topic}[{p.partition}]" for p in assigned)),
        )
        self.feeder.seek_to_stored(assigned)


class KafkaFeeder:
    """Feeds the live views from the topics, as one member of a consumer group."""

    def __init__(self, runner: ViewRunner, settings: Settings, group_id: str | None = None) -> None:
        self.runner = runner
        self.settings = settings
        self.group_id = group_id or settings.kafka_group_id
        self.state = KafkaState(runner.database, self.group_id)
        self.topics = [settings.kafka_topic_prefix + topic for topic in TOPICS]
        self.views: list[ViewTables] = []
        self.applied: ViewTables
        self._target_tables()
        self._dead_letters: KafkaProducer | None = None
        self.stopping = threading.Event()
        self.consumer = self._open_consumer()
        self.pending = PartitionBuffers(self.consumer, MAX_BATCH)

    def _target_tables(self) -> None:
        """The tables batches write: the live generations, read before the offsets
        sought with them (a swap between the two then shows at the next batch)."""
        self.views = [self.runner.live(name) for name in self.runner.views]
        self.applied = live_applied(self.runner.database)

    def generations(self) -> dict[str, int]:
        return {t.view.name: t.generation for t in (self.applied, *self.views)}

    def _open_consumer(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id=f"{self.settings.kafka_client_id}-projector",
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=MAX_BATCH,
            session_timeout_ms=self.settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=self.settings.kafka_heartbeat_interval_ms,
            max_poll_interval_ms=max(5_000, self.settings.kafka_session_timeout_ms),
        )
        consumer.subscribe(self.topics, listener=_SeekToStored(self))
        return consumer

    def poll_once(self, timeout_ms: int = 500) -> int:
        """Polls once and applies what is ready; returns how many messages it applied.
        Waits for messages only when none buffered are ready (otherwise an idle fetch,
        which the broker holds until it times out, would delay them)."""
        with rare_collections():
            return self._poll_once(timeout_ms)

    def _poll_once(self, timeout_ms: int) -> int:
        wait = 0 if self.pending.more_ready else timeout_ms
        polled = self.consumer.poll(timeout_ms=wait, max_records=MAX_BATCH)
        for partition, records in polled.items():
            self.pending.hold(partition, ((record, _decoded(record)) for record in records))
        ready = self.pending.take_ready()
        self.pending.pause_the_far_ahead()
        if not ready:
            return 0
        events = [e for _, _, e in ready if not isinstance(e, str)]
        refused = [(partition, record, e) for partition, record, e in ready if isinstance(e, str)]
        if refused:
            self._send_to_dead_letters(refused)
        offsets: dict[tuple[str, int], int] = {}
        for partition, record, _ in ready:
            offsets[partition.topic, partition.partition] = record.offset + 1
        try:
            self._apply(events, offsets, len(refused))
        except GenerationsSwapped:
            log.info("A rebuild swapped in new generations of the views; resuming from its offsets")
            self.seek_to_stored()
            return 0
        self._commit(offsets)
        return len(ready)

    def _commit(self, offsets: dict[tuple[str, int], int]) -> None:
        """Tells Kafka too, without waiting: only tools that watch the group's lag read
        these offsets; the database's decide where a projector resumes."""
        self.consumer.commit_async(
            {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()},
            callback=_log_failed_commit,
        )

    def forget_buffered(self, partitions: Any = None) -> None:
        """Drops buffered messages (they are fetched again from the stored offsets)."""
        self.pending.forget(partitions)

    live_targets = True
    """Batches write the live generations (checked after their lock)."""

    def _apply(self, events: list[EventRecord], offsets: dict[tuple[str, int], int], refused: int) -> None:
        """One batch, one transaction: the views' rows, the applied versions, the
        views' positions and the group's offsets."""
        targets = (self.applied, *self.views)
        with (
            tracer.start_as_current_span(
                "project from kafka",
                links=links_to(traceparents_of(e.metadata for e in events)) if tracing_on() else None,
                attributes={"gongzhi.events": len(events)},
            ),
            batch(self.runner.database, targets, live=self.live_targets) as current,
        ):
            self._read_versions(events)
            applied = UnitOfWork(self.applied)
            fresh = []
            for event in events:
                seen = applied.get("versions", (event.aggregate_id,))
                if seen is None or seen["version"] < event.version:
                    self.applied.view.handle(event, applied)
                    fresh.append(event)
            current.write(applied)
            for tables in self.views:
                current.write(tables.handle_reading_ahead(fresh))
            if fresh:
                current.advance(self.views, max(e.position for e in fresh))
            self.state.record(current.cursor, offsets, refused)

    def _read_versions(self, events: list[EventRecord]) -> None:
        """Reads at once the applied versions of the batch's aggregates this projector
        does not know."""
        self.applied.prefetch("versions", ((e.aggregate_id,) for e in events))

    def _send_to_dead_letters(self, refused: list[tuple[TopicPartition, Any, str]]) -> None:
        if self._dead_letters is None:
            self._dead_letters = KafkaProducer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id=f"{self.settings.kafka_client_id}-dead-letters",
                acks="all",
            )
        for partition, record, reason in refused:
            log.warning(
                "Dead letter from %s[%d]@%d: %s", partition.topic, partition.partition, record.offset, reason
            )
            headers = [
                *record.headers,
                ("dead_letter_reason", reason.encode()),
                ("dead_letter_source_topic", partition.topic.encode()),
                ("dead_letter_source_partition", str(partition.partition).encode()),
                ("dead_letter_source_offset", str(record.offset).encode()),
            ]
            self._dead_letters.send(
                self.settings.kafka_topic_prefix + DEAD_LETTER_TOPIC,
                key=record.key,
                value=record.value,
                headers=headers,
            )
        self._dead_letters.flush()

    def run_forever(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("Kafka-fed projection batch failed; retrying from the stored offsets")
                self.seek_to_stored()
                self.stopping.wait(1.0)

    def seek_to_stored(self, partitions: Iterable[TopicPartition] | None = None) -> None:
        """Targets the live generations, then seeks to the offsets stored with them (the
        beginning where none are), dropping what was buffered."""
        self._target_tables()
        self.forget_buffered()
        stored = self.state.next_offsets()
        for partition in list(partitions if partitions is not None else self.consumer.assignment()):
            offset = stored.get((partition.topic, partition.partition))
            if offset is not None:
                self.consumer.seek(partition, offset)
            else:
                self.consumer.seek_to_beginning(partition)

    def stop(self) -> None:
        self.stopping.set()

    def close(self) -> None:
        self.stop()
        self.consumer.close()
        if self._dead_letters is not None:
            self._dead_letters.close()
