"""The public event contract: what gongzhi's events look like once they leave it, on Kafka.

Every internal event type (``Fund.DonationReceived``) has one public event type
(``org.gongzhi.fund.donation_received.v1``) in the table ``CONTRACT``, with its topic and
the JSON Schema (draft-07) of its payload. The schemas are written out field by field,
one module per aggregate (``person``, ``organisation``, ``project``, ``fund``) in the
vocabulary of ``fields``, rather than derived from the aggregates, so that refactoring
the domain cannot change what consumers receive without this package changing too. A
change that could break a consumer (a field removed, retyped or made required, an
enumeration changed) takes a new version of the public type; adding an optional field
does not.

Messages are CloudEvents 1.0 in the Kafka protocol binding's binary mode (``codec``);
``asyncapi`` describes the topics.

Public payloads:

- name the aggregate they belong to (``person_id``, ``organisation_id``, ``project_id``,
  ``fund_id``; ``council_id`` for a council's member units, whose own field is
  ``organisation_id``) and keep the internal field names otherwise;
- leave out optional fields that are null (they are null again when read back);
- carry no personal details (see ``person``). Other aggregates refer to people by id
  only.
"""

from __future__ import annotations

from infra.kafka.contract.asyncapi import asyncapi_document, headers_schema
from infra.kafka.contract.catalogue import (
    BY_INTERNAL_TYPE,
    BY_PUBLIC_TYPE,
    CHECKPOINT_TOPIC,
    CONTRACT,
    CONTRACT_VERSION,
    DEAD_LETTER_TOPIC,
    TOPICS,
    json_schemas,
    public_event,
)
from infra.kafka.contract.codec import KafkaMessage, from_message, to_message
from infra.kafka.contract.public_event import PublicEvent, UndecodableMessage, UnknownEventType

__all__ = [
    "BY_INTERNAL_TYPE",
    "BY_PUBLIC_TYPE",
    "CHECKPOINT_TOPIC",
    "CONTRACT",
    "CONTRACT_VERSION",
    "DEAD_LETTER_TOPIC",
    "TOPICS",
    "KafkaMessage",
    "PublicEvent",
    "UndecodableMessage",
    "UnknownEventType",
    "asyncapi_document",
    "from_message",
    "headers_schema",
    "json_schemas",
    "public_event",
    "to_message",
]
