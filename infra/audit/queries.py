"""What the audit tables answer, whichever database holds them.

``AuditTables`` is one interface for SQLite and PostgreSQL. The reads that
verification, export and the sealer make, a batch at a time, are written here
once, over the database's placeholder (``mark``), position column and stream id
as text; each database writes links and checkpoints, and looks hashes up, its
own way. Positions bound ranges as (after, upto], and every read of events or
hashes comes back in position order (a stream's, in version order).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from infra.audit.chain import Link, stream_key
from infra.audit.checkpoint import Checkpoint
from infra.audit.rows import (
    CHECKPOINT_COLUMNS,
    EventRow,
    HashRow,
    checkpoint_from_row,
    event_row,
    hash_row,
)


class AuditTables(ABC):
    """Reads and writes of the audit tables; ``after``/``upto`` bound positions (after, upto]."""

    @abstractmethod
    def write_links(self, cursor: Any, links: Sequence[Link]) -> None: ...

    @abstractmethod
    def lookup(self, cursor: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]: ...

    @abstractmethod
    def query(self, statement: str, params: Sequence[Any]) -> list[Sequence[Any]]: ...

    @abstractmethod
    def insert_checkpoint(self, checkpoint: Checkpoint) -> bool:
        """False when a checkpoint at that position, or after that previous one, exists."""

    @abstractmethod
    def stream_param(self, stream: str) -> Any: ...

    events: str
    hashes: str
    checkpoints: str
    position: str

    def event_rows(self, after: int, upto: int, limit: int, with_previous: bool = True) -> list[EventRow]:
        """Events in (after, upto] in position order, each with its own hash and (unless
        told otherwise) its stream's previous one."""
        upto = min(upto, self.window_end(after, limit))
        statement = self.event_rows_statement(with_previous)
        return [event_row(row) for row in self.query(statement, (after, upto, limit))]

    def window_end(self, after: int, limit: int) -> int:
        """The position of the ``limit``-th event after ``after`` (an index-only probe), so
        that a batch's query names a narrow range: with a wide one PostgreSQL may scan and
        sort everything after ``after`` for each batch."""
        p = self.position
        rows = self.query(
            f"SELECT {p} FROM {self.events} WHERE {p} > {self.mark} ORDER BY {p} LIMIT 1 OFFSET {self.mark}",
            (after, limit - 1),
        )
        return int(rows[0][0]) if rows else 2**62

    def event_rows_statement(self, with_previous: bool) -> str:
        e, h, p = self.events, self.hashes, self.position
        previous = (
            f"LEFT JOIN {h} b ON b.originator_id = e.originator_id "
            "AND b.originator_version = e.originator_version - 1 "
        )
        return (
            f"SELECT e.{p}, e.originator_id, e.originator_version, e.topic, e.state, "
            f"h.hash, h.position, {'b.hash' if with_previous else 'NULL'} "
            f"FROM {e} e LEFT JOIN {h} h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            f"{previous if with_previous else ''}"
            f"WHERE e.{p} > {self.mark} AND e.{p} <= {self.mark} ORDER BY e.{p} LIMIT {self.mark}"
        )

    @abstractmethod
    def read_hashes(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], bytes]:
        """The recorded hashes of these (stream, version) pairs, where there are any."""

    def plain_event_rows(self, after: int, upto: int, limit: int) -> list[EventRow]:
        """Events in (after, upto] in position order, without their hashes."""
        p, upto = self.position, min(upto, self.window_end(after, limit))
        rows = self.query(
            f"SELECT {p}, {self.id_text}, originator_version, topic, state FROM {self.events} "
            f"WHERE {p} > {self.mark} AND {p} <= {self.mark} ORDER BY {p} LIMIT {self.mark}",
            (after, upto, limit),
        )
        return [EventRow(r[0], stream_key(r[1]), r[2], r[3], bytes(r[4]), None, None, None) for r in rows]

    def read_link(self, stream: str, version: int) -> tuple[bytes, int] | None:
        """The hash recorded for a stream's version, and the position it was recorded at."""
        rows = self.query(
            f"SELECT hash, position FROM {self.hashes} "
            f"WHERE originator_id = {self.mark} AND originator_version = {self.mark}",
            (self.stream_param(stream), version),
        )
        return (bytes(rows[0][0]), int(rows[0][1])) if rows else None

    def hash_rows(self, after: int, upto: int) -> list[HashRow]:
        rows = self.query(
            f"SELECT position, {self.id_text}, originator_version, hash FROM {self.hashes} "
            f"WHERE position > {self.mark} AND position <= {self.mark} ORDER BY position",
            (after, upto),
        )
        return [hash_row(row) for row in rows]

    def hash_count(self, after: int, upto: int) -> int:
        rows = self.query(
            f"SELECT COUNT(*) FROM {self.hashes} WHERE position > {self.mark} AND position <= {self.mark}",
            (after, upto),
        )
        return int(rows[0][0])

    def stream_event_rows(self, stream: str) -> list[EventRow]:
        e, h, p = self.events, self.hashes, self.position
        rows = self.query(
            f"SELECT e.{p}, e.originator_id, e.originator_version, e.topic, e.state, "
            "h.hash, h.position, b.hash "
            f"FROM {e} e LEFT JOIN {h} h ON h.originator_id = e.originator_id "
            "AND h.originator_version = e.originator_version "
            f"LEFT JOIN {h} b ON b.originator_id = e.originator_id "
            "AND b.originator_version = e.originator_version - 1 "
            f"WHERE e.originator_id = {self.mark} ORDER BY e.originator_version",
            (self.stream_param(stream),),
        )
        return [event_row(row) for row in rows]

    def stream_hash_rows(self, stream: str) -> list[HashRow]:
        rows = self.query(
            f"SELECT position, originator_id, originator_version, hash FROM {self.hashes} "
            f"WHERE originator_id = {self.mark} ORDER BY originator_version",
            (self.stream_param(stream),),
        )
        return [hash_row(row) for row in rows]

    def max_version(self, stream: str) -> int | None:
        rows = self.query(
            f"SELECT MAX(originator_version) FROM {self.events} WHERE originator_id = {self.mark}",
            (self.stream_param(stream),),
        )
        return rows[0][0] if rows else None

    def head(self) -> int:
        rows = self.query(f"SELECT MAX({self.position}) FROM {self.events}", ())
        return (rows[0][0] or 0) if rows else 0

    def checkpoints_after(self, after: int, limit: int = 100) -> list[Checkpoint]:
        rows = self.query(
            f"SELECT {CHECKPOINT_COLUMNS} FROM {self.checkpoints} "
            f"WHERE position > {self.mark} ORDER BY position LIMIT {self.mark}",
            (after, limit),
        )
        return [checkpoint_from_row(row) for row in rows]

    def last_checkpoint(self, before: int | None = None) -> Checkpoint | None:
        """The last checkpoint, or the last one at a position below ``before``."""
        rows = self.query(
            f"SELECT {CHECKPOINT_COLUMNS} FROM {self.checkpoints} "
            f"WHERE position < {self.mark} ORDER BY position DESC LIMIT 1",
            (before if before is not None else 2**62,),
        )
        return checkpoint_from_row(rows[0]) if rows else None

    mark = "?"
    id_text = "originator_id"
    hashes_by_range = False
    """Whether verification reads hash rows by position range, or probes one per event."""
