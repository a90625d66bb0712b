"""An organisation's public events: its register, its members, its place in a council
(whose own id is then ``council_id``, the member unit's ``organisation_id``)."""

from __future__ import annotations

from infra.kafka.contract.fields import (
    DATE,
    DEPARTURE_REASONS,
    ID,
    MEMBER_CATEGORIES,
    ORGANISATION_KINDS,
    ROLES,
    TEXT,
    optional,
    required,
)
from infra.kafka.contract.meeting import IDS, MOTION_KINDS, OFFICES, RULES
from infra.kafka.contract.public_event import PublicEvent

EVENTS = (
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
    PublicEvent(
        "Organisation.RulesChanged",
        "org.gongzhi.organisation.rules_changed.v1",
        "The organisation's governance rules changed, by the special motion `motion_id` or an admin.",
        (required("rules", RULES), optional("motion_id", ID)),
    ),
    PublicEvent(
        "Organisation.ResolutionRecorded",
        "org.gongzhi.organisation.resolution_recorded.v1",
        "A motion passed at one of the organisation's meetings is one of its resolutions.",
        (required("motion_id", ID), required("meeting_id", ID), required("kind", MOTION_KINDS)),
    ),
    PublicEvent(
        "Organisation.OfficeHandedOver",
        "org.gongzhi.organisation.office_handed_over.v1",
        "An election (`motion_id`) handed an office over: the terms of those `ended` ended and "
        "those `elected` serve from `term_start` to `term_end`, seats they do not fill stay vacant; "
        "`roles` are the roles of the members concerned now.",
        (
            required("office", OFFICES),
            required("seats", {"type": "integer", "minimum": 1}),
            required("elected", IDS),
            required("ended", IDS),
            required("term_start", DATE),
            required("term_end", DATE),
            required("motion_id", ID),
            required("roles", {"type": "object", "additionalProperties": TEXT}),
        ),
    ),
)
