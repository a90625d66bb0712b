"""Verifies an export with no database: hashes, stream chains, checkpoints and signatures.

The file is read twice, line by line: first for its checkpoints (small), then
to walk the events against them, so a failure names its line.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from infra.audit.chain import GENESIS, event_hash
from infra.audit.checkpoint import Checkpoint
from infra.audit.export import FORMAT, readable
from infra.audit.report import Failure, Kind, Report
from infra.audit.seals import SealTrack

END = 2**62


class Malformed(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"line {line}: {detail}")
        self.failure = Failure(0, Kind.MODIFIED, detail, line=line)


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as file:
        for number, text in enumerate(file, start=1):
            try:
                line = orjson.loads(text)
            except orjson.JSONDecodeError as error:
                raise Malformed(number, f"not JSON: {error}") from None
            if not isinstance(line, dict) or "type" not in line:
                raise Malformed(number, "not an export line")
            yield number, line


def _checkpoint(number: int, line: dict[str, Any]) -> Checkpoint:
    try:
        return Checkpoint.from_json(line)
    except (KeyError, ValueError, TypeError, binascii.Error) as error:
        raise Malformed(number, f"not a checkpoint: {error!r}") from None


def verify_export(path: Path, public_key: Ed25519PublicKey) -> Report:
    try:
        return _Offline(path, public_key).run()
    except Malformed as malformed:
        return Report(None, None, 0, 0, malformed.failure)


class _Offline:
    def __init__(self, path: Path, public_key: Ed25519PublicKey) -> None:
        self.path = path
        self.public_key = public_key
        self.streams: dict[str, tuple[int, bytes]] = {}
        self.events = 0
        self.first: int | None = None
        self.last_position: int | None = None

    def run(self) -> Report:
        lines = _lines(self.path)
        _, header = next(lines, (1, {}))
        if header.get("type") != "export" or header.get("format") != FORMAT:
            raise Malformed(1, f"not a {FORMAT} export header")
        anchor = _checkpoint(1, header["anchor"]) if header.get("anchor") else None
        if anchor is not None and not anchor.signature_ok(self.public_key):
            bad = Failure(anchor.position, Kind.BAD_SIGNATURE, "the anchor checkpoint's signature", line=1)
            return self._report(0, bad, header)
        checkpoints = [_checkpoint(n, line) for n, line in _lines(self.path) if line["type"] == "checkpoint"]
        track = SealTrack(checkpoints, self.public_key, anchor)
        failure = self._prefix(track, header) or self._walk(track, lines, header)
        return self._report(track.sealed_up_to, failure, header)

    def _report(self, sealed: int, failure: Failure | None, header: dict[str, Any]) -> Report:
        return Report(self.first, header.get("to_position"), sealed, self.events, failure)

    def _prefix(self, track: SealTrack, header: dict[str, Any]) -> Failure | None:
        for position, digest in header.get("prefix") or []:
            failure = track.before(position) or track.event(position, bytes.fromhex(digest or ""))
            if failure is not None:
                return _at(failure, 1)
        return None

    def _walk(
        self, track: SealTrack, lines: Iterator[tuple[int, dict[str, Any]]], header: dict[str, Any]
    ) -> Failure | None:
        number = 1
        for number, line in lines:
            if line["type"] == "checkpoint":
                failure = track.before(int(line["position"]) + 1)
            elif line["type"] == "event":
                failure = self._event(track, number, line)
            else:
                raise Malformed(number, f"unknown line type {line['type']!r}")
            if failure is not None:
                return _at(failure, number)
        failure = track.before(END)  # the checkpoints after the last event line
        return _at(failure, number) if failure is not None else None

    def _event(self, track: SealTrack, number: int, line: dict[str, Any]) -> Failure | None:
        try:
            position, stream, version = int(line["position"]), str(line["aggregate_id"]), int(line["version"])
            state = base64.b64decode(line["state"], validate=True)
            digest = bytes.fromhex(line["hash"]) if line["hash"] is not None else None
            previous = bytes.fromhex(line["previous_hash"]) if line["previous_hash"] is not None else None
        except (KeyError, ValueError, TypeError, binascii.Error) as error:
            raise Malformed(number, f"not an event line: {error!r}") from None
        if self.last_position is not None and position <= self.last_position:
            return Failure(position, Kind.REORDERED, "positions must increase line by line", stream, version)
        self.last_position = position
        failure = track.before(position) or self._chain(line, position, digest, previous, state)
        if failure is None and digest is not None:
            failure = track.event(position, digest)
        self.events += 1
        self.first = position if self.first is None else self.first
        return failure

    def _chain(
        self, line: dict[str, Any], position: int, digest: bytes | None, previous: bytes | None, state: bytes
    ) -> Failure | None:
        stream, version = str(line["aggregate_id"]), int(line["version"])
        problem = self._problem(line, digest, previous, state)
        if problem is not None:
            return Failure(position, problem[0], problem[1], stream, version)
        assert digest is not None
        self.streams[stream] = (version, digest)
        return None

    def _problem(
        self, line: dict[str, Any], digest: bytes | None, previous: bytes | None, state: bytes
    ) -> tuple[Kind, str] | None:
        stream, version, topic = str(line["aggregate_id"]), int(line["version"]), str(line["topic"])
        if digest is None:
            return Kind.INSERTED, "no hash was recorded for this event"
        if previous is None:
            return Kind.MISSING, f"version {version - 1} of the stream is gone"
        seen = self.streams.get(stream)
        if seen is not None and seen[0] >= version:
            return Kind.REORDERED, f"version {seen[0]} of the stream came before"
        if seen is not None and seen[0] != version - 1:
            return Kind.MISSING, f"versions {seen[0] + 1} to {version - 1} of the stream are gone"
        if (seen is not None and previous != seen[1]) or (version == 1 and previous != GENESIS):
            return Kind.MODIFIED, "the previous hash is not the stream's"
        if event_hash(previous, stream, version, topic, state) != digest:
            return Kind.MODIFIED, "the stored state no longer matches its hash"
        shown = {key: line.get(key) for key in ("event_type", "recorded_at", "payload", "metadata")}
        if shown != readable(topic, stream, version, int(line["position"]), state):
            return Kind.MODIFIED, "the readable fields differ from the stored state"
        return None


def _at(failure: Failure, line: int) -> Failure:
    return replace(failure, line=line)
