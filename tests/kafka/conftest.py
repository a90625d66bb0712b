"""The Kafka tests' store and topics: each test publishes to topics of its own."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.application import Gongzhi
from infra.settings import Settings
from infra.store.application import open_application
from testing.broker import Broker, ExternalBroker


@pytest.fixture
def kafka_settings(settings: Settings, kafka_broker: Broker | ExternalBroker) -> Settings:
    """Topics and a consumer group of the test's own on the session's broker; short
    group timeouts, as the broker holds a join for half the session timeout."""
    test = uuid4().hex[:10]
    return settings.model_copy(
        update={
            "kafka_bootstrap_servers": kafka_broker.bootstrap_servers,
            "kafka_topic_prefix": f"t{test}.",
            "kafka_group_id": f"projections-{test}",
            "kafka_session_timeout_ms": 2_000,
            "kafka_heartbeat_interval_ms": 300,
        }
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Gongzhi]:
    application = open_application(settings)
    yield application
    application.close()
