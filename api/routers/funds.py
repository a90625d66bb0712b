from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Application, CommandsDep, IfNoneMatch
from api.public import fund_public
from api.responses import PROBLEM_RESPONSES, OrjsonResponse, accepted, with_etag
from api.schemas import (
    CommandAccepted,
    DisbursementAccepted,
    DisbursementCreate,
    DonationAccepted,
    DonationCreate,
    Empty,
    FundCreate,
    FundPublic,
    Payment,
    WithReason,
)
from domain.fund import Fund

router = APIRouter(prefix="/funds", tags=["funds"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=201, response_model=CommandAccepted)
async def open_fund(body: FundCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.open_fund,
        body.organisation_id,
        body.name,
        body.purposes,
        body.approvals_required,
        body.resolution_required_above_fen,
    )
    return accepted(result, 201)


@router.get("/{fund_id}", response_model=FundPublic)
def get_fund(fund_id: UUID, app: Application, if_none_match: IfNoneMatch = None) -> Response:
    fund = app.read(Fund, fund_id)
    return with_etag(fund_public(fund), fund.version, if_none_match)


@router.post("/{fund_id}/donations", status_code=201, response_model=DonationAccepted)
async def receive_donation(fund_id: UUID, body: DonationCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.receive_donation,
        fund_id,
        body.amount_fen,
        body.donor_person_id,
        body.donor_name,
        body.purpose,
        body.received_on,
    )
    return accepted(result, 201)


@router.post("/{fund_id}/disbursements", status_code=201, response_model=DisbursementAccepted)
async def request_disbursement(fund_id: UUID, body: DisbursementCreate, run: CommandsDep) -> OrjsonResponse:
    result = await run(
        run.application.request_disbursement,
        fund_id,
        body.amount_fen,
        body.purpose,
        body.payee,
        body.project_id,
        body.resolution_id,
    )
    return accepted(result, 201)


@router.post("/{fund_id}/disbursements/{disbursement_id}/approvals", response_model=CommandAccepted)
async def approve_disbursement(
    fund_id: UUID, disbursement_id: UUID, run: CommandsDep, body: Empty | None = None
) -> OrjsonResponse:
    return accepted(await run(run.application.approve_disbursement, fund_id, disbursement_id))


@router.post("/{fund_id}/disbursements/{disbursement_id}/rejection", response_model=CommandAccepted)
async def reject_disbursement(
    fund_id: UUID, disbursement_id: UUID, body: WithReason, run: CommandsDep
) -> OrjsonResponse:
    app = run.application
    return accepted(await run(app.reject_disbursement, fund_id, disbursement_id, body.reason))


@router.post("/{fund_id}/disbursements/{disbursement_id}/payment", response_model=CommandAccepted)
async def pay_disbursement(
    fund_id: UUID, disbursement_id: UUID, body: Payment, run: CommandsDep
) -> OrjsonResponse:
    app = run.application
    result = await run(app.pay_disbursement, fund_id, disbursement_id, body.paid_on, body.reference)
    return accepted(result)
