"""The public event contract: what gongzhi's events look like once they leave it, on Kafka.

Every internal event type (``Fund.DonationReceived``) has one public event type
(``org.gongzhi.fund.donation_received.v1``) in the table ``CONTRACT``, with its topic and
the JSON Schema (draft-07) of its payload. The schemas are written out here, field by
field, rather than derived from the aggregates, so that refactoring the domain cannot
change what consumers receive without this module changing too. A change that could
break a consumer (a field removed, retyped or made required, an enumeration changed)
takes a new version of the public type; adding an optional field does not.

Messages are CloudEvents 1.0 in the Kafka protocol binding's binary mode: the
attributes travel as ``ce_*`` headers, the payload is the JSON value, and the key is the
aggregate id, so that the events of one aggregate keep their order on one partition.
The same event always gives the same message, byte for byte, so republishing is safe.

Public payloads:

- name the aggregate they belong to (``person_id``, ``organisation_id``, ``project_id``,
  ``fund_id``; ``council_id`` for a council's member units, whose own field is
  ``organisation_id``) and keep the internal field names otherwise;
- leave out optional fields that are null (they are null again when read back);
- carry no personal details. A person registered is published as the person's id and
  whether a phone number and an ID-card number are on file (``has_phone``,
  ``has_id_number``); names, phone numbers and ID-card numbers never leave gongzhi.
  A person erased is published as the id alone (not the reason, free text that could
  name them), so that consumers can forget what they hold about that id.
  Other aggregates refer to people by id only. A donation made in a donor's name (rather
  than by a registered person) carries that name, as the fund's public record does.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from projections.events import EventRecord

CONTRACT_VERSION = "1.0.0"
SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
DEFAULT_SOURCE = "urn:gongzhi"
JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
KAFKA_BINDING_VERSION = "0.5.0"

TOPICS = ("gongzhi.person", "gongzhi.organisation", "gongzhi.project", "gongzhi.fund")
DEAD_LETTER_TOPIC = "gongzhi.deadletter"
CHECKPOINT_TOPIC = "gongzhi.audit.checkpoints"

Schema = dict[str, Any]
Payload = dict[str, Any]

ID_FIELDS = {
    "person": "person_id",
    "organisation": "organisation_id",
    "project": "project_id",
    "fund": "fund_id",
}


class UndecodableMessage(ValueError):
    """A Kafka message that is not a gongzhi event of this contract."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEventType(UndecodableMessage):
    def __init__(self, public_type: str) -> None:
        super().__init__(f"unknown event type {public_type!r}")
        self.public_type = public_type


# Field schemas

ID: Schema = {"type": "string", "format": "uuid"}
DATE: Schema = {"type": "string", "format": "date"}
TEXT: Schema = {"type": "string"}
FLAG: Schema = {"type": "boolean"}
FEN: Schema = {"type": "integer", "minimum": 1, "description": "Money in fen (1/100 yuan)"}
ACTOR: Schema = {"type": "string", "description": "The acting principal who recorded it"}
ORGANISATION_KINDS: Schema = {
    "type": "string",
    "enum": [
        "self_governance_committee",
        "mutual_aid_association",
        "sage_association",
        "advisory_group",
        "coordination_council",
    ],
}
ROLES: Schema = {
    "type": "string",
    "enum": [
        "chair",
        "vice_chair",
        "secretary",
        "standing_member",
        "liaison_representative",
        "grid_head",
        "member",
        "advisor",
        "mediator",
    ],
}
MEMBER_CATEGORIES: Schema = {
    "type": "string",
    "enum": ["resident", "new_resident", "business_owner", "sage", "professional", "party_member"],
}
DEPARTURE_REASONS: Schema = {"type": "string", "enum": ["left", "expelled"]}


@dataclass(frozen=True)
class Field:
    name: str
    schema: Schema
    required: bool = True


def required(name: str, schema: Schema) -> Field:
    return Field(name, schema)


def optional(name: str, schema: Schema) -> Field:
    """A field that may be null internally; absent from the public payload when it is."""
    return Field(name, schema, required=False)


