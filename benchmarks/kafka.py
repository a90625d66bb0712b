"""Kafka throughput, each against raw kafka-python on the same broker in the same run.

Relay: against a raw kafka-python producer.
The raw floor sends the very messages the relay would send (same topics, keys,
headers and values, built beforehand in memory) with the relay's producer
settings (acks=all, idempotent) and waits for every acknowledgement. The relay
then publishes the same store from position 0: reading the log, mapping to
CloudEvents, sending, waiting for acknowledgements and recording its position.

Kafka-fed projection: a projector (consumer group, every view, offsets and
versions in the same transaction as the rows) catching up on the relay's topics
from offset 0 into an empty store of the same kind, against a raw kafka-python
consumer reading the same topics; both rates from the first poll that can fetch
(the projector's join of its group is printed apart).

The store is generated once per kind; the floor and the path take turns, three
rounds each, and every round has topics, a relay position, a consumer group and
views of its own, so that each starts where the first did.

The broker is the one at GONGZHI_KAFKA_BOOTSTRAP_SERVERS, or a Tansu broker
started here on a loopback port.
Usage: python -m benchmarks.kafka [--events 200000] [--rounds 3] [sqlite|postgres ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from benchmarks.support import STORES, Ratio, report, side_by_side
from infra.kafka.contract import TOPICS, KafkaMessage, to_message
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.producing import ensure_topics, producer_config
from infra.kafka.relay import Relay
from infra.progress import Progress
from infra.settings import Settings
from infra.store.application import open_application
from infra.views import open_views
from projections.events import records
from testing.generate import generate

TARGET = 0.8
STALL_SECONDS = 60.0


class Stalled(RuntimeError):
    """A projector stopped applying before it had every message."""


@contextmanager
def broker() -> Iterator[str]:
    external = os.environ.get("GONGZHI_KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    from testing.broker import Broker

    with Broker() as started:
        yield started.bootstrap_servers


def fresh_topics(settings: Settings, label: str) -> Settings:
    """The settings with topics of their own, created beforehand (not timed)."""
    fresh = settings.model_copy(update={"kafka_topic_prefix": f"{label}{uuid4().hex[:8]}."})
    ensure_topics(fresh)
    return fresh


def relay_messages(settings: Settings) -> list[KafkaMessage]:
    """The messages the relay sends for the whole store, built in memory."""
    app = open_application(settings)
    head = app.recorder.max_notification_id() or 0
    notifications = app.recorder.select_notifications(start=1, limit=head)
    app.close()
    source = settings.event_source
    return [m for m in (to_message(event, source) for event in records(notifications)) if m is not None]


def raw_producer(settings: Settings, messages: list[KafkaMessage]) -> float:
    """Messages a second a plain producer sends and has acknowledged."""
    settings = fresh_topics(settings, "raw")
    producer = KafkaProducer(**producer_config(settings))
    progress = Progress("raw producer", len(messages))
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
    progress.advance(len(messages) % 1000)
    progress.finish()
    producer.close()
    return len(messages) / progress.elapsed()


class RelayRounds:
    """The relay publishing the whole store afresh each round, to topics of the round's
    own and from a position of its own; the last round's topics feed the projectors."""

    def __init__(self, settings: Settings, head: int) -> None:
        self.settings = settings
        self.head = head
        self.relayed = settings

    def __call__(self) -> float:
        settings = fresh_topics(self.settings, "relay")
        app = open_application(settings)
        relay = Relay(app.recorder, settings, tracking_name=f"bench-{uuid4().hex[:8]}")
        progress = Progress("relay", self.head)
        while count := relay.publish_batch():
            progress.advance(count)
        progress.finish()
        relay.close()
        app.close()
        self.relayed = settings
        return self.head / progress.elapsed()


def raw_consumer(settings: Settings, count: int) -> float:
    """Messages a second a plain consumer reads of the event topics."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, max_poll_records=2_000
    )
    topics = [settings.kafka_topic_prefix + topic for topic in TOPICS]
    consumer.assign(
        [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
    )
    consumer.seek_to_beginning()
    progress = Progress("raw consumer", count)
    while progress.done < count:
        for batch in consumer.poll(timeout_ms=500, max_records=2_000).values():
            progress.advance(len(batch))
    progress.finish()
    consumer.close()
    return progress.done / progress.elapsed()


def kafka_fed_views(settings: Settings, store: str, count: int) -> float:
    """Messages a second a projector applies to every view of an empty store, in a group
    of its own. Timed from the moment the group has assigned it its partitions, as the
    raw consumer's rate is from its first poll (it joins no group)."""
    with STORES[store]() as empty:
        views_settings = settings.model_copy(
            update={name: getattr(empty, name) for name in ("data_dir", "database_url", "database_schema")}
        )
        app = open_application(views_settings)
        runner = open_views(app)
        feeder = KafkaFeeder(runner, views_settings, group_id=f"bench-{uuid4().hex[:8]}")
        joining, applied = time.perf_counter(), 0
        while not feeder.consumer.assignment():
            applied += feeder.poll_once(timeout_ms=100)
        print(
            f"(the projector took {time.perf_counter() - joining:.1f} s to join its group)", file=sys.stderr
        )
        progress = Progress("Kafka-fed views", count - applied)
        last_applied = time.monotonic()
        while progress.done < count - applied:
            if done := feeder.poll_once(timeout_ms=500):
                progress.advance(done)
                last_applied = time.monotonic()
            elif time.monotonic() - last_applied > STALL_SECONDS:
                feeder.close()
                app.close()
                raise Stalled(f"the projector applied nothing for {STALL_SECONDS:.0f} s: {progress.line()}")
        progress.finish()
        feeder.close()
        app.close()
    return progress.done / progress.elapsed()


def measure(settings: Settings, store: str, events: int, rounds: int) -> list[Ratio]:
    app = open_application(settings)
    generate(app, events)
    head = app.recorder.max_notification_id() or 0
    app.close()
    messages = relay_messages(settings)
    relay = RelayRounds(settings, head)
    relayed = side_by_side(
        f"Kafka relay, {head:,} events",
        store,
        lambda: raw_producer(settings, messages),
        relay,
        target=TARGET,
        rounds=rounds,
    )
    # Short group timeouts, as the broker holds a join for half the session timeout.
    fed = relay.relayed.model_copy(
        update={"kafka_session_timeout_ms": 2_000, "kafka_heartbeat_interval_ms": 300}
    )
    try:
        projected = side_by_side(
            f"Kafka-fed views, {head:,} events",
            store,
            lambda: raw_consumer(fed, head),
            lambda: kafka_fed_views(fed, store, head),
            target=TARGET,
            rounds=rounds,
        )
    except Stalled as stalled:
        print(f"Kafka-fed views on {store}: not measured, {stalled}", file=sys.stderr)
        return [relayed]
    return [relayed, projected]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stores", nargs="*", metavar="store", help="sqlite, postgres (default both)")
    parser.add_argument("--events", type=int, default=200_000, help="size of the generated store")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the raw floor and the path")
    args = parser.parse_args()
    results: list[Ratio] = []
    with broker() as bootstrap_servers:
        for name in args.stores or list(STORES):
            with STORES[name]() as store:
                settings = store.model_copy(update={"kafka_bootstrap_servers": bootstrap_servers})
                results += measure(settings, name, args.events, args.rounds)
    report("Kafka relay and Kafka-fed views against raw kafka-python", results)


if __name__ == "__main__":
    main()
