"""A fund's public events: donations in, disbursements requested, approved, rejected, paid.
A donation made in a donor's name (rather than by a registered person) carries that name,
as the fund's public record does."""

from __future__ import annotations

from infra.kafka.contract.fields import ACTOR, DATE, FEN, FLAG, ID, TEXT, optional, required
from infra.kafka.contract.public_event import PublicEvent

EVENTS = (
    PublicEvent(
        "Fund.Opened",
        "org.gongzhi.fund.opened.v1",
        "An organisation opened a fund for the given purposes.",
        (
            required("organisation_id", {**ID, "description": "The organisation that owns the fund"}),
            required("name", TEXT),
            required("purposes", {"type": "array", "items": TEXT, "minItems": 1, "uniqueItems": True}),
            required("approvals_required", {"type": "integer", "minimum": 1, "maximum": 9}),
        ),
    ),
    PublicEvent(
        "Fund.DonationReceived",
        "org.gongzhi.fund.donation_received.v1",
        "A donation came in, from a registered person (`donor_person_id`) or a named donor "
        "(`donor_name`), for one purpose of the fund or for any.",
        (
            required("donation_id", ID),
            required("amount_fen", FEN),
            optional("donor_person_id", ID),
            optional("donor_name", TEXT),
            optional("purpose", TEXT),
            required("received_on", DATE),
        ),
        constraints={"oneOf": [{"required": ["donor_person_id"]}, {"required": ["donor_name"]}]},
    ),
    PublicEvent(
        "Fund.DisbursementRequested",
        "org.gongzhi.fund.disbursement_requested.v1",
        "Money was asked for, for one purpose of the fund, perhaps for a project.",
        (
            required("disbursement_id", ID),
            required("amount_fen", FEN),
            required("purpose", TEXT),
            required("payee", TEXT),
            optional("project_id", ID),
            required("requested_by", ACTOR),
            optional("resolution_id", {**ID, "description": "The spending resolution it draws on"}),
        ),
    ),
    PublicEvent(
        "Fund.DisbursementApproved",
        "org.gongzhi.fund.disbursement_approved.v1",
        "An approver approved a disbursement; `fully_approved` once it has every approval it needs.",
        (required("disbursement_id", ID), required("approver", ACTOR), required("fully_approved", FLAG)),
    ),
    PublicEvent(
        "Fund.DisbursementRejected",
        "org.gongzhi.fund.disbursement_rejected.v1",
        "A disbursement was rejected.",
        (required("disbursement_id", ID), required("reason", TEXT), required("rejected_by", ACTOR)),
    ),
    PublicEvent(
        "Fund.DisbursementPaid",
        "org.gongzhi.fund.disbursement_paid.v1",
        "An approved disbursement was paid out.",
        (
            required("disbursement_id", ID),
            required("amount_fen", FEN),
            required("paid_on", DATE),
            optional("reference", TEXT),
        ),
    ),
    PublicEvent(
        "Fund.ResolutionLimitSet",
        "org.gongzhi.fund.resolution_limit_set.v1",
        "Disbursements above `resolution_required_above_fen` now cite a passed spending "
        "resolution (none need one when it is absent).",
        (optional("resolution_required_above_fen", {"type": "integer", "minimum": 0}),),
    ),
)
