"""Public events of volunteer activities, organisations' points books and dividends."""

from __future__ import annotations

from infra.kafka.contract.fields import ACTOR, DATE, FEN, ID, TEXT, Schema, optional, required
from infra.kafka.contract.public_event import PublicEvent

POINTS: Schema = {"type": "integer", "description": "Points (negative for a deduction)"}
REASONS: Schema = {"type": "array", "items": TEXT, "uniqueItems": True}

ACTIVITY_EVENTS = (
    PublicEvent(
        "Activity.Held",
        "org.gongzhi.activity.held.v1",
        "An organisation held a volunteer activity.",
        (
            required("organisation_id", ID),
            required("title", TEXT),
            required("category", TEXT),
            required("held_on", DATE),
            required("jurisdiction", TEXT),
        ),
    ),
)

BOOK_EVENTS = (
    PublicEvent(
        "PointsBook.Opened",
        "org.gongzhi.pointsbook.opened.v1",
        "An organisation's points book was opened with its rate per hour of service and its reasons.",
        (
            required("organisation_id", ID),
            required("points_per_hour", {"type": "integer", "minimum": 0}),
            optional("additions", REASONS),
            optional("deductions", REASONS),
        ),
    ),
    PublicEvent(
        "PointsBook.SettingsChanged",
        "org.gongzhi.pointsbook.settings_changed.v1",
        "The organisation changed its rate per hour of service or its reasons.",
        (
            required("points_per_hour", {"type": "integer", "minimum": 0}),
            required("additions", REASONS),
            required("deductions", REASONS),
        ),
    ),
    PublicEvent(
        "PointsBook.ServiceRecorded",
        "org.gongzhi.pointsbook.service_recorded.v1",
        "A volunteer's service at an activity was recorded, pending confirmation.",
        (
            required("service_id", ID),
            required("activity_id", ID),
            required("jurisdiction", TEXT),
            required("person_id", ID),
            required("minutes", {"type": "integer", "minimum": 1, "maximum": 1440}),
            required("held_on", DATE),
            required("recorded_by", ACTOR),
        ),
    ),
    PublicEvent(
        "PointsBook.ServiceConfirmed",
        "org.gongzhi.pointsbook.service_confirmed.v1",
        "An officer other than its recorder and its volunteer confirmed the service: it earned `points`.",
        (
            required("service_id", ID),
            required("person_id", ID),
            required("minutes", {"type": "integer", "minimum": 1}),
            required("points", {"type": "integer", "minimum": 0}),
            required("confirmed_by", ACTOR),
        ),
    ),
    PublicEvent(
        "PointsBook.Adjusted",
        "org.gongzhi.pointsbook.adjusted.v1",
        "Points were added or deducted for one of the organisation's reasons.",
        (
            required("person_id", ID),
            required("points", POINTS),
            required("reason", TEXT),
            optional("note", TEXT),
            required("on", DATE),
        ),
    ),
    PublicEvent(
        "PointsBook.Redeemed",
        "org.gongzhi.pointsbook.redeemed.v1",
        "A member redeemed points for a reward.",
        (
            required("person_id", ID),
            required("points", {"type": "integer", "minimum": 1}),
            required("reward", TEXT),
            required("on", DATE),
        ),
    ),
)

DIVIDEND_EVENTS = (
    PublicEvent(
        "Dividend.Declared",
        "org.gongzhi.dividend.declared.v1",
        "A dividend was shared among the organisation's members: `points_fen` pro rata to points "
        "balances on `as_of`, the rest equally. Each allocation is [person_id, points, points_fen, "
        "equal_fen]; they add up to `total_fen`.",
        (
            required("organisation_id", ID),
            required("total_fen", FEN),
            required("points_share", {"type": "string", "pattern": "^[01](\\.[0-9]+)?$"}),
            required("as_of", DATE),
            required("points_fen", {"type": "integer", "minimum": 0}),
            required(
                "allocations",
                {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "array",
                        "items": [
                            ID,
                            {"type": "integer"},
                            {"type": "integer", "minimum": 0},
                            {"type": "integer", "minimum": 0},
                        ],
                        "minItems": 4,
                        "maxItems": 4,
                    },
                },
            ),
        ),
    ),
)
