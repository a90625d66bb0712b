"""A meeting's public events: scheduled, opened with its electorate and rules, motions
proposed, votes cast, motions closed with their tallies, the meeting closed with its
minutes, and the reservations that disbursements make of its spending resolutions.
People are named by id only."""

from __future__ import annotations

from infra.kafka.contract.fields import (
    DATE,
    FEN,
    FLAG,
    ID,
    TEXT,
    Schema,
    optional,
    required,
)
from infra.kafka.contract.public_event import PublicEvent

IDS: Schema = {"type": "array", "items": ID}
THRESHOLD: Schema = {
    "type": "object",
    "properties": {
        "numerator": {"type": "integer", "minimum": 1},
        "denominator": {"type": "integer", "minimum": 2},
        "inclusive": FLAG,
    },
    "required": ["numerator", "denominator", "inclusive"],
    "additionalProperties": False,
}
RULES: Schema = {
    "type": "object",
    "description": "Thresholds are fractions met by reaching them (inclusive) or only by passing them",
    "properties": {
        "quorum": THRESHOLD,
        "ordinary_majority": THRESHOLD,
        "special_majority": THRESHOLD,
        "term_months": {"type": "integer", "minimum": 1},
        "term_limit": {"type": "integer", "minimum": 1},
    },
    "required": ["quorum", "ordinary_majority", "special_majority", "term_months", "term_limit"],
    "additionalProperties": False,
}
OFFICES: Schema = {
    "type": "string",
    "enum": ["chair", "vice_chair", "secretary", "treasurer", "standing_member"],
}
MEETING_KINDS: Schema = {"type": "string", "enum": ["members_assembly", "committee"]}
MOTION_KINDS: Schema = {"type": "string", "enum": ["ordinary", "special", "spending", "election"]}
VOTE_CHOICES: Schema = {"type": "string", "enum": ["yes", "no", "abstain"]}
OUTCOMES: Schema = {"type": "string", "enum": ["passed", "rejected"]}
SPENDING: Schema = {
    "type": "object",
    "properties": {"fund_id": ID, "amount_fen": FEN, "purpose": TEXT},
    "required": ["fund_id", "amount_fen", "purpose"],
    "additionalProperties": False,
}
ELECTION: Schema = {
    "type": "object",
    "properties": {
        "office": OFFICES,
        "seats": {"type": "integer", "minimum": 1},
        "candidates": {**IDS, "minItems": 1, "uniqueItems": True},
    },
    "required": ["office", "seats", "candidates"],
    "additionalProperties": False,
}
TALLY: Schema = {
    "type": "object",
    "description": "yes, no, abstain and present; for an election, each candidate's votes",
    "additionalProperties": {"type": "integer", "minimum": 0},
}

EVENTS = (
    PublicEvent(
        "Meeting.Scheduled",
        "org.gongzhi.meeting.scheduled.v1",
        "An organisation scheduled a members' assembly or a committee meeting.",
        (
            required("organisation_id", {**ID, "description": "The organisation that meets"}),
            required("title", TEXT),
            required("kind", MEETING_KINDS),
            required("scheduled_for", DATE),
        ),
    ),
    PublicEvent(
        "Meeting.Opened",
        "org.gongzhi.meeting.opened.v1",
        "The meeting opened: its electorate frozen, who was present, the rules in force; "
        "`quorate` false when it was inquorate (it then takes no motions).",
        (
            required("electorate", IDS),
            required("present", IDS),
            required("rules", RULES),
            required("quorate", FLAG),
        ),
    ),
    PublicEvent(
        "Meeting.MotionProposed",
        "org.gongzhi.meeting.motion_proposed.v1",
        "A motion was put to the meeting: a spending motion says what it spends, an election "
        "the office, seats and candidates.",
        (
            required("motion_id", ID),
            required("title", TEXT),
            required("text", TEXT),
            required("kind", MOTION_KINDS),
            optional("spending", SPENDING),
            optional("election", ELECTION),
        ),
    ),
    PublicEvent(
        "Meeting.VoteCast",
        "org.gongzhi.meeting.vote_cast.v1",
        "A person present voted: a `choice` on a motion, or the `candidates` chosen in an election.",
        (
            required("motion_id", ID),
            required("person_id", ID),
            optional("choice", VOTE_CHOICES),
            optional("candidates", IDS),
        ),
    ),
    PublicEvent(
        "Meeting.MotionClosed",
        "org.gongzhi.meeting.motion_closed.v1",
        "The votes were counted: the outcome, the tally and, for an election, who was elected.",
        (
            required("motion_id", ID),
            required("outcome", OUTCOMES),
            required("tally", TALLY),
            optional("elected", IDS),
        ),
    ),
    PublicEvent(
        "Meeting.Closed",
        "org.gongzhi.meeting.closed.v1",
        "The meeting closed with its minutes.",
        (required("minutes", TEXT),),
    ),
    PublicEvent(
        "Meeting.ResolutionReserved",
        "org.gongzhi.meeting.resolution_reserved.v1",
        "A disbursement request reserved part of a passed spending resolution.",
        (required("motion_id", ID), required("disbursement_id", ID), required("amount_fen", FEN)),
    ),
    PublicEvent(
        "Meeting.ResolutionReleased",
        "org.gongzhi.meeting.resolution_released.v1",
        "A rejected disbursement released what it had reserved of a resolution.",
        (required("motion_id", ID), required("disbursement_id", ID), required("amount_fen", FEN)),
    ),
)
