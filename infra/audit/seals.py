"""Checks a walk through the log in position order against the signed checkpoints.

Both the store's verification and an export's use it: the walker reports each
position it meets (``before``, then ``event``), and the track says when a
sealed position has no event, an event sits where nothing was sealed, or a
checkpoint's running hash or signature does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from infra.audit.checkpoint import GENESIS_RUNNING, Checkpoint, RunningHash, positions
from infra.audit.report import Failure, Kind
from infra.audit.signing_key import key_id


def header_failure(
    checkpoint: Checkpoint, public_key: Ed25519PublicKey | None, previous: tuple[int, bytes]
) -> Failure | None:
    """A checkpoint not signed by the auditor's key, or not following the one before it."""
    if public_key is not None and (
        checkpoint.key_id != key_id(public_key) or not checkpoint.signature_ok(public_key)
    ):
        return Failure(checkpoint.position, Kind.BAD_SIGNATURE, "the checkpoint's signature does not verify")
    if checkpoint.previous_position != previous[0]:
        return Failure(
            checkpoint.position,
            Kind.MISSING,
            f"the checkpoint follows one at position {checkpoint.previous_position}, which is gone",
        )
    if checkpoint.previous_hash != previous[1]:
        return Failure(
            checkpoint.position, Kind.MODIFIED, "the checkpoint does not chain from the one before it"
        )
    return None


class SealTrack:
    def __init__(
        self,
        checkpoints: Iterable[Checkpoint],
        public_key: Ed25519PublicKey | None,
        anchor: Checkpoint | None = None,
        head: int | None = None,
    ) -> None:
        """``anchor``: the checkpoint the walk starts after; ``head``: the last position that
        holds an event (a sealed position beyond it is a truncation)."""
        self._checkpoints = iter(checkpoints)
        self.public_key = public_key
        self.head = head
        self.previous = (anchor.position, anchor.running_hash) if anchor else (0, GENESIS_RUNNING)
        self.sealed_up_to = self.previous[0]
        self.running = RunningHash(self.previous[1])
        self.current: Checkpoint | None = None
        self._problem: Failure | None = None
        self._expected: Iterator[int] | None = None
        self._next_expected: int | None = None
        self._open_next()

    def before(self, position: int) -> Failure | None:
        """Closes the checkpoints below ``position``; a sealed position passed over is missing."""
        while self.current is not None and self.current.position < position:
            failure = self._close()
            if failure is not None:
                return failure
        if self._next_expected is not None and self._next_expected < position:
            return self._gone(self._next_expected)
        return None

    def event(self, position: int, digest: bytes) -> Failure | None:
        if self.current is not None and self._expected is not None:
            if self._next_expected != position:
                return Failure(
                    position,
                    Kind.INSERTED,
                    f"no checkpoint sealed an event at this position (the one at {self.current.position} "
                    f"seals {self.current.runs})",
                )
            self._next_expected = next(self._expected, None)
        self.running.add(position, digest)
        return None

    def _gone(self, position: int) -> Failure:
        if self.head is not None and position > self.head:
            return Failure(position, Kind.TRUNCATED, f"the log ends at {self.head}; this position was sealed")
        return Failure(position, Kind.MISSING, "a sealed position has no event")

    def _close(self) -> Failure | None:
        checkpoint = self.current
        assert checkpoint is not None
        if self._problem is not None:
            return self._problem
        if self._next_expected is not None:
            return self._gone(self._next_expected)
        if self.running.digest() != checkpoint.running_hash:
            return Failure(
                checkpoint.position,
                Kind.MODIFIED,
                f"the events at positions {checkpoint.runs} are not the ones sealed (hashes recomputed)",
            )
        self.previous = (checkpoint.position, checkpoint.running_hash)
        self.sealed_up_to = checkpoint.position
        self.running = RunningHash(checkpoint.running_hash)
        self._open_next()
        return None

    def _open_next(self) -> None:
        self.current = next(self._checkpoints, None)
        self._expected = self._next_expected = None
        self._problem = None
        if self.current is None:
            return
        self._problem = header_failure(self.current, self.public_key, self.previous)
        if self._problem is None:  # an untrusted checkpoint's runs say nothing
            self._expected = positions(self.current.runs)
            self._next_expected = next(self._expected, None)
