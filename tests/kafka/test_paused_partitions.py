"""A projector stops fetching a partition far ahead of the others while they catch up,
and fetches it again afterwards: no partition waits for ever."""

from __future__ import annotations

import pytest

from domain.application import Gongzhi
from infra.kafka import ordering
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.views import open_views
from testing.generate import generate
from tests.kafka.support import assert_fed_views_equal_a_rebuild


def test_partitions_paused_and_resumed_many_times_deliver_everything(
    app: Gongzhi, kafka_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ordering, "MAX_BUFFERED", 20)  # pauses every partition again and again
    generate(app, 3_000, seed=11)
    Relay(app.recorder, kafka_settings).catch_up()
    runner = open_views(app)
    feeder = KafkaFeeder(runner, kafka_settings)

    assert_fed_views_equal_a_rebuild(feeder, runner)
