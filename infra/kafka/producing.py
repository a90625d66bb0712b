"""What every publisher to Kafka shares (the relay, the audit's checkpoint publisher):
the producer's settings, the topics, where each keeps the position it has published
up to, and the failure of a batch to be acknowledged."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.partitioner.default import DefaultPartitioner, murmur2

from infra.kafka.contract import CHECKPOINT_TOPIC, DEAD_LETTER_TOPIC, TOPICS
from infra.settings import Settings

TRACKING_TABLE = "relay_tracking"
ACK_TIMEOUT_SECONDS = 30.0


class Unacknowledged(RuntimeError):
    """The broker did not acknowledge a batch; nothing past the last acknowledged
    batch is recorded as published."""


def publishing_tracking(recorder: ApplicationRecorder, create: bool = True) -> TrackingRecorder:
    """Where publishers keep the position they have published up to, a row per publisher."""
    datastore = recorder.datastore  # type: ignore[attr-defined]
    tracking: TrackingRecorder
    if isinstance(datastore, PostgresDatastore):
        tracking = PostgresTrackingRecorder(datastore, tracking_table_name=TRACKING_TABLE)
    else:
        tracking = SQLiteTrackingRecorder(datastore)  # one table, a row per follower
    if create:
        tracking.create_table()
    return tracking


def producer_config(settings: Settings, role: str = "relay") -> dict[str, Any]:
    """An idempotent ``acks=all`` producer's settings; ``role`` ends its client id."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": f"{settings.kafka_client_id}-{role}",
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_block_ms": 5_000,
        "request_timeout_ms": 10_000,
    }


class RememberedKeyHashes(DefaultPartitioner):  # type: ignore[misc]
    """kafka-python's default partitioner (a key's murmur2 hash, as the Java clients), which
    remembers the hashes of recent keys: the relay sends many events of one aggregate, and
    kafka-python computes murmur2 in pure Python. The partitions are the default's."""

    MAX_REMEMBERED = 100_000

    def __init__(self) -> None:
        self._hashes: dict[bytes, int] = {}

    def partition(
        self,
        topic: str,
        key: Any,
        serialized_key: bytes | None,
        value: Any,
        serialized_value: Any,
        cluster: Any,
    ) -> int:
        if serialized_key is None:
            return int(super().partition(topic, key, serialized_key, value, serialized_value, cluster))
        hashed = self._hashes.get(serialized_key)
        if hashed is None:
            if len(self._hashes) >= self.MAX_REMEMBERED:
                self._hashes.clear()
            hashed = self._hashes[serialized_key] = murmur2(serialized_key) & 0x7FFFFFFF
        partitions = cluster.partitions_for_topic(topic)
        if not partitions:
            raise ValueError(f"Topic {topic} not found in ClusterMetadata")
        return int(sorted(partitions)[hashed % len(partitions)])


def ensure_topics(settings: Settings) -> None:
    """Creates the topics that are missing, keeping their messages for ever."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.kafka_client_id}-admin",
        request_timeout_ms=5_000,
        bootstrap_timeout_ms=5_000,
    )
    try:
        existing = set(admin.list_topics())
        wanted = [
            settings.kafka_topic_prefix + name for name in (*TOPICS, DEAD_LETTER_TOPIC, CHECKPOINT_TOPIC)
        ]
        missing = [name for name in wanted if name not in existing]
        for name in missing:
            topic = NewTopic(
                name,
                num_partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_replication_factor,
                topic_configs={"retention.ms": "-1", "retention.bytes": "-1"},
            )
            with suppress(TopicAlreadyExistsError):  # created meanwhile by another publisher
                admin.create_topics([topic])
    finally:
        admin.close()