@dataclass(frozen=True)
class PublicEvent:
    """One internal event type and its public form."""

    internal_type: str
    public_type: str
    description: str
    fields: tuple[Field, ...]
    id_field: str | None = None
    """The field naming the aggregate; by default the aggregate's (``fund_id``, ...)."""
    export: Callable[[Payload], Payload] | None = None
    """Internal payload → public fields; by default the ``fields`` whose values are not null."""
    constraints: Schema = field(default_factory=dict)
    """Further JSON Schema keywords for the whole payload."""

    @property
    def aggregate(self) -> str:
        return self.public_type.split(".")[2]

    @property
    def topic(self) -> str:
        return f"gongzhi.{self.aggregate}"

    @property
    def key_field(self) -> str:
        return self.id_field or ID_FIELDS[self.aggregate]

    @property
    def message_name(self) -> str:
        """``fund_donation_received_v1``: the identifier of the message in the AsyncAPI document."""
        return self.public_type.removeprefix("org.gongzhi.").replace(".", "_")

    def to_public(self, aggregate_id: str, payload: Payload) -> Payload:
        if self.export is not None:
            selected = self.export(payload)
        else:
            selected = {
                f.name: payload.get(f.name)
                for f in self.fields
                if f.required or payload.get(f.name) is not None
            }
        return {self.key_field: aggregate_id, **selected}

    def to_internal(self, public: Payload) -> Payload:
        missing = [f.name for f in self.fields if f.required and f.name not in public]
        if missing:
            raise UndecodableMessage(f"{self.public_type} payload lacks {', '.join(missing)}")
        return {f.name: public.get(f.name) for f in self.fields}

    def schema(self) -> Schema:
        properties = {self.key_field: {**ID, "description": "The id of the aggregate (also the key)"}}
        properties |= {f.name: copy.deepcopy(f.schema) for f in self.fields}
        return {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": f"urn:gongzhi:schema:{self.public_type}",
            "title": self.public_type,
            "description": self.description,
            "type": "object",
            "properties": properties,
            "required": [self.key_field, *(f.name for f in self.fields if f.required)],
            "additionalProperties": False,
            **copy.deepcopy(self.constraints),
        }


def _person_registered(payload: Payload) -> Payload:
    return {"has_phone": bool(payload.get("phone")), "has_id_number": bool(payload.get("id_number"))}


