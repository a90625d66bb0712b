"""Every public event of the contract, found by its internal or its public type, and the topics."""

from __future__ import annotations

from infra.kafka.contract import casework, fund, meeting, organisation, person, project, volunteering
from infra.kafka.contract.fields import Schema
from infra.kafka.contract.public_event import PublicEvent

CONTRACT_VERSION = "1.0.0"

TOPICS = (
    "gongzhi.person",
    "gongzhi.organisation",
    "gongzhi.project",
    "gongzhi.fund",
    "gongzhi.meeting",
    "gongzhi.mediationcase",
    "gongzhi.hazard",
    "gongzhi.activity",
    "gongzhi.pointsbook",
    "gongzhi.dividend",
)
DEAD_LETTER_TOPIC = "gongzhi.deadletter"
CHECKPOINT_TOPIC = "gongzhi.audit.checkpoints"

CONTRACT: tuple[PublicEvent, ...] = (
    *person.EVENTS,
    *organisation.EVENTS,
    *project.EVENTS,
    *fund.EVENTS,
    *meeting.EVENTS,
    *casework.CASE_EVENTS,
    *casework.HAZARD_EVENTS,
    *volunteering.ACTIVITY_EVENTS,
    *volunteering.BOOK_EVENTS,
    *volunteering.DIVIDEND_EVENTS,
)

BY_INTERNAL_TYPE = {event.internal_type: event for event in CONTRACT}
BY_PUBLIC_TYPE = {event.public_type: event for event in CONTRACT}


def public_event(internal_type: str) -> PublicEvent | None:
    return BY_INTERNAL_TYPE.get(internal_type)


def json_schemas() -> dict[str, Schema]:
    """Public type → JSON Schema of its payload."""
    return {event.public_type: event.schema() for event in CONTRACT}
