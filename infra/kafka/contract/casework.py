"""Public events of mediation cases and hazard reports.

A mediation case is published without what it says about its parties: no summary, no
session notes, no agreement text, no reasons, and no party ids, only how many parties
there are. Hazards are published whole (places and descriptions, people by id only).
"""

from __future__ import annotations

from collections.abc import Callable

from infra.kafka.contract.fields import DATE, FLAG, ID, TEXT, Payload, Schema, optional, required
from infra.kafka.contract.public_event import PublicEvent

CASE_CATEGORIES: Schema = {
    "type": "string",
    "enum": ["neighbour", "family", "land", "labour", "property", "consumer", "other"],
}
HAZARD_CATEGORIES: Schema = {
    "type": "string",
    "enum": ["fire", "electrical", "gas", "structural", "traffic", "sanitation", "other"],
}
COUNT: Schema = {"type": "integer", "minimum": 0}


def _only(*names: str) -> Callable[[Payload], Payload]:
    def export(payload: Payload) -> Payload:
        return {name: payload[name] for name in names if payload.get(name) is not None}

    return export


def _received(payload: Payload) -> Payload:
    fields = ("organisation_id", "jurisdiction", "category", "received_on")
    count = payload["party_count"] if "party_count" in payload else len(payload["parties"])
    return {**{f: payload[f] for f in fields}, "party_count": count}


CASE_EVENTS = (
    PublicEvent(
        "MediationCase.Received",
        "org.gongzhi.mediationcase.received.v1",
        "A dispute was brought to an organisation's mediators. Its summary and parties are not "
        "published: only how many parties it has.",
        (
            required("organisation_id", ID),
            required("jurisdiction", TEXT),
            required("category", CASE_CATEGORIES),
            required("party_count", {**COUNT, "minimum": 2}),
            required("received_on", DATE),
        ),
        export=_received,
    ),
    PublicEvent(
        "MediationCase.Assigned",
        "org.gongzhi.mediationcase.assigned.v1",
        "A mediator (an active member with the mediator role) took the case.",
        (required("mediator_person_id", ID),),
    ),
    PublicEvent(
        "MediationCase.SessionHeld",
        "org.gongzhi.mediationcase.session_held.v1",
        "A mediation session was held (its note is not published).",
        (required("held_on", DATE),),
        export=_only("held_on"),
    ),
    PublicEvent(
        "MediationCase.AgreementSigned",
        "org.gongzhi.mediationcase.agreement_signed.v1",
        "The parties signed an agreement: the case is resolved (its text is not published).",
        (required("signed_on", DATE),),
        export=_only("signed_on"),
    ),
    PublicEvent(
        "MediationCase.Failed",
        "org.gongzhi.mediationcase.failed.v1",
        "Mediation failed: the case ended unresolved, perhaps referred elsewhere (a court, the "
        "petition office). The reason is not published.",
        (optional("referred_to", TEXT), required("ended_on", DATE)),
        export=_only("referred_to", "ended_on"),
    ),
    PublicEvent(
        "MediationCase.Withdrawn",
        "org.gongzhi.mediationcase.withdrawn.v1",
        "The case was withdrawn (the reason is not published).",
        (required("ended_on", DATE),),
        export=_only("ended_on"),
    ),
)

HAZARD_EVENTS = (
    PublicEvent(
        "Hazard.Reported",
        "org.gongzhi.hazard.reported.v1",
        "A hazard was found in a jurisdiction (down to the grid) and reported to an organisation.",
        (
            required("organisation_id", ID),
            required("jurisdiction", TEXT),
            required("category", HAZARD_CATEGORIES),
            required("location", TEXT),
            required("description", TEXT),
            required("found_on", DATE),
            optional("reported_by_person_id", ID),
        ),
    ),
    PublicEvent(
        "Hazard.Assigned",
        "org.gongzhi.hazard.assigned.v1",
        "Someone was made responsible for rectifying the hazard by a due date.",
        (required("person_id", ID), required("due_on", DATE)),
    ),
    PublicEvent(
        "Hazard.Rectified",
        "org.gongzhi.hazard.rectified.v1",
        "The hazard was rectified, awaiting verification.",
        (required("note", TEXT), required("rectified_on", DATE)),
    ),
    PublicEvent(
        "Hazard.Verified",
        "org.gongzhi.hazard.verified.v1",
        "The rectification was verified: `passed` closes the hazard, otherwise it is reopened.",
        (required("passed", FLAG), required("note", TEXT), required("verified_on", DATE)),
    ),
)
