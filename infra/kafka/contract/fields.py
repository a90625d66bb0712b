"""The field vocabulary of the public events: the JSON Schemas of the values their payloads
carry, and ``Field``, one named field of a payload.

The enumerations here are the domain's (``domain.values``) as published; a test holds
them to the domain's enums, so that a change there is a decision here (a new version of
every public event carrying the field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]
Payload = dict[str, Any]

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
