"""One stream's recorded hashes, for whoever shows a stream's history."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder

from infra.audit.chain import GENESIS, stream_key
from infra.audit.tables import audit_tables


def stream_hashes(
    recorder: ApplicationRecorder, aggregate_id: UUID | str
) -> dict[int, tuple[str, str | None]]:
    """Each recorded version's (hash, previous hash) in hex; the previous hash is None
    when the previous version's hash is gone (``verify`` names why)."""
    rows = audit_tables(recorder).stream_hash_rows(stream_key(aggregate_id))
    hashes = {row.version: row.hash.hex() for row in rows}
    return {
        version: (digest, GENESIS.hex() if version == 1 else hashes.get(version - 1))
        for version, digest in hashes.items()
    }
