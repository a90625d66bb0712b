"""The relay's partitioner sends every key where kafka-python's default sends it."""

from __future__ import annotations

from uuid import uuid4

from kafka.partitioner.default import DefaultPartitioner

from infra.kafka.producing import RememberedKeyHashes


class FourPartitions:
    """What a partitioner reads of the cluster: a topic of four partitions."""

    def topics(self) -> set[str]:
        return {"gongzhi.fund"}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0, 1, 2, 3}

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return {0, 1, 2, 3}


def test_keys_go_to_the_default_partitioners_partitions_the_first_time_and_after() -> None:
    default, remembering, cluster = DefaultPartitioner(), RememberedKeyHashes(), FourPartitions()
    keys = [str(uuid4()).encode() for _ in range(500)]

    expected = [default.partition("gongzhi.fund", k, k, None, None, cluster) for k in keys]

    for _ in range(2):
        assert [remembering.partition("gongzhi.fund", k, k, None, None, cluster) for k in keys] == expected
