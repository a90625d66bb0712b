"""``PublicEvent``: one internal event type and its public form (type, version, fields,
JSON Schema), and the refusal of a message that is not an event of the contract."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from infra.kafka.contract.fields import ID, Field, Payload, Schema

JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"

ID_FIELDS = {
    "person": "person_id",
    "organisation": "organisation_id",
    "project": "project_id",
    "fund": "fund_id",
    "meeting": "meeting_id",
    "mediationcase": "case_id",
    "hazard": "hazard_id",
    "activity": "activity_id",
    "pointsbook": "book_id",
    "dividend": "dividend_id",
}
"""The field naming the aggregate in its events' payloads, by aggregate type."""


class UndecodableMessage(ValueError):
    """A Kafka message that is not a gongzhi event of this contract."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEventType(UndecodableMessage):
    def __init__(self, public_type: str) -> None:
        super().__init__(f"unknown event type {public_type!r}")
        self.public_type = public_type


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
    key_field: str = field(init=False, repr=False, compare=False)
    """``id_field`` or the aggregate's; worked out once, like the two below, for reading messages."""
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    required_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_once = object.__setattr__  # the dataclass is frozen
        set_once(self, "key_field", self.id_field or ID_FIELDS[self.aggregate])
        set_once(self, "names", tuple(f.name for f in self.fields))
        set_once(self, "required_names", frozenset(f.name for f in self.fields if f.required))

    @cached_property
    def aggregate(self) -> str:
        return self.public_type.split(".")[2]

    @cached_property
    def topic(self) -> str:
        return f"gongzhi.{self.aggregate}"

    @cached_property
    def type_header(self) -> bytes:
        """``ce_type`` as messages carry it."""
        return self.public_type.encode()

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
