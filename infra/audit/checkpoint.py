"""Signed checkpoints over the global log.

Checkpoint k seals the events at positions (P[k-1], P[k]]: its running hash is
SHA-256 over checkpoint k-1's running hash followed by each event's position
and hash in position order, and it lists which positions it covers (as runs,
since PostgreSQL's sequence may leave gaps). An Ed25519 signature covers all
of it, so an event removed, added or altered in sealed history shows, even
when its hashes were recomputed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CHECKPOINT_LABEL = b"gongzhi.audit.checkpoint.v1"
GENESIS_RUNNING = hashlib.sha256(b"gongzhi.audit.running.genesis.v1").digest()

Runs = list[tuple[int, int]]
"""Inclusive ranges of positions, ascending."""


@dataclass(frozen=True)
class Checkpoint:
    position: int
    previous_position: int
    event_count: int
    runs: Runs
    previous_hash: bytes
    running_hash: bytes
    sealed_at: str
    key_id: str
    signature: bytes = b""

    def message(self) -> bytes:
        """What the signature covers, length-prefixed field by field."""
        fields = (
            CHECKPOINT_LABEL,
            str(self.position).encode(),
            str(self.previous_position).encode(),
            str(self.event_count).encode(),
            orjson.dumps(self.runs),
            self.previous_hash,
            self.running_hash,
            self.sealed_at.encode(),
            self.key_id.encode(),
        )
        return b"".join(len(f).to_bytes(8, "big") + f for f in fields)

    def signed(self, key: Ed25519PrivateKey) -> Checkpoint:
        return replace(self, signature=key.sign(self.message()))

    def signature_ok(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(self.signature, self.message())
        except InvalidSignature:
            return False
        return True

    def to_json(self) -> dict[str, object]:
        return {
            "position": self.position,
            "previous_position": self.previous_position,
            "event_count": self.event_count,
            "runs": self.runs,
            "previous_hash": self.previous_hash.hex(),
            "running_hash": self.running_hash.hex(),
            "sealed_at": self.sealed_at,
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Checkpoint:
        """Raises KeyError, ValueError or TypeError on a malformed checkpoint."""
        runs = [(int(a), int(b)) for a, b in data["runs"]]  # type: ignore[attr-defined]
        return cls(
            position=int(data["position"]),  # type: ignore[call-overload]
            previous_position=int(data["previous_position"]),  # type: ignore[call-overload]
            event_count=int(data["event_count"]),  # type: ignore[call-overload]
            runs=runs,
            previous_hash=bytes.fromhex(str(data["previous_hash"])),
            running_hash=bytes.fromhex(str(data["running_hash"])),
            sealed_at=str(data["sealed_at"]),
            key_id=str(data["key_id"]),
            signature=base64.b64decode(str(data["signature"]), validate=True),
        )


@dataclass
class RunningHash:
    """Hashes (position, event hash) pairs after the previous checkpoint's hash."""

    previous: bytes
    count: int = 0
    runs: Runs = field(default_factory=list)

    def __post_init__(self) -> None:
        self._digest = hashlib.sha256(len(self.previous).to_bytes(8, "big") + self.previous)

    def add(self, position: int, digest: bytes) -> None:
        self._digest.update(position.to_bytes(8, "big", signed=True) + digest)
        self.count += 1
        if self.runs and self.runs[-1][1] == position - 1:
            self.runs[-1] = (self.runs[-1][0], position)
        else:
            self.runs.append((position, position))

    def digest(self) -> bytes:
        return self._digest.digest()


def positions(runs: Runs) -> Iterator[int]:
    for first, last in runs:
        yield from range(first, last + 1)
