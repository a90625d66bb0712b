"""Recomputes every hash and checkpoint of the store and names the first failure.

The walk reads the log a batch at a time (memory does not grow with the
store): each event with its recorded hash and its stream's previous hash, in
one query, and the hash rows of the same positions, so that a hash left
behind by a deleted event shows. Sealed ranges are checked against the
signed checkpoints (``seals``). Events after the last checkpoint are checked
only against their hashes, which whoever can write the database can forge.
"""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from infra.audit.chain import GENESIS, ChainHeads, event_hash, stream_key
from infra.audit.checkpoint import Checkpoint
from infra.audit.queries import AuditTables
from infra.audit.report import Failure, Kind, Report
from infra.audit.rows import BEFORE_ALL, EventRow, HashRow
from infra.audit.seals import SealTrack
from infra.gc_tuning import rare_collections
from infra.progress import Progress

BATCH_SIZE = 10_000


def event_failure(row: EventRow, previous: bytes | None = None) -> Failure | None:
    """An event whose recorded hash is absent, elsewhere, or not its content's; chained from
    ``previous`` when given (the walk finds it), else from the row's own."""
    if row.hash is None:
        return _at(row, Kind.INSERTED, "no hash was recorded for this event")
    if row.hash_position != row.position:
        return _at(row, Kind.REORDERED, f"this version was recorded at position {row.hash_position}")
    if previous is None:
        previous = row.previous
    if row.version > 1 and previous is None:
        return _at(row, Kind.MISSING, f"version {row.version - 1} of the stream is gone")
    previous = previous if row.version > 1 and previous is not None else GENESIS
    if event_hash(previous, row.stream, row.version, row.topic, row.state) != row.hash:
        return _at(row, Kind.MODIFIED, "the stored event (or its stream's previous hash) no longer matches")
    return None


def orphan_failure(tables: AuditTables, row: HashRow) -> Failure:
    """A hash recorded at a position that has no event any more."""
    moved = [e for e in tables.stream_event_rows(row.stream) if e.version == row.version]
    if moved:
        return _at(
            row, Kind.REORDERED, f"this version of the stream now sits at position {moved[0].position}"
        )
    newest = tables.max_version(row.stream)
    if newest is None:
        return _at(row, Kind.MISSING, "every event of the stream is gone")
    if newest < row.version:
        detail = f"the stream's events from version {row.version} on are gone (it ends at {newest})"
        return _at(row, Kind.TRUNCATED, detail)
    return _at(row, Kind.MISSING, "the event recorded here is gone")


def _at(row: EventRow | HashRow, kind: Kind, detail: str) -> Failure:
    return Failure(row.position, kind, detail, row.stream, row.version)


def paged_checkpoints(tables: AuditTables, after: int, upto: int) -> Iterator[Checkpoint]:
    while page := tables.checkpoints_after(after):
        for checkpoint in page:
            if checkpoint.position > upto:
                return
            yield checkpoint
        after = page[-1].position