CONTRACT: tuple[PublicEvent, ...] = (
    # Person
    PublicEvent(
        "Person.Registered",
        "org.gongzhi.person.registered.v1",
        "A person was registered. Personal details are not published: only whether a phone "
        "number and an ID-card number are on file.",
        (required("has_phone", FLAG), required("has_id_number", FLAG)),
        export=_person_registered,
    ),
    PublicEvent(
        "Person.Erased",
        "org.gongzhi.person.erased.v1",
        "A person's personal details were erased: gongzhi can no longer read their name, phone "
        "number or ID-card number. Their id, history and memberships remain.",
        (),
        export=lambda _: {},
    ),
    # Organisation
    PublicEvent(
        "Organisation.Registered",
        "org.gongzhi.organisation.registered.v1",
        "An organisation was registered; it is active.",
        (
            required("kind", ORGANISATION_KINDS),
            required("name", TEXT),
            required("jurisdiction", {**TEXT, "description": "Slash-separated path, province first"}),
            optional("charter", TEXT),
        ),
    ),
    PublicEvent(
        "Organisation.MemberAdmitted",
        "org.gongzhi.organisation.member_admitted.v1",
        "A person became a member of the organisation.",
        (
            required("person_id", ID),
            required("role", ROLES),
            required("category", MEMBER_CATEGORIES),
            required("joined_on", DATE),
        ),
    ),
    PublicEvent(
        "Organisation.MemberRoleChanged",
        "org.gongzhi.organisation.member_role_changed.v1",
        "A member took another role.",
        (required("person_id", ID), required("previous_role", ROLES), required("role", ROLES)),
    ),
    PublicEvent(
        "Organisation.MemberDeparted",
        "org.gongzhi.organisation.member_departed.v1",
        "A member left the organisation or was expelled.",
        (required("person_id", ID), required("reason", DEPARTURE_REASONS), optional("note", TEXT)),
    ),
    PublicEvent(
        "Organisation.Suspended",
        "org.gongzhi.organisation.suspended.v1",
        "The organisation was suspended.",
        (required("reason", TEXT),),
    ),
    PublicEvent(
        "Organisation.Reinstated",
        "org.gongzhi.organisation.reinstated.v1",
        "A suspended organisation is active again.",
        (),
    ),
    PublicEvent(
        "Organisation.Dissolved",
        "org.gongzhi.organisation.dissolved.v1",
        "The organisation was dissolved.",
        (required("reason", TEXT),),
    ),
    PublicEvent(
        "Organisation.MemberOrganisationJoined",
        "org.gongzhi.organisation.member_organisation_joined.v1",
        "An organisation became a member unit of the coordination council `council_id`.",
        (required("organisation_id", {**ID, "description": "The member unit"}),),
        id_field="council_id",
    ),
    PublicEvent(
        "Organisation.MemberOrganisationLeft",
        "org.gongzhi.organisation.member_organisation_left.v1",
        "A member unit left the coordination council `council_id`.",
        (required("organisation_id", {**ID, "description": "The member unit"}),),
        id_field="council_id",
    ),
    # Project
    PublicEvent(
        "Project.Proposed",
        "org.gongzhi.project.proposed.v1",
        "A public-welfare project was proposed by its lead organisation.",
        (
            required("title", TEXT),
            required("category", TEXT),
            required("lead_organisation_id", ID),
            required("partner_organisation_ids", {"type": "array", "items": ID, "uniqueItems": True}),
            optional("budget_fen", {"type": "integer", "minimum": 0, "description": "Money in fen"}),
            optional("description", TEXT),
        ),
    ),
    PublicEvent("Project.Approved", "org.gongzhi.project.approved.v1", "The project was approved.", ()),
    PublicEvent("Project.Started", "org.gongzhi.project.started.v1", "The project started.", ()),
    PublicEvent(
        "Project.ProgressReported",
        "org.gongzhi.project.progress_reported.v1",
        "Progress was reported, with the people it reached since the last report.",
        (required("note", TEXT), required("beneficiaries", {"type": "integer", "minimum": 0})),
    ),
    PublicEvent(
        "Project.Completed",
        "org.gongzhi.project.completed.v1",
        "The project was completed.",
        (required("outcome", TEXT),),
    ),
    PublicEvent(
        "Project.Cancelled",
        "org.gongzhi.project.cancelled.v1",
        "The project was cancelled.",
        (required("reason", TEXT),),
    ),
    # Fund
    PublicEvent(
        "Fund.Opened",
        "org.gongzhi.fund.opened.v1",
        "An organisation opened a fund for the given purposes.",
        (
            required("organisation_id", {**ID, "description": "The organisation that owns the fund"}),
            required("name", TEXT),
            required("purposes", {"type": "array", "items": TEXT, "minItems": 1, "uniqueItems": True}),
            required("approvals_required", {"type": "integer", "minimum": 1, "maximum": 9}),
        ),
    ),
    PublicEvent(
        "Fund.DonationReceived",
        "org.gongzhi.fund.donation_received.v1",
        "A donation came in, from a registered person (`donor_person_id`) or a named donor "
        "(`donor_name`), for one purpose of the fund or for any.",
        (
            required("donation_id", ID),
            required("amount_fen", FEN),
            optional("donor_person_id", ID),
            optional("donor_name", TEXT),
            optional("purpose", TEXT),
            required("received_on", DATE),
        ),
        constraints={"oneOf": [{"required": ["donor_person_id"]}, {"required": ["donor_name"]}]},
    ),
    PublicEvent(
        "Fund.DisbursementRequested",
        "org.gongzhi.fund.disbursement_requested.v1",
        "Money was asked for, for one purpose of the fund, perhaps for a project.",
        (
            required("disbursement_id", ID),
            required("amount_fen", FEN),
            required("purpose", TEXT),
            required("payee", TEXT),
            optional("project_id", ID),
            required("requested_by", ACTOR),
        ),
    ),
    PublicEvent(
        "Fund.DisbursementApproved",
        "org.gongzhi.fund.disbursement_approved.v1",
        "An approver approved a disbursement; `fully_approved` once it has every approval it needs.",
        (required("disbursement_id", ID), required("approver", ACTOR), required("fully_approved", FLAG)),
    ),
    PublicEvent(
        "Fund.DisbursementRejected",
        "org.gongzhi.fund.disbursement_rejected.v1",
        "A disbursement was rejected.",
        (required("disbursement_id", ID), required("reason", TEXT), required("rejected_by", ACTOR)),
    ),
    PublicEvent(
        "Fund.DisbursementPaid",
        "org.gongzhi.fund.disbursement_paid.v1",
        "An approved disbursement was paid out.",
        (
            required("disbursement_id", ID),
            required("amount_fen", FEN),
            required("paid_on", DATE),
            optional("reference", TEXT),
        ),
    ),
)

