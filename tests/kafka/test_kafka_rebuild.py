"""`gongzhi projections rebuild --source kafka`: the views rebuilt from offset 0 of the
topics into their next generation while the live ones answer, then swapped in under
the live projectors' feet without losing or doubling an event."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from api.cli import main
from domain.application import Gongzhi
from infra.demo import DemoLoader
from infra.kafka.contract import TOPICS
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.rebuild import rebuild_from_kafka
from infra.kafka.relay import Relay
from infra.progress import Progress
from infra.settings import Settings
from infra.views import open_views
from projections import ALL_VIEWS
from testing.generate import generate
from testing.processes import settings_env
from tests.conftest import serving
from tests.kafka.running import Projector, Publisher, projector_env, reading, wait_for_assignments
from tests.kafka.support import (
    applied_versions,
    feed_until_caught_up,
    kafka_fed_then_rebuilt,
    versions_in_store,
    wait_until_the_group_has_applied_everything,
)
from tests.projections.test_runner import digests


def test_views_rebuilt_from_kafka_equal_the_kafka_fed_ones_and_a_store_rebuild_while_reads_go_on(
    app: Gongzhi,
    kafka_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = DemoLoader(app).load()
    generate(app, 3_000, seed=31)
    relay = Relay(app.recorder, kafka_settings)
    relay.catch_up()
    relay.close()
    runner = open_views(app)
    feeder = KafkaFeeder(runner, kafka_settings)
    try:
        feed_until_caught_up(feeder, runner)
    finally:
        feeder.close()
    fed, generations = digests(runner), {name: runner.live(name).generation for name in runner.views}
    paths = [f"/views/organisations/{ids['council']}/members", "/views/statistics?jurisdiction=浙江省"]
    for name, value in projector_env(kafka_settings).items():
        if name.startswith("GONGZHI_"):
            monkeypatch.setenv(name, value)
    reader_settings = kafka_settings.model_copy(
        update={"projections_in_process": False, "kafka_bootstrap_servers": None}
    )
    with serving(reader_settings) as api:
        before = {path: api.client.get(path).text for path in paths}
        with reading(api.client, paths) as answers:
            assert main(["projections", "rebuild", "--source", "kafka"]) == 0
        after = {path: api.client.get(path).text for path in paths}

    assert digests(runner) == fed
    assert {name: runner.live(name).generation for name in runner.views} == {
        name: generation + 1 for name, generation in generations.items()
    }
    assert applied_versions(runner) == versions_in_store(app)
    assert f"statistics: generation {generations['statistics'] + 1} live at {runner.head()}" in (
        capsys.readouterr().out
    )
    assert len(answers) > len(paths), "no reads while the rebuild ran"
    assert {(path, status, body) for path, status, body in answers} <= {
        (path, 200, body) for path, body in before.items()
    }
    assert after == before
    fed_again, rebuilt = kafka_fed_then_rebuilt(runner)
    assert fed_again == rebuilt == fed


def test_a_live_projector_and_commands_arriving_through_a_rebuild_from_kafka_lose_and_double_nothing(
    app: Gongzhi, kafka_settings: Settings, tmp_path: Path
) -> None:
    generate(app, 3_000, seed=41)
    relay = Relay(app.recorder, kafka_settings)
    relay.catch_up()
    relay.close()
    runner = open_views(app)
    projector = Projector(kafka_settings, tmp_path / "projector.log")
    publisher = Publisher(kafka_settings)
    progress = Progress("rebuilding from Kafka", None, stream=io.StringIO())
    try:
        wait_for_assignments([projector], len(TOPICS) * kafka_settings.kafka_topic_partitions)
        publisher.start().wait_for(1)
        rebuilt = rebuild_from_kafka(runner, kafka_settings, progress)
        publisher.wait_for(publisher.chunks + 2)  # commands after the swap too
        publisher.stop()
        wait_until_the_group_has_applied_everything(runner, kafka_settings)
    finally:
        publisher.stop()
        projector.stop()

    assert (
        [t.generation for t in rebuilt]
        == [runner.live(t.view.name).generation for t in rebuilt]
        == [2] * len(ALL_VIEWS)
    )
    assert progress.total is not None and progress.done >= progress.total >= 3_000
    assert "swapped in new generations" in projector.log.read_text()
    assert applied_versions(runner) == versions_in_store(app)
    fed, from_the_store = kafka_fed_then_rebuilt(runner)
    assert fed == from_the_store


def test_a_rebuild_from_kafka_is_of_every_view_from_the_topics_with_the_broker_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    for name, value in settings_env(settings).items():
        if name.startswith("GONGZHI_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("GONGZHI_KAFKA_BOOTSTRAP_SERVERS", raising=False)
    rebuild = ["projections", "rebuild", "--source", "kafka"]

    assert main([*rebuild, "--as-of", "2024-01-01T00:00:00+08:00", "--into", "past"]) == 2
    assert "--as-of and --into build from the store" in capsys.readouterr().err
    assert main([*rebuild, "funds"]) == 2
    assert "rebuilds every view at once" in capsys.readouterr().err
    assert main(rebuild) == 2
    assert "--source kafka needs GONGZHI_KAFKA_BOOTSTRAP_SERVERS" in capsys.readouterr().err
