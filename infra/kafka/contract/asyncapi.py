"""The AsyncAPI 3.0.0 document of the topics, built from the contract's table."""

from __future__ import annotations

import copy
from typing import Any

from infra.kafka.contract.catalogue import CONTRACT, CONTRACT_VERSION, DEAD_LETTER_TOPIC, TOPICS
from infra.kafka.contract.codec import CONTENT_TYPE, DIGITS, SPEC_VERSION
from infra.kafka.contract.fields import ID, Schema
from infra.kafka.contract.public_event import PublicEvent

KAFKA_BINDING_VERSION = "0.5.0"

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
            "ce_traceparent": {
                "type": "string",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                "description": "The W3C trace context of the command that recorded it, when it was "
                "traced (CloudEvents distributed tracing extension)",
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
