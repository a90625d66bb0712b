"""Views rebuilt from offset 0 of the topics, blue/green, beside live projectors.

The rebuild fills the next generation of every view, and of the applied
versions, in the same batches as a projector (``KafkaFeeder._apply``). It reads
every partition of the event topics with manual assignment (no group) up to the
end offsets taken at its start, then up to the new end offsets, until nothing new
came or a few rounds have passed (commands may keep arriving). Its offsets are
stored under a group of its own, in each batch's transaction.

The swap is one transaction that locks the live generations' position rows (as
a projector's batch does), points the views and the applied versions at the new
generations, and replaces the group's offsets with the rebuild's. A live
projector's batch either committed before it (into the old generation, which is
then dropped) or finds the new generations under the lock, rolls back and
resumes from the rebuild's offsets: every event is in the new generation once,
whichever side of the swap it fell.

Every view is rebuilt at once, since they share the applied versions and the
offsets. Messages the contract refuses were dead-lettered when the group first
met them; the rebuild passes over them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from infra.kafka.feeder import MAX_BATCH, KafkaFeeder
from infra.kafka.offsets import AppliedVersions, KafkaState, live_applied
from infra.progress import Progress
from infra.settings import Settings
from infra.viewstore.batch import swap
from infra.viewstore.runner import REBUILD_RUNNING, ViewRunner
from infra.viewstore.tables import ViewTables

log = logging.getLogger(__name__)

GROUP_SUFFIX = ".rebuild"
MAX_ROUNDS = 5
"""Reads up to the end offsets at most this many times; the live group takes the rest."""
GRACE_SECONDS = 1.0
"""Reads that found the old generation just before the swap finish on it before it goes."""

Offsets = dict[tuple[str, int], int]


class KafkaRebuild(KafkaFeeder):
    """Fills the next generations from the topics (``run``), then swaps them in."""

    def __init__(self, runner: ViewRunner, settings: Settings, group_id: str | None = None) -> None:
        self.live_state = KafkaState(runner.database, group_id or settings.kafka_group_id)
        self._fresh: tuple[list[ViewTables], ViewTables] | None = None
        super().__init__(runner, settings, self.live_state.group_id + GROUP_SUFFIX)
        self.beginnings = self._start_from_the_beginning()

    def run(self, progress: Progress | None = None) -> list[ViewTables]:
        """Fills the fresh tables, swaps them in and returns them."""
        self.fill(progress)
        self.swap_in()
        return self.views

    def fill(self, progress: Progress | None = None) -> None:
        target = self.end_offsets()
        for _ in range(MAX_ROUNDS):
            if progress is not None:
                progress.total = sum(end - self.beginnings.get(key, 0) for key, end in target.items())
            self._read_to(target, progress)
            newer = self.end_offsets()
            if newer == target:
                return
            target = newer
        log.info("Messages keep arriving; the live projectors apply those after the swap")

    def swap_in(self) -> None:
        """Makes the fresh generations live with their offsets, then drops the old ones."""
        database = self.runner.database
        old = [live_applied(database), *(self.runner.live(t.view.name) for t in self.views)]
        swap(database, old, [self.applied, *self.views], self._take_offsets)
        time.sleep(GRACE_SECONDS)
        for tables in old:
            tables.drop()
        self.state.discard()

    def _take_offsets(self, cursor: Any) -> None:
        self.live_state.take_offsets(cursor, self.state)

    def end_offsets(self) -> Offsets:
        ends = self.consumer.end_offsets(list(self.consumer.assignment()))
        return {(p.topic, p.partition): int(offset) for p, offset in ends.items()}

    def _read_to(self, target: Offsets, progress: Progress | None) -> None:
        while not self._reached(target):
            if self.stopping.is_set():
                raise RuntimeError("the rebuild from Kafka was stopped")
            applied = self.poll_once(timeout_ms=200)
            if progress is not None:
                progress.advance(applied)

    def _reached(self, target: Offsets) -> bool:
        stored = self.state.next_offsets()
        return all(stored.get(key, 0) >= end for key, end in target.items())

    def _start_from_the_beginning(self) -> Offsets:
        """Stores each partition's first offset as the rebuild's, and seeks there."""
        partitions = list(self.consumer.assignment())
        first = self.consumer.beginning_offsets(partitions) if partitions else {}
        beginnings = {(p.topic, p.partition): int(offset) for p, offset in first.items()}
        self.state.discard()
        self.state = KafkaState(self.runner.database, self.state.group_id)
        with self.runner.database.transaction(commit=True) as cursor:
            self.state.record(cursor, beginnings, 0)
        for partition in partitions:
            self.consumer.seek(partition, beginnings[partition.topic, partition.partition])
        return beginnings

    # How a rebuild's batches differ from a live projector's.

    def _target_tables(self) -> None:
        """The next generation of every view and of the applied versions, made empty once."""
        if self._fresh is None:
            database = self.runner.database
            applied = ViewTables(
                database, AppliedVersions(), live_applied(database).generation + 1, exclusive=True
            )
            applied.drop()
            applied.create()
            self._fresh = (self.runner.next_generations(), applied)
        self.views, self.applied = self._fresh

    def _open_consumer(self) -> KafkaConsumer:
        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id=f"{self.settings.kafka_client_id}-rebuild",
            enable_auto_commit=False,
            max_poll_records=MAX_BATCH,
        )
        consumer.assign(
            [
                TopicPartition(topic, partition)
                for topic in self.topics
                for partition in sorted(consumer.partitions_for_topic(topic) or ())
            ]
        )
        return consumer

    live_targets = False
    """The fresh tables are this rebuild's alone until the swap."""

    def _commit(self, offsets: Offsets) -> None:
        """No group in Kafka: the offsets are in the database only."""

    def _send_to_dead_letters(self, refused: list[tuple[TopicPartition, Any, str]]) -> None:
        log.info("Passing over %d message(s) the contract refuses (dead-lettered already)", len(refused))

    def close(self) -> None:
        super().close()
        self.state.discard()


def rebuild_from_kafka(
    runner: ViewRunner, settings: Settings, progress: Progress | None = None
) -> list[ViewTables]:
    """Rebuilds every view from offset 0 of the topics and swaps it in (one rebuild of
    either kind at a time: another raises ``Busy``)."""
    with runner.database.exclusively("rebuild", REBUILD_RUNNING):
        rebuild = KafkaRebuild(runner, settings)
        try:
            return rebuild.run(progress)
        finally:
            rebuild.close()
