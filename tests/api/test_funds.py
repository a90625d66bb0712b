"""Funds: donations in, and disbursements out only once requested, approved by someone
other than the requester, and paid. Money is whole fen and the balance never goes negative."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

if TYPE_CHECKING:
    from tests.conftest import Api


def disbursement_of(api: Api, fund: str, disbursement: str) -> dict[str, Any]:
    state = api.get(f"/funds/{fund}")
    found: dict[str, Any] = next(d for d in state["disbursements"] if d["id"] == disbursement)
    return found


def money_of(api: Api, fund: str) -> tuple[int, int, int, int]:
    """(donated, paid, balance, available) in fen."""
    state = api.get(f"/funds/{fund}")
    return state["donated_fen"], state["paid_fen"], state["balance_fen"], state["available_fen"]


@pytest.fixture(scope="module")
def shared_fund(shared_api: Api) -> str:
    """For tests whose commands are all refused: one fund per module and backend."""
    fund = shared_api.fund()
    shared_api.donate(fund, 10_000)
    return fund


# Opening


def test_an_opened_fund_reads_back_empty(api: Api) -> None:
    owner = api.organisation()

    accepted = api.command(
        "/funds",
        {
            "organisation_id": owner,
            "name": "助学基金",
            "purposes": ["education", "scholarship"],
            "approvals_required": 2,
        },
        status=201,
    )

    assert accepted.keys() == {"id", "version", "position"}
    assert api.get(f"/funds/{accepted['id']}") == {
        "id": accepted["id"],
        "organisation_id": owner,
        "name": "助学基金",
        "purposes": ["education", "scholarship"],
        "approvals_required": 2,
        "balance_fen": 0,
        "available_fen": 0,
        "donated_fen": 0,
        "paid_fen": 0,
        "disbursements": [],
        "resolution_required_above_fen": None,
        "version": 1,
    }


def test_a_fund_of_an_inactive_organisation_is_a_conflict(api: Api) -> None:
    owner = api.organisation()
    api.suspend(owner)

    api.refuses(
        "/funds", {"organisation_id": owner, "name": "助学基金", "purposes": ["education"]}, status=409
    )


def test_an_invalid_fund_is_refused_naming_the_field(api: Api) -> None:
    owner = api.organisation()
    valid = {"organisation_id": owner, "name": "助学基金", "purposes": ["education"]}

    for change, field in [
        ({"organisation_id": str(uuid4())}, "organisation_id"),
        ({"organisation_id": api.person()}, "organisation_id"),
        ({"name": ""}, "name"),
        ({"name": "基" * 201}, "name"),
        ({"purposes": []}, "purposes"),
        ({"purposes": "education"}, "purposes"),
        ({"purposes": ["Education"]}, "purposes.0"),
        ({"purposes": ["education", "助学"]}, "purposes.1"),
        ({"purposes": ["education", "education"]}, "purposes"),
        ({"purposes": [f"p{i}" for i in range(31)]}, "purposes"),
        ({"approvals_required": 0}, "approvals_required"),
        ({"approvals_required": 10}, "approvals_required"),
        ({"approvals_required": "2"}, "approvals_required"),
        ({"balance_fen": 100}, "balance_fen"),
    ]:
        api.refuses("/funds", {**valid, **change}, status=422, field=field)


# Donations


def test_donations_add_to_the_balance(api: Api) -> None:
    fund = api.fund()
    donor = api.person("沈先生")

    first = api.command(
        f"/funds/{fund}/donations", {"amount_fen": 50_000, "donor_person_id": donor}, status=201
    )
    second = api.command(
        f"/funds/{fund}/donations",
        {"amount_fen": 1, "donor_name": "匿名", "purpose": "education", "received_on": "2024-05-04"},
        status=201,
    )

    assert first.keys() == second.keys() == {"id", "version", "position", "donation_id"}
    assert first["donation_id"] != second["donation_id"]
    assert (first["version"], second["version"]) == (2, 3)
    assert money_of(api, fund) == (50_001, 0, 50_001, 50_001)


@pytest.mark.parametrize(
    "amount",
    [0, -100, "1000", 10.0, 10.5, True, None, 10**13 + 1],
    ids=["zero", "negative", "string", "whole-float", "fraction", "boolean", "null", "too-large"],
)
def test_a_donation_of_an_invalid_amount_is_refused(shared_api: Api, shared_fund: str, amount: Any) -> None:
    shared_api.refuses(
        f"/funds/{shared_fund}/donations",
        {"amount_fen": amount, "donor_name": "匿名"},
        status=422,
        field="amount_fen",
    )


def test_a_donation_names_exactly_one_known_donor(api: Api) -> None:
    fund = api.fund()
    path = f"/funds/{fund}/donations"
    person = api.person()

    api.refuses(path, {"amount_fen": 100}, status=422, field="donor_person_id")
    api.refuses(path, {"amount_fen": 100, "donor_person_id": person, "donor_name": "沈先生"}, status=422)
    api.refuses(
        path, {"amount_fen": 100, "donor_person_id": str(uuid4())}, status=422, field="donor_person_id"
    )
    api.refuses(path, {"amount_fen": 100, "donor_person_id": fund}, status=422, field="donor_person_id")
    api.refuses(path, {"amount_fen": 100, "donor_name": "名" * 201}, status=422, field="donor_name")


def test_a_donation_with_a_bad_date_or_purpose_is_refused(api: Api) -> None:
    fund = api.fund(purposes=("elderly_care",))
    path = f"/funds/{fund}/donations"
    valid = {"amount_fen": 100, "donor_name": "匿名"}

    api.refuses(path, {**valid, "received_on": "2024-13-01"}, status=422, field="received_on")
    api.refuses(path, {**valid, "received_on": "04/05/2024"}, status=422, field="received_on")
    api.refuses(path, {**valid, "purpose": "Not A Purpose"}, status=422, field="purpose")
    problem = api.refuses(path, {**valid, "purpose": "education"}, status=409)
    assert problem["title"] == "Purpose not among the fund's purposes"


# Disbursements


def test_a_requested_disbursement_waits_for_approval(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    project = api.project()

    accepted = api.command(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 3_000, "purpose": "elderly_care", "payee": "康乐养老服务中心", "project_id": project},
        status=201,
        actor="secretary_li",
    )

    assert accepted.keys() == {"id", "version", "position", "disbursement_id"}
    assert disbursement_of(api, fund, accepted["disbursement_id"]) == {
        "id": accepted["disbursement_id"],
        "amount_fen": 3_000,
        "purpose": "elderly_care",
        "payee": "康乐养老服务中心",
        "project_id": project,
        "requested_by": "secretary_li",
        "status": "requested",
        "approvals": [],
        "resolution_id": None,
    }
    assert money_of(api, fund) == (10_000, 0, 10_000, 10_000)


def test_an_approved_and_paid_disbursement_leaves_the_fund(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 4_000, actor="secretary_li")

    api.approve(fund, disbursement, actor="chair_wang")
    assert disbursement_of(api, fund, disbursement)["status"] == "approved"
    assert money_of(api, fund) == (10_000, 0, 10_000, 6_000)

    paid = api.command(
        f"/funds/{fund}/disbursements/{disbursement}/payment",
        {"paid_on": "2024-06-01", "reference": "农商行 20240601-01"},
        actor="treasurer",
    )

    assert paid["version"] == 5
    assert disbursement_of(api, fund, disbursement)["status"] == "paid"
    assert money_of(api, fund) == (10_000, 4_000, 6_000, 6_000)


def test_a_request_beyond_the_available_balance_is_a_conflict(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    api.approve(fund, api.disbursement(fund, 7_000))

    problem = api.refuses(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 3_001, "purpose": "elderly_care", "payee": "某某"},
        status=409,
    )

    assert problem["title"] == "Insufficient available balance"


def test_approving_beyond_the_available_balance_is_a_conflict(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    first = api.disbursement(fund, 6_000)
    second = api.disbursement(fund, 6_000)
    api.approve(fund, first)

    api.refuses(f"/funds/{fund}/disbursements/{second}/approvals", actor="approver", status=409)

    assert money_of(api, fund) == (10_000, 0, 10_000, 4_000)


def test_a_request_for_an_unknown_purpose_is_a_conflict(api: Api) -> None:
    fund = api.fund(purposes=("elderly_care",))
    api.donate(fund, 10_000)

    api.refuses(
        f"/funds/{fund}/disbursements",
        {"amount_fen": 100, "purpose": "education", "payee": "某小学"},
        status=409,
    )


def test_an_invalid_request_is_refused_naming_the_field(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    valid = {"amount_fen": 100, "purpose": "elderly_care", "payee": "敬老院"}

    for change, field in [
        ({"amount_fen": 0}, "amount_fen"),
        ({"amount_fen": -1}, "amount_fen"),
        ({"amount_fen": "100"}, "amount_fen"),
        ({"purpose": ""}, "purpose"),
        ({"payee": ""}, "payee"),
        ({"payee": "收" * 201}, "payee"),
        ({"project_id": str(uuid4())}, "project_id"),
        ({"project_id": fund}, "project_id"),
        ({"project_id": 12}, "project_id"),
    ]:
        api.refuses(f"/funds/{fund}/disbursements", {**valid, **change}, status=422, field=field)


def test_the_requester_cannot_approve_their_own_request(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000, actor="secretary_li")

    problem = api.refuses(
        f"/funds/{fund}/disbursements/{disbursement}/approvals", actor="secretary_li", status=409
    )

    assert problem["title"] == "The requester cannot approve their own request"


def test_a_fund_needing_two_approvals_refuses_the_same_approver_twice(api: Api) -> None:
    fund = api.fund(approvals_required=2)
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000)
    path = f"/funds/{fund}/disbursements/{disbursement}/approvals"
    api.approve(fund, disbursement, actor="chair_wang")
    assert disbursement_of(api, fund, disbursement)["status"] == "requested"

    problem = api.refuses(path, actor="chair_wang", status=409)
    assert problem["title"] == "This actor has already approved the request"

    api.approve(fund, disbursement, actor="vice_chair_zhao")
    assert disbursement_of(api, fund, disbursement)["approvals"] == ["chair_wang", "vice_chair_zhao"]
    assert disbursement_of(api, fund, disbursement)["status"] == "approved"


def test_an_approved_disbursement_cannot_be_approved_again(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000)
    api.approve(fund, disbursement)

    api.refuses(f"/funds/{fund}/disbursements/{disbursement}/approvals", actor="another_approver", status=409)


def test_an_approval_takes_no_fields(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000)

    api.refuses(
        f"/funds/{fund}/disbursements/{disbursement}/approvals",
        {"approved": True},
        status=422,
        field="approved",
    )


def test_a_rejection_releases_what_an_approval_reserved(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    requested = api.disbursement(fund, 1_000)
    approved = api.disbursement(fund, 2_000)
    api.approve(fund, approved)
    assert money_of(api, fund)[3] == 8_000

    for disbursement in (requested, approved):
        api.command(f"/funds/{fund}/disbursements/{disbursement}/rejection", {"reason": "票据不全"})
        assert disbursement_of(api, fund, disbursement)["status"] == "rejected"

    assert money_of(api, fund) == (10_000, 0, 10_000, 10_000)
    api.refuses(f"/funds/{fund}/disbursements/{approved}/payment", {}, status=409)
    api.refuses(f"/funds/{fund}/disbursements/{approved}/approvals", status=409)


def test_a_paid_or_rejected_disbursement_cannot_be_rejected(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    paid = api.disbursement(fund, 1_000)
    api.approve(fund, paid)
    api.pay(fund, paid)
    rejected = api.disbursement(fund, 1_000)
    api.command(f"/funds/{fund}/disbursements/{rejected}/rejection", {"reason": "重复申请"})

    for disbursement in (paid, rejected):
        api.refuses(f"/funds/{fund}/disbursements/{disbursement}/rejection", {"reason": "反悔"}, status=409)


def test_a_rejection_needs_a_reason(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000)
    path = f"/funds/{fund}/disbursements/{disbursement}/rejection"

    api.refuses(path, {}, status=422, field="reason")
    api.refuses(path, {"reason": "  "}, status=422, field="reason")


def test_only_an_approved_disbursement_is_paid_and_only_once(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000)
    path = f"/funds/{fund}/disbursements/{disbursement}/payment"

    api.refuses(path, {}, status=409)
    api.approve(fund, disbursement)
    api.pay(fund, disbursement)
    api.refuses(path, {}, status=409)

    assert money_of(api, fund) == (10_000, 1_000, 9_000, 9_000)


def test_an_invalid_payment_is_refused_naming_the_field(api: Api) -> None:
    fund = api.fund()
    api.donate(fund, 10_000)
    disbursement = api.disbursement(fund, 1_000)
    api.approve(fund, disbursement)
    path = f"/funds/{fund}/disbursements/{disbursement}/payment"

    api.refuses(path, {"paid_on": "2024-02-30"}, status=422, field="paid_on")
    api.refuses(path, {"paid_on": "soon"}, status=422, field="paid_on")
    api.refuses(path, {"reference": "号" * 201}, status=422, field="reference")
    api.refuses(path, {"amount_fen": 1_000}, status=422, field="amount_fen")
    api.refuses(path, None, status=422, field="body")
