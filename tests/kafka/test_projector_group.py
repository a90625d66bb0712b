"""Several projector processes in one consumer group split the partitions; one killed
mid-stream and another joining lose and double nothing."""

from __future__ import annotations

from pathlib import Path

from domain.application import Gongzhi
from infra.kafka.contract import TOPICS
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.views import open_views
from testing.generate import generate
from tests.kafka.running import Projector, wait_for_assignments
from tests.kafka.support import (
    applied_versions,
    behind,
    kafka_fed_then_rebuilt,
    versions_in_store,
    wait_until_the_group_has_applied_everything,
)


def test_projectors_split_the_partitions_and_a_kill_or_a_rebalance_loses_and_doubles_nothing(
    app: Gongzhi, kafka_settings: Settings, tmp_path: Path
) -> None:
    relay = Relay(app.recorder, kafka_settings)
    generate(app, 3_000, seed=21)
    relay.catch_up()
    partitions = len(TOPICS) * kafka_settings.kafka_topic_partitions
    runner = open_views(app)
    first, second = (Projector(kafka_settings, tmp_path / f"projector-{n}.log") for n in (1, 2))
    third: Projector | None = None
    try:
        wait_for_assignments([first, second], partitions)
        for chunk in range(6):
            generate(app, 300 if chunk != 1 else 1_500, seed=100 + chunk)
            relay.catch_up()
            if chunk == 1:
                assert behind(runner, kafka_settings), "killed too late: nothing left to apply"
                first.kill()
            if chunk == 3:
                third = Projector(kafka_settings, tmp_path / "projector-3.log")
                wait_for_assignments([second, third], partitions)
        relay.close()
        wait_until_the_group_has_applied_everything(runner, kafka_settings)
    finally:
        for projector in (first, second, third):
            if projector is not None:
                projector.stop()

    assert applied_versions(runner) == versions_in_store(app)
    fed, rebuilt = kafka_fed_then_rebuilt(runner)
    assert fed == rebuilt
