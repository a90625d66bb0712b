"""The hash of a recorded event, chained to the previous event of its stream.

The hash covers the event's stored form (originator id, version, topic and
the stored ``state`` bytes, which hold payload, metadata and the recorded
timestamp), never the decoded object, so upcasting an old event class does
not change it. Fields are length-prefixed so no two different events encode
alike. The first event of a stream chains from a fixed genesis value.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import StoredEvent

EVENT_LABEL = b"gongzhi.audit.event.v1"
GENESIS = hashlib.sha256(b"gongzhi.audit.genesis.v1").digest()
"""The previous hash of every stream's first event."""


def stream_key(originator_id: UUID | str) -> str:
    """One text form for an aggregate id, however the store spells it (hex, or hyphenated)."""
    if isinstance(originator_id, UUID):
        return str(originator_id)
    if len(originator_id) == 32:  # SQLite's lower-case hex, the common case
        h = originator_id
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if len(originator_id) == 36 and originator_id.islower() and originator_id.count("-") == 4:
        return originator_id  # PostgreSQL's uuid as text: canonical already
    try:
        return str(UUID(originator_id))
    except ValueError:
        return originator_id


_LENGTH = struct.Struct(">Q")
_VERSION = struct.Struct(">q")
_LABEL = _LENGTH.pack(len(EVENT_LABEL)) + EVENT_LABEL


def event_hash(previous: bytes, stream: str, version: int, topic: str, state: bytes) -> bytes:
    """SHA-256 over the previous hash and the event as stored, each field length-prefixed
    (the version is fixed-width)."""
    stream_bytes, topic_bytes, length = stream.encode(), topic.encode(), _LENGTH.pack
    return hashlib.sha256(
        b"".join(
            (
                _LABEL,
                length(len(previous)),
                previous,
                length(len(stream_bytes)),
                stream_bytes,
                _VERSION.pack(version),
                length(len(topic_bytes)),
                topic_bytes,
                length(len(state)),
                state,
            )
        )
    ).digest()


@dataclass(frozen=True)
class Link:
    """An event's place in its stream's chain, as written next to the event."""

    stream: str
    version: int
    position: int
    hash: bytes


class ChainHeads:
    """The last (version, hash) of recently written streams, bounded.

    Only committed links go in. A head is used only for the very next version:
    optimistic concurrency makes version N-1 of a stream unique, so its hash
    is too, whichever process wrote it.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._heads: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def previous(self, stream: str, version: int) -> bytes | None:
        with self._lock:
            head = self._heads.get(stream)
        if head is not None and head[0] == version - 1:
            return head[1]
        return None

    def note(self, stream: str, version: int, digest: bytes) -> None:
        with self._lock:
            self._heads[stream] = (version, digest)
            self._heads.move_to_end(stream)
            if len(self._heads) > self.capacity:
                self._heads.popitem(last=False)

    def remember(self, links: Sequence[Link]) -> None:
        with self._lock:
            for link in links:
                self._heads[link.stream] = (link.version, link.hash)
                self._heads.move_to_end(link.stream)
            while len(self._heads) > self.capacity:
                self._heads.popitem(last=False)


Lookup = Callable[[list[tuple[str, int]]], dict[tuple[str, int], bytes]]
"""Reads stored hashes of (stream, version) pairs from the store."""


def link_events(
    stored_events: Sequence[StoredEvent], positions: Sequence[int], heads: ChainHeads, lookup: Lookup
) -> list[Link]:
    """The chain links of a batch of events (several may share a stream, in version order)."""
    keys = [stream_key(e.originator_id) for e in stored_events]
    in_batch: dict[str, tuple[int, bytes]] = {}
    wanted = []
    for stream, event in zip(keys, stored_events, strict=True):
        if event.originator_version > 1 and stream not in in_batch:
            if heads.previous(stream, event.originator_version) is None:
                wanted.append((stream, event.originator_version - 1))
            in_batch[stream] = (0, b"")
    found = lookup(wanted) if wanted else {}
    in_batch.clear()
    links = []
    for stream, event, position in zip(keys, stored_events, positions, strict=True):
        version = event.originator_version
        previous = _previous(stream, version, in_batch, heads, found)
        digest = event_hash(previous, stream, version, event.topic, event.state)
        in_batch[stream] = (version, digest)
        links.append(Link(stream, version, position, digest))
    return links


def _previous(
    stream: str,
    version: int,
    in_batch: dict[str, tuple[int, bytes]],
    heads: ChainHeads,
    found: dict[tuple[str, int], bytes],
) -> bytes:
    if version <= 1:
        return GENESIS
    batch_head = in_batch.get(stream)
    if batch_head is not None and batch_head[0] == version - 1:
        return batch_head[1]
    # A stream recorded before its hashes were (or tampered with) chains from genesis;
    # verification then names it.
    return heads.previous(stream, version) or found.get((stream, version - 1), GENESIS)
