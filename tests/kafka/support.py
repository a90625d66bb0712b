"""Reading what reached Kafka, with kafka-python alone."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from infra.contract import TOPICS
from infra.settings import Settings


@dataclass(frozen=True)
class Received:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]


def read_all(settings: Settings, expected: int, timeout: float = 30.0) -> list[Received]:
    """Every message on the event topics, from offset 0, once at least ``expected`` are
    there and no more arrive for a moment (or the timeout passes)."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=500,
    )
    try:
        partitions = [
            TopicPartition(settings.kafka_topic_prefix + topic, partition)
            for topic in TOPICS
            for partition in sorted(consumer.partitions_for_topic(settings.kafka_topic_prefix + topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        received: list[Received] = []
        deadline, quiet_since = time.monotonic() + timeout, time.monotonic()
        while time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    received.append(
                        Received(
                            record.topic,
                            record.partition,
                            record.offset,
                            record.key,
                            record.value,
                            {name: value for name, value in record.headers},
                        )
                    )
            if batches:
                quiet_since = time.monotonic()
            elif len(received) >= expected and time.monotonic() - quiet_since > 0.5:
                break
        return received
    finally:
        consumer.close()


def by_aggregate(received: list[Received]) -> dict[str, list[int]]:
    """Aggregate id → the versions received for it, in the order received."""
    versions: dict[str, list[int]] = defaultdict(list)
    for message in received:
        versions[message.headers["ce_subject"].decode()].append(int(message.headers["ce_aggregateversion"]))
    return versions
