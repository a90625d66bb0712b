"""``/views/status`` and ``/metrics`` report the Kafka relay only where there is one: without
Kafka there is no relay to lag, rather than one stuck at position 0."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from tests.conftest import serving

if TYPE_CHECKING:
    from infra.settings import Settings
    from testing.broker import Broker, ExternalBroker
    from tests.conftest import Api

RELAY_LAG = "gongzhi_relay_lag_events"


def status(api: Api) -> dict[str, Any]:
    response = api.client.get("/views/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_without_kafka_the_relay_reads_as_not_configured(settings: Settings) -> None:
    with serving(settings.model_copy(update={"kafka_bootstrap_servers": None})) as api:
        api.organisation()

        relay = status(api)["relay"]
        metrics = api.client.get("/metrics").text

    assert relay == {"configured": False}
    assert RELAY_LAG not in metrics
    assert "gongzhi_store_head_position" in metrics


def test_with_kafka_the_relay_reports_its_position_and_lag(
    settings: Settings, kafka_broker: Broker | ExternalBroker
) -> None:
    relayed = settings.model_copy(
        update={
            "kafka_bootstrap_servers": kafka_broker.bootstrap_servers,
            "kafka_topic_prefix": f"t{uuid4().hex[:10]}.",
        }
    )
    with serving(relayed) as api:
        api.organisation()
        head = api.store_head()
        deadline = time.monotonic() + 20
        while (relay := status(api)["relay"]).get("lag_events") != 0:
            assert time.monotonic() < deadline, f"the relay did not catch up: {relay}"
            time.sleep(0.1)
        metrics = api.client.get("/metrics").text

    assert relay == {"configured": True, "position": head, "lag_events": 0}
    assert f"{RELAY_LAG} 0.0" in metrics
