"""Checkpoints are sealed every N events or every T seconds, survive restarts and racing
sealers, and reach Kafka."""

from __future__ import annotations

import threading
import time
from uuid import uuid4

import orjson
from kafka import KafkaConsumer, TopicPartition

from infra.audit.checkpoint import Checkpoint
from infra.audit.signing_key import key_id, private_key
from infra.audit.tables import audit_tables
from infra.kafka.contract import CHECKPOINT_TOPIC
from infra.settings import Settings
from testing.broker import Broker, ExternalBroker
from tests.audit.tampering import SEAL_EVERY, audit, audit_settings, auditor_api, sealer, village_story
from tests.conftest import Api, serving

__all__ = ["audit_settings", "auditor_api"]  # fixtures


def stored_checkpoints(api: Api) -> list[Checkpoint]:
    return audit_tables(api.client.app.state.application.recorder).checkpoints_after(-1)


def test_a_checkpoint_is_sealed_every_n_events(auditor_api: Api) -> None:
    village_story(auditor_api)
    head = auditor_api.store_head()
    the_sealer = sealer(auditor_api)

    while the_sealer.seal() is not None:
        pass

    sealed = stored_checkpoints(auditor_api)
    assert [c.position for c in sealed] == list(range(SEAL_EVERY, head + 1, SEAL_EVERY))
    assert all(c.event_count == SEAL_EVERY for c in sealed)
    assert [c.previous_position for c in sealed] == [0, *[c.position for c in sealed[:-1]]]


def test_waiting_events_are_sealed_after_the_interval_by_the_api_process(audit_settings: Settings) -> None:
    settings = audit_settings.model_copy(
        update={
            "audit_seal_every_events": 1000,
            "audit_seal_interval_seconds": 0.3,
            "audit_seal_in_process": True,
        }
    )
    with serving(settings) as api:
        village_story(api)
        head = api.store_head()
        deadline = time.monotonic() + 10
        while not (sealed := stored_checkpoints(api)) or sealed[-1].position < head:
            assert time.monotonic() < deadline, "nothing sealed within 10 s"
            time.sleep(0.1)
        assert audit(api).sealed_up_to == head


def test_a_restarted_sealer_carries_on_after_the_last_checkpoint(auditor_api: Api) -> None:
    village_story(auditor_api)
    sealer(auditor_api).seal_all()
    before = stored_checkpoints(auditor_api)[-1]
    auditor_api.person("张伟")

    after = sealer(auditor_api).seal_all()

    assert after[0].previous_position == before.position
    assert after[0].previous_hash == before.running_hash
    assert audit(auditor_api).sealed_up_to == auditor_api.store_head()


def test_two_sealers_racing_seal_each_range_once(auditor_api: Api) -> None:
    village_story(auditor_api)
    sealers = [sealer(auditor_api), sealer(auditor_api)]
    threads = [threading.Thread(target=s.seal_all) for s in sealers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sealed = stored_checkpoints(auditor_api)
    assert [c.previous_position for c in sealed[1:]] == [c.position for c in sealed[:-1]]
    report = audit(auditor_api)
    assert report.ok, report.failure
    assert report.sealed_up_to == auditor_api.store_head()


def test_checkpoints_reach_the_kafka_topic(
    audit_settings: Settings, kafka_broker: Broker | ExternalBroker
) -> None:
    settings = audit_settings.model_copy(
        update={
            "kafka_bootstrap_servers": kafka_broker.bootstrap_servers,
            "kafka_topic_prefix": f"t{uuid4().hex[:10]}.",
        }
    )
    with serving(settings) as api:
        village_story(api)
        the_sealer = sealer(api)
        sealed = the_sealer.seal_all()
        the_sealer.publish()
        the_sealer.close()

    received = _read_checkpoints(settings, len(sealed))
    assert [c.position for c in received] == [c.position for c in sealed]
    assert settings.audit_signing_key is not None
    public_key = private_key(settings.audit_signing_key.get_secret_value()).public_key()
    assert all(c.signature_ok(public_key) and c.key_id == key_id(public_key) for c in received)


def _read_checkpoints(settings: Settings, expected: int, timeout: float = 30.0) -> list[Checkpoint]:
    topic = settings.kafka_topic_prefix + CHECKPOINT_TOPIC
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, consumer_timeout_ms=500
    )
    try:
        consumer.assign(
            [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        )
        consumer.seek_to_beginning()
        received: list[Checkpoint] = []
        deadline = time.monotonic() + timeout
        while len(received) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                received.extend(Checkpoint.from_json(orjson.loads(r.value)) for r in records)
        return sorted(received, key=lambda c: c.position)
    finally:
        consumer.close()
