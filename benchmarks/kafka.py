"""Kafka throughput, each against raw kafka-python on the same broker in the same run.

Relay: against a raw kafka-python producer.
The raw floor sends the very messages the relay would send (same topics, keys,
headers and values, built beforehand in memory) with the relay's producer
settings (acks=all, idempotent) and waits for every acknowledgement. The relay
then publishes the same store from position 0: reading the log, mapping to
CloudEvents, sending, waiting for acknowledgements and recording its position.

Kafka-fed projection: a projector (consumer group, every view, offsets and
versions in the same transaction as the rows) catching up on the relay's topics
from offset 0, against a raw kafka-python consumer reading the same topics; both
rates from the first poll that can fetch (the projector's join of its group is
printed apart).

The broker is the one at GONGZHI_KAFKA_BOOTSTRAP_SERVERS, or a Tansu broker
started here on a loopback port.
Usage: python -m benchmarks.kafka [--events 30000] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from benchmarks.support import STORES
from infra.kafka.contract import TOPICS, to_message
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.producing import ensure_topics, producer_config
from infra.kafka.relay import Relay
from infra.progress import Progress
from infra.settings import Settings
from infra.store.application import open_application
from infra.views import open_views
from projections.events import records
from testing.generate import generate


@contextmanager
def broker() -> Iterator[str]:
    external = os.environ.get("GONGZHI_KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    from testing.broker import Broker

    with Broker() as started:
        yield started.bootstrap_servers


def raw_producer(settings: Settings, head: int) -> float:
    """Seconds to send and have acknowledged the relay's messages, prepared beforehand."""
    app = open_application(settings)
    notifications = app.recorder.select_notifications(start=1, limit=head)
    messages = [m for m in map(to_message, records(notifications)) if m is not None]
    app.close()
    producer = KafkaProducer(**producer_config(settings))
    progress = Progress("raw producer", len(messages))
    started = time.perf_counter()
    for n, message in enumerate(messages, 1):
        producer.send(
            settings.kafka_topic_prefix + message.topic,
            key=message.key,
            value=message.value,
            headers=message.headers,
        )
        if n % 1000 == 0:
            progress.advance(1000)
    producer.flush()
    seconds = time.perf_counter() - started
    progress.finish()
    producer.close()
    return seconds


def relay(settings: Settings, head: int) -> float:
    app = open_application(settings)
    relay = Relay(app.recorder, settings)
    progress = Progress("relay", head)
    started = time.perf_counter()
    while count := relay.publish_batch():
        progress.advance(count)
    seconds = time.perf_counter() - started
    progress.finish()
    relay.close()
    app.close()
    return seconds


def raw_consumer(settings: Settings, count: int) -> float:
    """Seconds for a plain consumer to read ``count`` messages of the event topics."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, max_poll_records=2_000
    )
    topics = [settings.kafka_topic_prefix + topic for topic in TOPICS]
    consumer.assign(
        [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
    )
    consumer.seek_to_beginning()
    progress = Progress("raw consumer", count)
    started, read = time.perf_counter(), 0
    while read < count:
        for batch in consumer.poll(timeout_ms=500, max_records=2_000).values():
            read += len(batch)
            progress.advance(len(batch))
    seconds = time.perf_counter() - started
    progress.finish()
    consumer.close()
    return seconds


def kafka_fed_views(settings: Settings, count: int) -> tuple[float, int, float]:
    """A projector applying ``count`` messages to every view: (seconds, messages applied
    in them, seconds it took to join its group). The rate is timed from the moment the
    group has assigned it its partitions, as the raw consumer's is from its first poll
    (it assigns itself its partitions and joins no group)."""
    app = open_application(settings)
    runner = open_views(app)
    feeder = KafkaFeeder(runner, settings, group_id=f"bench-{uuid4().hex[:8]}")
    progress = Progress("Kafka-fed views", count)
    joining, applied = time.perf_counter(), 0
    while not feeder.consumer.assignment():
        applied += feeder.poll_once(timeout_ms=100)
    started = time.perf_counter()
    before = applied
    while applied < count:
        done = feeder.poll_once(timeout_ms=500)
        applied += done
        progress.advance(done)
    seconds = time.perf_counter() - started
    progress.finish()
    feeder.close()
    app.close()
    return seconds, applied - before, started - joining


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--events", type=int, default=30_000)
    args = parser.parse_args()
    rows = []
    with broker() as bootstrap_servers:
        for name in args.stores or list(STORES):
            with STORES[name]() as store:
                app = open_application(store)
                generate(app, args.events)
                head = app.recorder.max_notification_id() or 0
                app.close()
                run = uuid4().hex[:8]
                # Separate topics for each, so that neither pays for the other's partitions.
                raw_settings, relay_settings = (
                    store.model_copy(
                        update={"kafka_bootstrap_servers": bootstrap_servers, "kafka_topic_prefix": prefix}
                    )
                    for prefix in (f"raw{run}.", f"relay{run}.")
                )
                for settings in (raw_settings, relay_settings):
                    ensure_topics(settings)
                rates = [head / raw_producer(raw_settings, head), head / relay(relay_settings, head)]
                fast_joins = relay_settings.model_copy(
                    update={"kafka_session_timeout_ms": 2_000, "kafka_heartbeat_interval_ms": 300}
                )
                rates.append(head / raw_consumer(fast_joins, head))
                seconds, applied, joined = kafka_fed_views(fast_joins, head)
                rates.append(applied / seconds)
                rows.append((name, head, *rates))
                print(f"(the projector took {joined:.1f} s to join its consumer group, not counted)")
    header = ("store", "events", "producer/s", "relay/s", "ratio", "consumer/s", "views/s", "ratio")
    print("\n{:<9}{:>9}{:>12}{:>10}{:>7}{:>12}{:>10}{:>7}".format(*header))
    for name, head, producer, relayed, consumer, fed in rows:
        print(
            f"{name:<9}{head:>9,}{producer:>12,.0f}{relayed:>10,.0f}{relayed / producer:>7.2f}"
            f"{consumer:>12,.0f}{fed:>10,.0f}{fed / consumer:>7.2f}"
        )
    print("(targets: relay ≥ 0.5 of the raw producer; Kafka-fed views ≥ 0.5 of the raw consumer)")


if __name__ == "__main__":
    main()