BY_INTERNAL_TYPE = {event.internal_type: event for event in CONTRACT}
BY_PUBLIC_TYPE = {event.public_type: event for event in CONTRACT}


def public_event(internal_type: str) -> PublicEvent | None:
    return BY_INTERNAL_TYPE.get(internal_type)


def json_schemas() -> dict[str, Schema]:
    """Public type → JSON Schema of its payload."""
    return {event.public_type: event.schema() for event in CONTRACT}


# Kafka messages (CloudEvents 1.0, Kafka protocol binding, binary mode)

EXTENSIONS = (
    ("ce_actor", "actor"),
    ("ce_correlationid", "correlation_id"),
    ("ce_onbehalfof", "on_behalf_of"),
)
DIGITS = re.compile(r"^[0-9]+$")


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
    attributes = [
        ("ce_specversion", SPEC_VERSION),
        ("ce_id", f"{event.aggregate_id}:{event.version}"),
        ("ce_source", source),
        ("ce_type", public.public_type),
        ("ce_subject", event.aggregate_id),
        ("ce_time", rfc3339(event.recorded_at)),
        ("content-type", CONTENT_TYPE),
        ("ce_position", str(event.position)),
        ("ce_aggregateversion", str(event.version)),
    ]
    metadata = event.metadata or {}
    attributes += [
        (header, str(metadata[name])) for header, name in EXTENSIONS if metadata.get(name) is not None
    ]
    value = orjson.dumps(public.to_public(event.aggregate_id, event.payload), option=orjson.OPT_SORT_KEYS)
    headers = [(name, text.encode()) for name, text in attributes]
    return KafkaMessage(public.topic, event.aggregate_id.encode(), value, headers)


def from_message(headers: list[tuple[str, bytes]], key: bytes | None, value: bytes) -> EventRecord:
    """The event a message of this contract carries, in its internal shape (a person
    registered comes back with ``has_phone`` and ``has_id_number`` only).

    A message as the relay writes it is read at once; any other (another time or id
    form, a content-type with parameters, repeated or empty headers, anything wrong)
    is read by ``_checked``, which accepts and refuses what this accepts and refuses
    and says why it refuses."""
    try:
        # Reversed, so that the first of repeated headers counts.
        attributes = {name: raw.decode() for name, raw in reversed(headers)}
    except (UnicodeDecodeError, AttributeError, TypeError):
        return _checked(headers, key, value)
    get = attributes.get
    reader = _READERS.get(get("ce_type", ""))
    subject = get("ce_subject", "")
    moment = get("ce_time", "")
    version = get("ce_aggregateversion", "")
    position = get("ce_position", "")
    if (
        reader is None
        or get("ce_specversion") != SPEC_VERSION
        or not get("ce_id")
        or not get("ce_source")
        or get("content-type", CONTENT_TYPE) != CONTENT_TYPE
        or not _CANONICAL_UUID.fullmatch(subject)
        or (key is not None and key != subject.encode())
        or not _STORED_TIME.fullmatch(moment)
        or not (version.isascii() and version.isdigit() and position.isascii() and position.isdigit())
    ):
        return _checked(headers, key, value)
    try:
        stored = datetime.fromisoformat(moment).microsecond  # a valid date and time?
        body = orjson.loads(value)
    except (ValueError, TypeError):
        return _checked(headers, key, value)
    if (
        not stored  # written without its fraction of a second
        or type(body) is not dict
        or body.get(reader.key_field, subject) != subject
        or not reader.required <= body.keys()
    ):
        return _checked(headers, key, value)
    metadata = {name: attributes[header] for header, name in EXTENSIONS if header in attributes}
    return EventRecord(
        reader.internal_type,
        subject,
        int(version),
        int(position),
        moment,
        {name: body.get(name) for name in reader.names},
        metadata or None,
    )


