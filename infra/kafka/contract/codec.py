"""Events to Kafka messages and back: CloudEvents 1.0, Kafka protocol binding, binary mode.

The attributes travel as ``ce_*`` headers, the payload is the JSON value, and the key is
the aggregate id, so that the events of one aggregate keep their order on one partition.
The same event always gives the same message, byte for byte, so republishing is safe.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import orjson

from infra.kafka.contract.catalogue import BY_INTERNAL_TYPE, BY_PUBLIC_TYPE
from infra.kafka.contract.public_event import UndecodableMessage, UnknownEventType
from projections.events import EventRecord

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
DEFAULT_SOURCE = "urn:gongzhi"
EXTENSIONS = (
    ("ce_actor", "actor"),
    ("ce_correlationid", "correlation_id"),
    ("ce_onbehalfof", "on_behalf_of"),
    ("ce_traceparent", "traceparent"),
)
DIGITS = re.compile(r"^[0-9]+$")

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_STORED_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00")
"""A time as ``rfc3339`` writes it when it has a fraction of a second."""


@dataclass(frozen=True)
class KafkaMessage:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def rfc3339(moment: str) -> str:
    """An ISO 8601 time as RFC 3339 in UTC, the way the store writes it
    (``2026-11-23T14:13:46.280945+00:00``), so that stored times come back unchanged.
    A time without an offset is taken as UTC."""
    parsed = datetime.fromisoformat(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


def to_message(event: EventRecord, source: str = DEFAULT_SOURCE) -> KafkaMessage | None:
    """The public form of an event; None for an event type without one."""
    public = BY_INTERNAL_TYPE.get(event.type)
    if public is None:
        return None
    aggregate_id = event.aggregate_id
    version = str(event.version).encode()
    key = aggregate_id.encode()
    specversion, source_header, content_type = _constant_headers(source)
    headers = [
        specversion,
        ("ce_id", b"%s:%s" % (key, version)),
        source_header,
        ("ce_type", public.type_header),
        ("ce_subject", key),
        ("ce_time", _stored_time(event.recorded_at).encode()),
        content_type,
        ("ce_position", str(event.position).encode()),
        ("ce_aggregateversion", version),
    ]
    metadata = event.metadata
    if metadata:
        headers += [
            (header, str(metadata[name]).encode())
            for header, name in EXTENSIONS
            if metadata.get(name) is not None
        ]
    value = orjson.dumps(public.to_public(aggregate_id, event.payload), option=orjson.OPT_SORT_KEYS)
    return KafkaMessage(public.topic, key, value, headers)


@functools.cache
def _constant_headers(source: str) -> tuple[tuple[str, bytes], ...]:
    """The headers every message from ``source`` has alike, encoded once."""
    return (
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_source", source.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    )


def _stored_time(moment: str) -> str:
    """``rfc3339(moment)``, without parsing a time the store wrote in that form already."""
    if _STORED_TIME.fullmatch(moment) and moment[20:26] != "000000":
        return moment
    return rfc3339(moment)


def from_message(
    headers: list[tuple[str, bytes]], key: bytes | None, value: bytes, shortcuts: bool = True
) -> EventRecord:
    """The event a message of this contract carries, in its internal shape (a person
    registered comes back with ``has_phone`` and ``has_id_number`` only); for any other
    message, ``UndecodableMessage`` with the reason of the first check that fails.

    With ``shortcuts``, a value already in the form the relay writes it (text headers, a
    lower-case UUID, a stored time, a count in ASCII digits) is taken as it is rather than
    parsed and written again, which gives the same value, only sooner."""
    if shortcuts:
        try:  # reversed, so that the first of repeated headers counts
            attributes = {name: raw.decode() for name, raw in reversed(headers)}
        except (UnicodeDecodeError, AttributeError, TypeError):
            attributes = _attributes(headers)
    else:
        attributes = _attributes(headers)
    get = attributes.get
    if get("ce_specversion") != SPEC_VERSION:
        raise UndecodableMessage(f"not a CloudEvents {SPEC_VERSION} message (ce_specversion)")
    public_type = get("ce_type")
    public = BY_PUBLIC_TYPE.get(public_type)  # type: ignore[arg-type]
    if public is None:
        raise UnknownEventType(public_type) if public_type else _missing("ce_type")
    if not get("ce_id"):
        raise _missing("ce_id")
    if not get("ce_source"):
        raise _missing("ce_source")
    content_type = get("content-type", CONTENT_TYPE)
    if content_type != CONTENT_TYPE and content_type.split(";")[0].strip() != CONTENT_TYPE:
        raise UndecodableMessage(f"content-type {content_type!r} is not {CONTENT_TYPE}")
    aggregate_id = get("ce_subject")
    if not aggregate_id:
        raise _missing("ce_subject")
    if not (shortcuts and _CANONICAL_UUID.fullmatch(aggregate_id)):
        _uuid(aggregate_id)
    if key is not None and key != aggregate_id.encode():
        raise UndecodableMessage("the key is not the ce_subject")
    recorded_at = get("ce_time")
    if not recorded_at:
        raise _missing("ce_time")
    try:  # as rfc3339 writes it, which it would give back unchanged (it drops a zero fraction)
        stored = (
            shortcuts
            and _STORED_TIME.fullmatch(recorded_at)
            and datetime.fromisoformat(recorded_at).microsecond
        )
    except ValueError:
        stored = False
    if not stored:
        recorded_at = _time(recorded_at)
    try:
        body = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise UndecodableMessage("the value is not JSON") from None
    if type(body) is not dict:
        raise UndecodableMessage("the value is not a JSON object")
    if body.get(public.key_field, aggregate_id) != aggregate_id:
        raise UndecodableMessage(f"{public.key_field} is not the ce_subject")
    version, position = get("ce_aggregateversion"), get("ce_position")
    if not (shortcuts and version and version.isascii() and version.isdigit()):
        _count(version, "ce_aggregateversion")
    if not (shortcuts and position and position.isascii() and position.isdigit()):
        _count(position, "ce_position")
    if not public.required_names <= body.keys():
        missing = [name for name in public.names if name in public.required_names and name not in body]
        raise UndecodableMessage(f"{public.public_type} payload lacks {', '.join(missing)}")
    metadata = {name: attributes[header] for header, name in EXTENSIONS if header in attributes}
    return EventRecord(
        public.internal_type,
        aggregate_id,
        int(version),  # type: ignore[arg-type]
        int(position),  # type: ignore[arg-type]
        recorded_at,
        {name: body.get(name) for name in public.names},
        metadata or None,
    )


def _checked(headers: list[tuple[str, bytes]], key: bytes | None, value: bytes) -> EventRecord:
    """``from_message`` taking no shortcut: every value parsed and checked in full."""
    return from_message(headers, key, value, shortcuts=False)


def _attributes(headers: list[tuple[str, bytes]]) -> dict[str, str]:
    """Header name → text; the first of repeated headers counts, a header without a value
    does not."""
    attributes: dict[str, str] = {}
    for name, raw in headers:
        if raw is None or name in attributes:
            continue
        try:
            attributes[name] = raw.decode()
        except (UnicodeDecodeError, AttributeError):
            raise UndecodableMessage(f"header {name} is not UTF-8 text") from None
    return attributes


def _missing(name: str) -> UndecodableMessage:
    return UndecodableMessage(f"header {name} is missing")


def _count(text: str | None, name: str) -> int:
    if not text:
        raise _missing(name)
    if not DIGITS.match(text):
        raise UndecodableMessage(f"header {name} is not a whole number: {text!r}")
    return int(text)


def _uuid(text: str) -> None:
    try:
        UUID(text)
    except ValueError:
        raise UndecodableMessage(f"ce_subject is not a UUID: {text!r}") from None


def _time(moment: str) -> str:
    try:
        return rfc3339(moment)
    except (ValueError, OverflowError):
        raise UndecodableMessage("ce_time is not an RFC 3339 time") from None
