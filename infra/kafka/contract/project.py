"""A public-welfare project's public events, from proposal to completion or cancellation."""

from __future__ import annotations

from infra.kafka.contract.fields import ID, TEXT, optional, required
from infra.kafka.contract.public_event import PublicEvent

EVENTS = (
    PublicEvent(
        "Project.Proposed",
        "org.gongzhi.project.proposed.v1",
        "A public-welfare project was proposed by its lead organisation.",
        (
            required("title", TEXT),
            required("category", TEXT),
            required("lead_organisation_id", ID),
            required("partner_organisation_ids", {"type": "array", "items": ID, "uniqueItems": True}),
            optional("budget_fen", {"type": "integer", "minimum": 0, "description": "Money in fen"}),
            optional("description", TEXT),
        ),
    ),
    PublicEvent("Project.Approved", "org.gongzhi.project.approved.v1", "The project was approved.", ()),
    PublicEvent("Project.Started", "org.gongzhi.project.started.v1", "The project started.", ()),
    PublicEvent(
        "Project.ProgressReported",
        "org.gongzhi.project.progress_reported.v1",
        "Progress was reported, with the people it reached since the last report.",
        (required("note", TEXT), required("beneficiaries", {"type": "integer", "minimum": 0})),
    ),
    PublicEvent(
        "Project.Completed",
        "org.gongzhi.project.completed.v1",
        "The project was completed.",
        (required("outcome", TEXT),),
    ),
    PublicEvent(
        "Project.Cancelled",
        "org.gongzhi.project.cancelled.v1",
        "The project was cancelled.",
        (required("reason", TEXT),),
    ),
)