@dataclass(frozen=True)
class _Reader:
    """What reading a message of one public type needs, worked out once."""

    internal_type: str
    key_field: str
    required: frozenset[str]
    names: tuple[str, ...]


_READERS = {
    event.public_type: _Reader(
        event.internal_type,
        event.key_field,
        frozenset(f.name for f in event.fields if f.required),
        tuple(f.name for f in event.fields),
    )
    for event in CONTRACT
}
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_STORED_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00")
"""A time as ``rfc3339`` writes it when it has a fraction of a second."""


def _checked(headers: list[tuple[str, bytes]], key: bytes | None, value: bytes) -> EventRecord:
    """``from_message`` for any message, every check made in turn."""
    attributes = _attributes(headers)
    if attributes.get("ce_specversion") != SPEC_VERSION:
        raise UndecodableMessage(f"not a CloudEvents {SPEC_VERSION} message (ce_specversion)")
    public = BY_PUBLIC_TYPE.get(_attribute(attributes, "ce_type"))
    if public is None:
        raise UnknownEventType(attributes["ce_type"])
    _attribute(attributes, "ce_id")
    _attribute(attributes, "ce_source")
    content_type = attributes.get("content-type", CONTENT_TYPE)
    if content_type.split(";")[0].strip() != CONTENT_TYPE:
        raise UndecodableMessage(f"content-type {content_type!r} is not {CONTENT_TYPE}")
    aggregate_id = _uuid(_attribute(attributes, "ce_subject"))
    if key is not None and key != aggregate_id.encode():
        raise UndecodableMessage("the key is not the ce_subject")
    try:
        recorded_at = rfc3339(_attribute(attributes, "ce_time"))
    except (ValueError, OverflowError):
        raise UndecodableMessage("ce_time is not an RFC 3339 time") from None
    body = _json_object(value)
    if body.get(public.key_field, aggregate_id) != aggregate_id:
        raise UndecodableMessage(f"{public.key_field} is not the ce_subject")
    metadata = {name: attributes[header] for header, name in EXTENSIONS if header in attributes}
    return EventRecord(
        public.internal_type,
        aggregate_id,
        _count(attributes, "ce_aggregateversion"),
        _count(attributes, "ce_position"),
        recorded_at,
        public.to_internal(body),
        metadata or None,
    )


def _attributes(headers: list[tuple[str, bytes]]) -> dict[str, str]:
    """Header name → text; the first of repeated headers counts."""
    attributes: dict[str, str] = {}
    for name, raw in headers:
        if raw is None or name in attributes:
            continue
        try:
            attributes[name] = raw.decode()
        except (UnicodeDecodeError, AttributeError):
            raise UndecodableMessage(f"header {name} is not UTF-8 text") from None
    return attributes


def _attribute(attributes: dict[str, str], name: str) -> str:
    text = attributes.get(name)
    if not text:
        raise UndecodableMessage(f"header {name} is missing")
    return text


def _count(attributes: dict[str, str], name: str) -> int:
    text = _attribute(attributes, name)
    if not DIGITS.match(text):
        raise UndecodableMessage(f"header {name} is not a whole number: {text!r}")
    return int(text)


def _uuid(text: str) -> str:
    try:
        UUID(text)
    except ValueError:
        raise UndecodableMessage(f"ce_subject is not a UUID: {text!r}") from None
    return text


def _json_object(value: bytes) -> Payload:
    try:
        body = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise UndecodableMessage("the value is not JSON") from None
    if not isinstance(body, dict):
        raise UndecodableMessage("the value is not a JSON object")
    return body


# AsyncAPI

