"""Reading what reached Kafka, with kafka-python alone; feeding the views, and
telling when they have applied everything."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from domain.application import Gongzhi
from infra.kafka.contract import TOPICS
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.offsets import KafkaState, live_applied
from infra.settings import Settings
from infra.viewstore.runner import ViewRunner
from tests.projections.test_runner import digests


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


def versions_in_store(app: Gongzhi) -> dict[str, int]:
    """Aggregate id → its latest version, from the notification log."""
    latest: dict[str, int] = {}
    for notification in app.recorder.select_notifications(start=1, limit=10**7):
        latest[str(notification.originator_id)] = notification.originator_version
    return latest


def applied_versions(runner: ViewRunner) -> dict[str, int]:
    """Aggregate id → the version the Kafka-fed views have applied up to."""
    return {row["aggregate_id"]: row["version"] for row in live_applied(runner.database).rows("versions")}


def feed_until_caught_up(feeder: KafkaFeeder, runner: ViewRunner, timeout: float = 60) -> None:
    head = runner.head()
    deadline = time.monotonic() + timeout
    while min(runner.live(name).position() for name in runner.views) < head:
        assert time.monotonic() < deadline, "the Kafka-fed views did not catch up"
        feeder.poll_once(timeout_ms=200)
    while feeder.poll_once(timeout_ms=500):
        pass


def kafka_fed_then_rebuilt(runner: ViewRunner) -> tuple[dict[str, str], dict[str, str]]:
    fed = digests(runner)
    runner.rebuild()
    return fed, digests(runner)


def end_offsets(settings: Settings) -> dict[tuple[str, int], int]:
    """The next offset of every partition of the event topics."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        partitions = [
            TopicPartition(settings.kafka_topic_prefix + topic, partition)
            for topic in TOPICS
            for partition in sorted(consumer.partitions_for_topic(settings.kafka_topic_prefix + topic) or ())
        ]
        return {(p.topic, p.partition): offset for p, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def behind(runner: ViewRunner, settings: Settings) -> int:
    """Messages on the topics the group has not applied yet."""
    stored = KafkaState(runner.database, settings.kafka_group_id).next_offsets()
    return sum(end - stored.get(key, 0) for key, end in end_offsets(settings).items())


def wait_until_the_group_has_applied_everything(
    runner: ViewRunner, settings: Settings, timeout: float = 60
) -> None:
    """Until the group's offsets in the database reach the end of every partition."""
    ends = end_offsets(settings)
    state = KafkaState(runner.database, settings.kafka_group_id)
    deadline = time.monotonic() + timeout
    while any(state.next_offsets().get(key, 0) < end for key, end in ends.items()):
        assert time.monotonic() < deadline, f"the group is behind: {state.next_offsets()} < {ends}"
        time.sleep(0.1)


def assert_fed_views_equal_a_rebuild(feeder: KafkaFeeder, runner: ViewRunner) -> None:
    """Feeds the views until they have caught up (then closes the feeder), and checks
    they equal views rebuilt from the store."""
    try:
        feed_until_caught_up(feeder, runner)
    finally:
        feeder.close()
    fed, rebuilt = kafka_fed_then_rebuilt(runner)
    assert fed == rebuilt
