"""Messages from several partitions put back in store order before they are applied.

A partition delivers its events in store order, but partitions interleave at
random. Each partition's messages wait in a buffer of their own, and a batch
takes them lowest store position first, stopping at the first position some
assigned partition might still undercut: one that has delivered nothing later
and is not drained. A message the contract refused carries the position of the
event before it in its partition, so it leaves with that event.

Buffers are bounded: a partition whose buffer is full stops being fetched until
the others catch up (the partition holding them back is never full).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from projections.events import EventRecord

MAX_BUFFERED = 10_000
"""Messages held per partition while earlier positions are awaited from others."""

Message = tuple[TopicPartition, Any, EventRecord | str]
"""A partition, the message read from it, and its event (or why it was refused)."""


def _positions(
    partition: TopicPartition, buffer: Iterable[tuple[int, Any, Any]]
) -> Iterator[tuple[int, Any]]:
    """(position, partition) of each buffered message, in the buffer's order."""
    for position, _, _ in buffer:
        yield position, partition


def _restore_parked(consumer: KafkaConsumer) -> None:
    """Works around kafka-python 3.0: records it fetched for a partition while that was
    paused are parked, and given back after a resume only when its slot for the records
    being read is empty (None); but it leaves records it has read to the end in that
    slot, so a resumed partition could wait for ever (and is never fetched again, as it
    has records parked). Emptying the slot of read records, before every poll, is what
    its next read would do."""
    fetcher = getattr(consumer, "_fetcher", None)
    in_line = getattr(fetcher, "_next_partition_records", None)
    if in_line is not None and not in_line:  # read to the end
        fetcher._next_partition_records = None  # type: ignore[union-attr]


class PartitionBuffers:
    """The messages a consumer has fetched and not yet handed to a batch."""

    def __init__(self, consumer: KafkaConsumer, max_batch: int) -> None:
        self.consumer = consumer
        self.max_batch = max_batch
        self._buffers: dict[TopicPartition, deque[tuple[int, Any, EventRecord | str]]] = {}
        self._last_position: dict[TopicPartition, int] = {}
        self.more_ready = False
        """The last batch was full and more buffered messages could be applied at once."""

    def hold(self, partition: TopicPartition, messages: Iterable[tuple[Any, EventRecord | str]]) -> None:
        """Buffers a partition's messages, each with its event or why it was refused."""
        buffer = self._buffers.setdefault(partition, deque())
        for record, event in messages:
            if not isinstance(event, str):
                self._last_position[partition] = event.position
            # A refused message sorts with the event before it in its partition.
            buffer.append((self._last_position.get(partition, 0), record, event))

    def take_ready(self) -> list[Message]:
        """The buffered messages that may be applied now, in each partition's order.

        Events reach the views in store order across partitions as far as this
        projector can tell: an event waits while an assigned partition might still
        deliver an earlier one (it has not yet delivered anything later, and it is
        not drained), so that, say, an organisation's registration is applied
        before the project it leads.
        """
        frontier = float("inf")
        for partition in self.consumer.assignment():
            if self._drained(partition):
                continue
            frontier = min(frontier, self._last_position.get(partition, 0))
        # Each partition's buffer is in position order: merge them, lowest first.
        heads = [_positions(partition, buffer) for partition, buffer in self._buffers.items()]
        order: list[TopicPartition] = []
        self.more_ready = False
        for position, partition in heapq.merge(*heads, key=itemgetter(0)):
            if position > frontier:
                break
            if len(order) == self.max_batch:
                self.more_ready = True
                break
            order.append(partition)
        ready = []
        for partition in order:  # taken once the merge is done with the buffers
            _, record, event = self._buffers[partition].popleft()
            ready.append((partition, record, event))
        return ready

    def pause_the_far_ahead(self) -> None:
        """Stops fetching partitions whose buffer is full (they wait on the others), so
        memory stays bounded; the partition holding the others back is never full."""
        for partition, buffer in self._buffers.items():
            if len(buffer) >= MAX_BUFFERED and partition not in self.consumer.paused():
                self.consumer.pause(partition)
            elif len(buffer) < MAX_BUFFERED and partition in self.consumer.paused():
                self.consumer.resume(partition)
        _restore_parked(self.consumer)

    def _drained(self, partition: TopicPartition) -> bool:
        """Everything the partition held at the last fetch has been received."""
        highwater = self.consumer.highwater(partition)
        return highwater is not None and self.consumer.position(partition) >= highwater

    def forget(self, partitions: Any = None) -> None:
        """Drops buffered messages (they are fetched again from the stored offsets)."""
        self.more_ready = False
        for partition in list(partitions if partitions is not None else self._buffers):
            self._buffers.pop(partition, None)
            self._last_position.pop(partition, None)