DEAD_LETTER_HEADERS: Schema = {
    "type": "object",
    "description": "Why the message could not be consumed, and where it was read.",
    "required": [
        "dead_letter_reason",
        "dead_letter_source_topic",
        "dead_letter_source_partition",
        "dead_letter_source_offset",
    ],
    "properties": {
        "dead_letter_reason": {"type": "string", "description": "Why the consumer gave up on the message"},
        "dead_letter_source_topic": {"type": "string"},
        "dead_letter_source_partition": {"type": "string", "pattern": DIGITS.pattern},
        "dead_letter_source_offset": {"type": "string", "pattern": DIGITS.pattern},
    },
}


def headers_schema(public_type: str) -> Schema:
    """The CloudEvents headers of a message of ``public_type``; every value is UTF-8 text."""
    number = {"type": "string", "pattern": DIGITS.pattern}
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes, Kafka protocol binding (binary mode).",
        "required": [
            "ce_specversion",
            "ce_id",
            "ce_source",
            "ce_type",
            "ce_subject",
            "ce_time",
            "content-type",
            "ce_position",
            "ce_aggregateversion",
        ],
        "properties": {
            "ce_specversion": {"type": "string", "const": SPEC_VERSION},
            "ce_id": {
                "type": "string",
                "description": "<aggregate id>:<aggregate version>, the same when the event is republished",
            },
            "ce_source": {"type": "string", "format": "uri-reference"},
            "ce_type": {"type": "string", "const": public_type},
            "ce_subject": {**ID, "description": "The aggregate id (also the key)"},
            "ce_time": {"type": "string", "format": "date-time", "description": "When it was recorded (UTC)"},
            "content-type": {"type": "string", "const": CONTENT_TYPE},
            "ce_position": {**number, "description": "Position in gongzhi's event store, across aggregates"},
            "ce_aggregateversion": {**number, "description": "Version of the aggregate, from 1, no gaps"},
            "ce_actor": {"type": "string", "description": "Who recorded it"},
            "ce_correlationid": {"type": "string", "description": "The request that recorded it"},
            "ce_onbehalfof": {
                "type": "string",
                "description": "Whom an integration acting as `ce_actor` said it acted for, if anyone",
            },
        },
    }


def _message(event: PublicEvent) -> Schema:
    return {
        "name": event.public_type,
        "title": f"{event.internal_type} (v{event.public_type.rsplit('.v', 1)[1]})",
        "summary": event.description,
        "contentType": CONTENT_TYPE,
        "headers": headers_schema(event.public_type),
        "payload": {"$ref": f"#/components/schemas/{event.message_name}"},
        "bindings": {
            "kafka": {
                "key": {**ID, "description": "The aggregate id"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _channel(topic: str, description: str, messages: dict[str, Schema]) -> Schema:
    return {
        "address": topic,
        "description": description,
        "messages": messages,
        "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _dead_letter_channel() -> Schema:
    message = {
        "name": "dead_letter",
        "title": "A message no consumer could handle",
        "contentType": "application/octet-stream",
        "headers": DEAD_LETTER_HEADERS,
        "payload": {"type": "string", "format": "binary", "description": "The original value, unchanged"},
        "bindings": {"kafka": {"key": {"type": "string"}, "bindingVersion": KAFKA_BINDING_VERSION}},
    }
    return _channel(
        DEAD_LETTER_TOPIC, "Messages set aside by consumers, with the reason.", {"dead_letter": message}
    )


def asyncapi_document(servers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 description of the topics, built from ``CONTRACT``."""
    channels: dict[str, Schema] = {}
    for topic in TOPICS:
        name = topic.removeprefix("gongzhi.")
        messages = {event.message_name: _message(event) for event in CONTRACT if event.topic == topic}
        channels[name] = _channel(topic, f"Every {name} event, keyed by the {name}'s id.", messages)
    channels["deadletter"] = _dead_letter_channel()
    operations = {
        f"receive_{name}": {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [
                {"$ref": f"#/channels/{name}/messages/{message}"} for message in channel["messages"]
            ],
        }
        for name, channel in channels.items()
    }
    document: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "gongzhi events",
            "version": CONTRACT_VERSION,
            "description": "The events gongzhi publishes, as CloudEvents 1.0 (Kafka binding, binary mode).",
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {event.message_name: event.schema() for event in CONTRACT}},
    }
    if servers:
        document["servers"] = copy.deepcopy(servers)
    return document
