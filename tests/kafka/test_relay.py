"""The outbox relay against a real Kafka-protocol broker: order, acknowledgement,
a broker that is away, and a relay killed mid-stream."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.application import Gongzhi
from infra.demo import DemoLoader
from infra.kafka.contract import TOPICS
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.relay import BATCH_SIZE, MAX_UNACKNOWLEDGED, Relay
from infra.settings import Settings
from infra.store.application import open_application
from infra.views import open_views
from testing.broker import Broker, ExternalBroker
from testing.generate import generate
from testing.processes import settings_env
from tests.kafka.support import assert_fed_views_equal_a_rebuild, by_aggregate, read_all


@pytest.fixture
def kafka_settings(settings: Settings, kafka_broker: Broker | ExternalBroker) -> Settings:
    """The test's store, publishing to topics of its own on the session's broker."""
    return settings.model_copy(
        update={
            "kafka_bootstrap_servers": kafka_broker.bootstrap_servers,
            "kafka_topic_prefix": f"t{uuid4().hex[:10]}.",
        }
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    yield application
    application.close()


def versions_in_store(app: Gongzhi) -> dict[str, int]:
    """Aggregate id → its latest version, from the notification log."""
    latest: dict[str, int] = {}
    for notification in app.recorder.select_notifications(start=1, limit=10**7):
        latest[str(notification.originator_id)] = notification.originator_version
    return latest


def assert_all_published_in_order(app: Gongzhi, settings: Settings) -> list[int]:
    """Every event is on Kafka, each aggregate's in version order; returns how many
    times each was received beyond the first."""
    expected = versions_in_store(app)
    received = read_all(settings, expected=sum(expected.values()))
    versions = by_aggregate(received)
    assert versions.keys() == expected.keys()
    extra = []
    for aggregate_id, latest in expected.items():
        got = versions[aggregate_id]
        assert sorted(set(got)) == list(range(1, latest + 1)), aggregate_id
        # First deliveries are in version order (a republished tail only repeats).
        assert list(dict.fromkeys(got)) == sorted(set(got)), aggregate_id
        extra.append(len(got) - latest)
    copies: dict[bytes, set[tuple[bytes, tuple[tuple[str, bytes], ...]]]] = {}
    for message in received:
        identity = message.headers["ce_id"]
        copies.setdefault(identity, set()).add((message.value, tuple(sorted(message.headers.items()))))
    assert all(len(forms) == 1 for forms in copies.values()), "a republished event differs"
    return extra


def assert_kafka_fed_views_equal_a_rebuild(app: Gongzhi, settings: Settings) -> None:
    """Views fed from what reached Kafka equal views rebuilt from the store."""
    settings = settings.model_copy(
        update={"kafka_session_timeout_ms": 2_000, "kafka_heartbeat_interval_ms": 300}
    )
    runner = open_views(app)
    feeder = KafkaFeeder(runner, settings, group_id=f"check-{uuid4().hex[:8]}")
    assert_fed_views_equal_a_rebuild(feeder, runner)


def test_every_event_is_published_in_order_and_recorded_once_acknowledged(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    DemoLoader(app).load()
    relay = Relay(app.recorder, kafka_settings)

    published = relay.catch_up()

    head = app.recorder.max_notification_id()
    assert published == head
    assert relay.position() == head and relay.lag() == 0
    assert set(assert_all_published_in_order(app, kafka_settings)) == {0}
    relay.close()


def test_messages_carry_the_cloudevents_headers_and_the_aggregate_id_as_key(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    DemoLoader(app).load()
    relay = Relay(app.recorder, kafka_settings)
    relay.catch_up()
    relay.close()

    received = read_all(kafka_settings, expected=app.recorder.max_notification_id() or 0)

    topics = Counter(m.topic.removeprefix(kafka_settings.kafka_topic_prefix) for m in received)
    assert set(topics) == set(TOPICS)
    for message in received:
        assert message.headers["ce_specversion"] == b"1.0"
        assert message.key == message.headers["ce_subject"]
        assert message.headers["ce_id"] == message.key + b":" + message.headers["ce_aggregateversion"]
        assert message.headers["ce_type"].startswith(b"org.gongzhi.")
        assert message.headers["content-type"] == b"application/json"
    positions = sorted(int(m.headers["ce_position"]) for m in received)
    assert positions == list(range(1, len(received) + 1))


def test_while_the_broker_is_away_nothing_is_recorded_as_published_and_the_relay_catches_up(
    app: Gongzhi, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    broker = Broker()  # not started yet: the broker is down
    settings = settings.model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers})
    relay = Relay(app.recorder, settings)
    DemoLoader(app).load()
    caplog.set_level(logging.WARNING, logger="infra.kafka.relay")
    relay.start()
    try:
        generate(app, 300, seed=3)  # commands go on being recorded
        deadline = time.monotonic() + 30
        while not any("wait in the store" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the relay did not say it is waiting for the broker"
            time.sleep(0.1)
        head = app.recorder.max_notification_id() or 0
        assert relay.position() == 0 and relay.lag() == head

        broker.start()
        deadline = time.monotonic() + 60
        while relay.position() < head:
            assert time.monotonic() < deadline, f"relay stuck at {relay.position()} of {head}"
            time.sleep(0.1)
    finally:
        relay.close()
    try:
        assert set(assert_all_published_in_order(app, settings)) == {0}
        assert_kafka_fed_views_equal_a_rebuild(app, settings)
    finally:
        broker.stop()


def test_a_relay_killed_mid_stream_republishes_at_most_the_unacknowledged_tail_unchanged(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    generate(app, 15_000, seed=5)
    head = app.recorder.max_notification_id() or 0
    relay = Relay(app.recorder, kafka_settings)
    env = settings_env(kafka_settings) | {
        "PYTHONPATH": os.getcwd(),
        "GONGZHI_KAFKA_BOOTSTRAP_SERVERS": kafka_settings.kafka_bootstrap_servers or "",
        "GONGZHI_KAFKA_TOPIC_PREFIX": kafka_settings.kafka_topic_prefix,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "relay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while relay.position() < 2 * BATCH_SIZE:
            assert time.monotonic() < deadline, "the relay process published nothing"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert relay.position() < head, "killed too late to test a restart"

    relay.catch_up()
    relay.close()

    assert relay.position() == head
    extra = assert_all_published_in_order(app, kafka_settings)
    assert sum(extra) <= MAX_UNACKNOWLEDGED
    assert_kafka_fed_views_equal_a_rebuild(app, kafka_settings)
