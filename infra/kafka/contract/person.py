"""A person's public events. They carry no personal details: a person registered is
published as whether a phone number and an ID-card number are on file, a person erased
as the id alone (not the reason, free text that could name them)."""

from __future__ import annotations

from infra.kafka.contract.fields import FLAG, Payload, required
from infra.kafka.contract.public_event import PublicEvent


def _registered(payload: Payload) -> Payload:
    return {"has_phone": bool(payload.get("phone")), "has_id_number": bool(payload.get("id_number"))}


EVENTS = (
    PublicEvent(
        "Person.Registered",
        "org.gongzhi.person.registered.v1",
        "A person was registered. Personal details are not published: only whether a phone "
        "number and an ID-card number are on file.",
        (required("has_phone", FLAG), required("has_id_number", FLAG)),
        export=_registered,
    ),
    PublicEvent(
        "Person.Erased",
        "org.gongzhi.person.erased.v1",
        "A person's personal details were erased: gongzhi can no longer read their name, phone "
        "number or ID-card number. Their id, history and memberships remain.",
        (),
        export=lambda _: {},
    ),
)
