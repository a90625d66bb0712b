"""What a verification found: all well over a range, or the first failure."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    MODIFIED = "modified"
    """Stored content (or a checkpoint's sealed hashes) no longer matches its hash."""
    MISSING = "missing"
    """An event (or checkpoint) that was recorded is gone, or a stream has a version gap."""
    INSERTED = "inserted"
    """An event with no hash, or at a position no checkpoint sealed."""
    REORDERED = "reordered"
    """An event sits at another position or version than the one it was hashed at."""
    TRUNCATED = "truncated"
    """A stream's newest events, or the log's, are gone."""
    BAD_SIGNATURE = "bad_signature"
    """A checkpoint whose signature does not verify with the auditor's public key."""


@dataclass(frozen=True)
class Failure:
    position: int
    kind: Kind
    detail: str
    aggregate_id: str | None = None
    version: int | None = None
    line: int | None = None
    """The export's line number, when verifying an export."""


@dataclass(frozen=True)
class Report:
    from_position: int | None
    """First position covered (None for an empty range)."""
    to_position: int | None
    sealed_up_to: int
    """The last checkpoint's position within the range (0: none)."""
    events: int
    failure: Failure | None = None
    signatures_checked: bool = True

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["status"] = "ok" if self.ok else "failed"
        if self.failure is not None:
            body["failure"] = {k: v for k, v in asdict(self.failure).items() if v is not None}
        return body
