"""What a government system sees: a consumer written with kafka-python and the
CloudEvents 1.0 Kafka binding alone (none of this project's code), reading the
published topics and working out every fund's balance from them."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from uuid import UUID, uuid4

from kafka import KafkaConsumer, TopicPartition

from domain.fund import Fund
from infra.demo import DemoLoader
from infra.kafka.contract import TOPICS
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.store.application import open_application
from testing.broker import Broker, ExternalBroker

PUBLISHED_TOPICS = TOPICS


def integrator_reads(bootstrap_servers: str, prefix: str, quiet_seconds: float = 1.5) -> list[dict]:
    """Binary-mode CloudEvents: attributes in ``ce_``-prefixed headers, data in the value."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    topics = [prefix + name for name in PUBLISHED_TOPICS]
    consumer.assign([TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()])
    consumer.seek_to_beginning()
    events, quiet_since = [], time.monotonic()
    while time.monotonic() - quiet_since < quiet_seconds:
        polled = consumer.poll(timeout_ms=200)
        if polled:
            quiet_since = time.monotonic()
        for batch in polled.values():
            for record in batch:
                headers = {name: value.decode() for name, value in record.headers}
                attributes = {name[3:]: value for name, value in headers.items() if name.startswith("ce_")}
                assert headers["content-type"] == "application/json"
                events.append({**attributes, "data": json.loads(record.value)})
    consumer.close()
    return events


def test_an_integrator_reconstructs_every_fund_balance_from_the_topics(
    settings: Settings, kafka_broker: Broker | ExternalBroker
) -> None:
    prefix = f"t{uuid4().hex[:10]}."
    settings = settings.model_copy(
        update={"kafka_bootstrap_servers": kafka_broker.bootstrap_servers, "kafka_topic_prefix": prefix}
    )
    app = open_application(settings)
    try:
        DemoLoader(app).load()
        relay = Relay(app.recorder, settings)
        relay.catch_up()
        relay.close()

        events = integrator_reads(kafka_broker.bootstrap_servers, prefix)

        assert {e["specversion"] for e in events} == {"1.0"}
        assert len({e["id"] for e in events}) == len(events) == app.recorder.max_notification_id()
        balances: dict[str, int] = defaultdict(int)
        for event in sorted(events, key=lambda e: int(e["position"])):
            if event["type"] == "org.gongzhi.fund.donation_received.v1":
                balances[event["subject"]] += event["data"]["amount_fen"]
            elif event["type"] == "org.gongzhi.fund.disbursement_paid.v1":
                balances[event["subject"]] -= event["data"]["amount_fen"]
        assert balances, "the demo has fund movements"
        for fund_id, balance in balances.items():
            fund: Fund = app.repository.get(UUID(fund_id))
            assert balance == fund.balance_fen
    finally:
        app.close()
