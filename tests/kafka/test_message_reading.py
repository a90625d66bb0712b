"""A message as the relay writes it is read the short way; every other message reads back,
or is refused for the same reason, as when every check is made in turn."""

from __future__ import annotations

from typing import Any

import pytest

from infra.kafka.contract import CONTRACT, UndecodableMessage, from_message, to_message
from infra.kafka.contract.codec import _checked
from projections.events import EventRecord

Headers = list[tuple[str, Any]]
Message = tuple[Headers, bytes | None, bytes]
SUBJECT = "5f0c8a0e-2b1d-4c3e-9f4a-7d6e5c4b3a21"


def event_of(number: int, internal_type: str, recorded_at: str) -> EventRecord:
    public = next(e for e in CONTRACT if e.internal_type == internal_type)
    payload: dict[str, Any] = {f.name: f"{f.name}-{number}" for f in public.fields}
    payload |= {"phone": "13812345678", "id_number": None}  # what a person registered exports from
    return EventRecord(
        internal_type, SUBJECT, number, 1000 + number, recorded_at, payload, {"actor": "clerk"}
    )


def written() -> list[Message]:
    """One message of every public type, as the relay writes it."""
    messages: list[Message] = []
    for number, public in enumerate(CONTRACT, 1):
        message = to_message(event_of(number, public.internal_type, "2026-11-23T14:13:46.280945+00:00"))
        assert message is not None
        messages.append((list(message.headers), message.key, message.value))
    return messages


def replaced(headers: Headers, name: str, value: Any) -> Headers:
    return [(n, value if n == name else v) for n, v in headers]


def variants(headers: Headers, key: bytes | None, value: bytes) -> list[Message]:
    """The message, and the message changed in the ways a producer other than the relay
    (or a broken one) might write it."""
    out: list[Message] = [(headers, key, value), (headers, None, value)]
    out.append((headers, b"2b0e7c1e-8f4c-4c43-9a55-0b8f5d1e2a10", value))
    for name, _ in headers:
        out.append(([(n, v) for n, v in headers if n != name], key, value))
        out.append((replaced(headers, name, b""), key, value))
        out.append((replaced(headers, name, None), key, value))
        out.append((replaced(headers, name, b"\xff\xfe"), key, value))
        out.append(([*headers, (name, b"\xff")], key, value))
        out.append(([(name, None), *headers], key, value))
        out.append(([(name, b"other"), *headers], key, value))
    out.append(([*headers, ("traceparent", b"\xff")], key, value))
    out.append(([*headers, ("traceparent", b"00-abc")], key, value))
    for subject in (SUBJECT.upper(), "{" + SUBJECT + "}", SUBJECT.replace("-", ""), "urn:uuid:" + SUBJECT):
        out.append((replaced(headers, "ce_subject", subject.encode()), subject.encode(), value))
        out.append((replaced(headers, "ce_subject", subject.encode()), None, value))
    for moment in (
        "2026-11-23T14:13:46.280945Z",
        "2026-11-23T14:13:46+00:00",
        "2026-11-23T14:13:46.000000+00:00",
        "2026-11-23T14:13:46.280+00:00",
        "2026-11-23T22:13:46.280945+08:00",
        "2026-11-23T14:13:46.280945",
        "2026-11-23 14:13:46.280945+00:00",
        "2026-13-23T14:13:46.280945+00:00",
        "2026-11-23T24:13:46.280945+00:00",
        "0001-01-01T00:30:00.000001+01:00",
        "yesterday",
    ):
        out.append((replaced(headers, "ce_time", moment.encode()), key, value))
    for content_type in (b"application/json; charset=utf-8", b"application/avro", b"APPLICATION/JSON"):
        out.append((replaced(headers, "content-type", content_type), key, value))
    for count in (b"12\n", b"+12", b"\xd9\xa3", b"0", b"007", b"1e3", b" 12"):
        out.append((replaced(headers, "ce_position", count), key, value))
        out.append((replaced(headers, "ce_aggregateversion", count), key, value))
    out.append((replaced(headers, "ce_specversion", b"0.3"), key, value))
    out.append((replaced(headers, "ce_type", b"org.gongzhi.fund.donation_received.v9"), key, value))
    for body in (b"not json", b"[1, 2]", b"{}", b"null", value[:-1] + b', "extra": 1}'):
        out.append((headers, key, body))
    return out


def read(headers: Headers, key: bytes | None, value: bytes, how: Any) -> tuple[Any, ...]:
    try:
        return ("read", how(headers, key, value))
    except UndecodableMessage as refusal:
        return ("refused", type(refusal), refusal.reason)


@pytest.mark.parametrize("message", written(), ids=lambda m: dict(m[0])["ce_type"].decode())
def test_every_message_reads_as_every_check_in_turn_reads_it(
    message: Message,
) -> None:
    for headers, key, value in variants(*message):
        assert read(headers, key, value, from_message) == read(headers, key, value, _checked), headers


def test_a_message_as_the_relay_writes_it_reads_back_as_its_event() -> None:
    for number, public in enumerate(CONTRACT, 1):
        if public.internal_type == "Person.Registered":
            continue
        event = event_of(number, public.internal_type, "2026-11-23T14:13:46.280945+00:00")
        message = to_message(event)
        assert message is not None
        payload = {f.name: event.payload.get(f.name) for f in public.fields}
        assert from_message(message.headers, message.key, message.value) == event._replace(payload=payload)


def test_a_time_out_of_range_once_in_utc_is_refused_not_raised() -> None:
    headers, key, value = written()[0]
    moment = b"0001-01-01T00:30:00.000001+01:00"

    with pytest.raises(UndecodableMessage, match="ce_time"):
        from_message(replaced(headers, "ce_time", moment), key, value)


def test_a_message_as_the_relay_writes_it_is_read_the_short_way(monkeypatch: pytest.MonkeyPatch) -> None:
    def every_check(*message: Any) -> EventRecord:
        raise AssertionError("read the long way")

    monkeypatch.setattr("infra.kafka.contract.codec._checked", every_check)
    for headers, key, value in written():
        from_message(headers, key, value)
