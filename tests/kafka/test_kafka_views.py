"""Views fed from Kafka equal views rebuilt from the store: duplicates applied once,
undecodable messages dead-lettered, offsets resumed from the database."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from domain.application import Gongzhi
from infra.demo import DemoLoader
from infra.kafka.contract import DEAD_LETTER_TOPIC, to_message
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.offsets import KafkaState
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.views import open_views
from projections.events import records
from testing.generate import generate
from tests.conftest import serving
from tests.kafka.running import projector_env
from tests.kafka.support import (
    assert_fed_views_equal_a_rebuild,
    feed_until_caught_up,
    kafka_fed_then_rebuilt,
    read_all,
)


def test_a_command_reaches_the_kafka_fed_views_which_equal_a_rebuild_from_the_store(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    DemoLoader(app).load()
    Relay(app.recorder, kafka_settings).catch_up()
    runner = open_views(app)
    feeder = KafkaFeeder(runner, kafka_settings)

    assert_fed_views_equal_a_rebuild(feeder, runner)


def test_events_published_twice_are_applied_once(app: Gongzhi, kafka_settings: Settings) -> None:
    DemoLoader(app).load()
    Relay(app.recorder, kafka_settings).catch_up()
    # The relay's tail after a crash, republished: the same messages again.
    producer = KafkaProducer(bootstrap_servers=kafka_settings.kafka_bootstrap_servers)
    for event in records(app.recorder.select_notifications(start=200, limit=150)):
        message = to_message(event)
        assert message is not None
        producer.send(
            kafka_settings.kafka_topic_prefix + message.topic,
            key=message.key,
            value=message.value,
            headers=message.headers,
        )
    producer.flush()
    producer.close()
    runner = open_views(app)
    feeder = KafkaFeeder(runner, kafka_settings)

    assert_fed_views_equal_a_rebuild(feeder, runner)


def test_an_undecodable_message_is_dead_lettered_with_its_reason_and_counted(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    DemoLoader(app).load()
    relay = Relay(app.recorder, kafka_settings)
    relay.catch_up()
    producer = KafkaProducer(bootstrap_servers=kafka_settings.kafka_bootstrap_servers)
    fund_topic = kafka_settings.kafka_topic_prefix + "gongzhi.fund"
    producer.send(fund_topic, key=b"x", value=b"not json", headers=[("ce_type", b"org.gongzhi.nothing.v1")])
    producer.flush()
    producer.close()
    runner = open_views(app)
    feeder = KafkaFeeder(runner, kafka_settings)
    try:
        feed_until_caught_up(feeder, runner)
        fed, rebuilt = kafka_fed_then_rebuilt(runner)
        dead_letters = feeder.state.dead_letters()
    finally:
        feeder.close()

    assert fed == rebuilt
    assert dead_letters == 1
    consumer = KafkaConsumer(
        bootstrap_servers=kafka_settings.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    topic = kafka_settings.kafka_topic_prefix + DEAD_LETTER_TOPIC
    consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()])
    consumer.seek_to_beginning()
    found = [r for batch in consumer.poll(timeout_ms=3000).values() for r in batch]
    consumer.close()
    assert len(found) == 1
    headers = dict(found[0].headers)
    assert found[0].value == b"not json"
    assert headers["dead_letter_source_topic"] == fund_topic.encode()
    assert headers["dead_letter_reason"]


def test_a_restarted_projector_resumes_from_the_offsets_in_the_database(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    DemoLoader(app).load()
    relay = Relay(app.recorder, kafka_settings)
    relay.catch_up()
    runner = open_views(app)
    first = KafkaFeeder(runner, kafka_settings)
    try:
        feed_until_caught_up(first, runner)
    finally:
        first.close()
    generate(app, 500, seed=11)
    relay.catch_up()
    relay.close()
    second = KafkaFeeder(runner, kafka_settings)

    assert_fed_views_equal_a_rebuild(second, runner)


def test_a_command_through_the_http_api_appears_on_kafka_and_then_in_the_kafka_fed_view(
    kafka_settings: Settings,
) -> None:
    # The API relays in-process (Kafka is configured) and leaves the views to the projector.
    settings = kafka_settings.model_copy(update={"projections_in_process": False})
    with serving(settings) as api:
        body = {"kind": "mutual_aid_association", "name": "互助会", "jurisdiction": "浙江省/嘉兴市/桐乡市"}
        accepted = api.command("/organisations", body, status=201)
        org = str(accepted["id"])
        received = read_all(settings, expected=1)
        assert [m.headers["ce_type"] for m in received] == [b"org.gongzhi.organisation.registered.v1"]
        assert orjson.loads(received[0].value)["organisation_id"] == org

        application = api.client.app.state.application  # type: ignore[attr-defined]
        runner = open_views(application)
        feeder = KafkaFeeder(runner, settings)
        try:
            feed_until_caught_up(feeder, runner)
        finally:
            feeder.close()
        response = api.client.get(f"/views/organisations/{org}/members", params={"min_position": 1})
        assert response.status_code == 200, response.text
        figures = api.client.get("/views/statistics", params={"jurisdiction": "浙江省/嘉兴市"}).json()
        assert figures["figures"]["organisations.kind.mutual_aid_association"] == 1


def test_a_projector_killed_mid_batch_resumes_without_loss_or_double_counting(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    generate(app, 12_000, seed=13)
    relay = Relay(app.recorder, kafka_settings)
    relay.catch_up()
    relay.close()
    runner = open_views(app)
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "project", "--source", "kafka"],
        env=projector_env(kafka_settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = KafkaState(runner.database, kafka_settings.kafka_group_id)
    try:
        deadline = time.monotonic() + 60
        while not state.next_offsets():
            assert time.monotonic() < deadline, "the projector applied nothing"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert sum(state.next_offsets().values()) < runner.head(), "killed too late to test a restart"

    feeder = KafkaFeeder(runner, kafka_settings)

    assert_fed_views_equal_a_rebuild(feeder, runner)