def verify(
    tables: AuditTables,
    public_key: Ed25519PublicKey | None,
    from_position: int | None = None,
    to_position: int | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Report:
    """Walks (the checkpoint before ``from_position``, ``to_position``]; the whole log by default."""
    head = tables.head()
    anchor = tables.last_checkpoint(before=from_position) if from_position is not None else None
    last = tables.last_checkpoint(before=to_position + 1 if to_position is not None else None)
    limit = to_position if to_position is not None else max(head, last.position if last else 0)
    start = anchor.position if anchor else BEFORE_ALL
    if anchor is not None and public_key is not None and not anchor.signature_ok(public_key):
        bad = Failure(anchor.position, Kind.BAD_SIGNATURE, "the checkpoint's signature does not verify")
        return Report(anchor.position, limit, 0, 0, bad)
    track = SealTrack(paged_checkpoints(tables, start, limit), public_key, anchor, head)
    walk = _Walk(tables, track, progress)
    failure = walk.run(start, limit, batch_size) or track.before(limit + 1)
    first = walk.first if walk.first is not None else (start + 1 if anchor else None)
    return Report(first, limit, track.sealed_up_to, walk.events, failure, public_key is not None)


class _Walk:
    def __init__(self, tables: AuditTables, track: SealTrack, progress: Progress | None) -> None:
        self.tables = tables
        self.track = track
        self.progress = progress
        self.events = 0
        self.first: int | None = None
        self.heads = ChainHeads()

    def run(self, start: int, limit: int, batch_size: int) -> Failure | None:
        after = start
        with rare_collections():
            while after < limit:
                rows, orphans, upto = self._read(after, limit, batch_size)
                failure = self._batch(rows, self._previous_hashes(rows), orphans)
                if failure is not None:
                    return failure
                if self.progress is not None:
                    self.progress.advance(len(rows))
                after = upto
        return None

    def _previous_hashes(self, rows: list[EventRow]) -> list[bytes | None]:
        """Each row's stream's previous recorded hash (None for a first version, or where it
        is gone): the one met just before in this walk (the last of each stream a batch met
        is remembered, boundedly), else read in one query."""
        heads, met = self.heads, dict[str, tuple[int, bytes | None]]()
        wanted = []
        for row in rows:
            seen = met.get(row.stream)
            linked_in_batch = seen is not None and seen[0] == row.version - 1
            if row.version > 1 and not linked_in_batch and heads.previous(row.stream, row.version) is None:
                wanted.append((row.stream, row.version - 1))
            met[row.stream] = (row.version, row.hash)
        found = self.tables.read_hashes(wanted) if wanted else {}
        previous: list[bytes | None] = []
        met.clear()
        for row in rows:
            if row.version > 1:
                seen = met.get(row.stream)
                if seen is not None and seen[0] == row.version - 1:
                    previous.append(seen[1] or found.get((row.stream, row.version - 1)))
                else:
                    previous.append(
                        heads.previous(row.stream, row.version) or found.get((row.stream, row.version - 1))
                    )
            else:
                previous.append(None)
            met[row.stream] = (row.version, row.hash)
        for stream, (version, digest) in met.items():
            if digest is not None:
                heads.note(stream, version, digest)
        return previous

    def _read(self, after: int, limit: int, batch_size: int) -> tuple[list[EventRow], list[HashRow], int]:
        """A batch of events with their hashes, the hashes in its range that no event holds,
        and where the range ends. Hash rows are clustered by position on PostgreSQL (a range
        scan is cheapest) and by stream on SQLite (a probe per event is)."""
        if self.tables.hashes_by_range:
            rows = self.tables.plain_event_rows(after, limit, batch_size)
            upto = rows[-1].position if len(rows) == batch_size else limit
            rows, orphans = self._with_hashes(rows, self.tables.hash_rows(after, upto))
            return rows, orphans, upto
        rows = self.tables.event_rows(after, limit, batch_size, with_previous=False)
        upto = rows[-1].position if len(rows) == batch_size else limit
        return rows, self._orphans(rows, after, upto), upto

    def _orphans(self, rows: list[EventRow], after: int, upto: int) -> list[HashRow]:
        """Hashes at positions in (after, upto] that no event holds: counted first, as
        every hash there normally belongs to the event at its position."""
        own = sum(1 for row in rows if row.hash_position == row.position)
        if self.tables.hash_count(after, upto) == own:
            return []
        taken = {row.position for row in rows}
        return [h for h in self.tables.hash_rows(after, upto) if h.position not in taken]

    def _with_hashes(
        self, rows: list[EventRow], hashes: list[HashRow]
    ) -> tuple[list[EventRow], list[HashRow]]:
        """Each event with the hash recorded for it (normally the one at its position, read
        with a range scan rather than a probe per event), and the hashes no event holds."""
        at = {h.position: h for h in hashes}
        hashed = []
        for row in rows:
            own = at.get(row.position)
            if own is not None and own.stream == row.stream and own.version == row.version:
                hashed.append(row._replace(hash=own.hash, hash_position=own.position))
                continue
            link = self.tables.read_link(row.stream, row.version)  # only where something moved
            hashed.append(row._replace(hash=link[0], hash_position=link[1]) if link else row)
        taken = {row.position for row in rows}
        return hashed, [h for h in hashes if h.position not in taken]

    def _batch(
        self, rows: list[EventRow], previous: list[bytes | None], orphans: list[HashRow]
    ) -> Failure | None:
        pending = iter(orphans)
        orphan = next(pending, None)
        before, event = self.track.before, self.track.event
        for row, chained_from in zip(rows, previous, strict=True):
            if orphan is not None and orphan.position < row.position:
                return before(orphan.position) or orphan_failure(self.tables, orphan)
            failure = (
                before(row.position)
                or event_failure(row, chained_from)
                or event(row.position, row.hash or b"")
            )
            if failure is not None:
                return failure
            self.events += 1
            if self.first is None:
                self.first = row.position
        if orphan is not None:
            return self.track.before(orphan.position) or orphan_failure(self.tables, orphan)
        return None


def verify_stream(tables: AuditTables, aggregate_id: str) -> Report:
    """Checks one stream's chain: its hashes, versions and positions (not the checkpoints,
    which seal the whole log)."""
    stream = stream_key(aggregate_id)
    events = {row.version: row for row in tables.stream_event_rows(stream)}
    hashes = {row.version: row for row in tables.stream_hash_rows(stream)}
    failures: list[Failure | None] = []
    expected = 1
    for version in sorted(events.keys() | hashes.keys()):
        event, hashed = events.get(version), hashes.get(version)
        position = event.position if event else hashed.position  # type: ignore[union-attr]
        if version != expected:
            detail = f"versions {expected} to {version - 1} of the stream are gone"
            failures.append(Failure(position, Kind.MISSING, detail, stream, version))
        if event is not None:
            failures.append(event_failure(event))
        elif hashed is not None:
            failures.append(orphan_failure(tables, hashed))
        expected = version + 1
    found = [f for f in failures if f is not None]
    failure = min(found, key=lambda f: f.position) if found else None
    last = tables.last_checkpoint()
    known = [row.position for row in events.values()]
    return Report(
        min(known, default=None), max(known, default=None), last.position if last else 0, len(events), failure
    )
