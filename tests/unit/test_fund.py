"""Stories of a fund: people give, someone asks to spend, others approve, the treasurer pays."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from domain.errors import (
    DomainError,
    DuplicateApproval,
    IllegalTransition,
    InsufficientFunds,
    InvalidValue,
    NotFound,
    SelfApproval,
    UnknownPurpose,
)
from domain.fund import MAX_APPROVALS_REQUIRED, Fund

ORGANISATION = str(uuid4())
PURPOSES = ["elder_care", "scholarship"]
TODAY = "2024-05-01"
REQUESTER = "secretary-wang"
TREASURER = "treasurer-li"
AUDITOR = "auditor-zhang"


def open_fund(approvals_required: int = 1, purposes: list[str] | None = None) -> Fund:
    return Fund.open(ORGANISATION, "乡贤基金", purposes or PURPOSES, approvals_required)


def donate(fund: Fund, amount_fen: int, purpose: str | None = None) -> None:
    fund.receive_donation(str(uuid4()), amount_fen, None, "沈先生", purpose, TODAY)


def funded(amount_fen: int, approvals_required: int = 1) -> Fund:
    fund = open_fund(approvals_required)
    donate(fund, amount_fen)
    return fund


def request(fund: Fund, amount_fen: int, requested_by: str = REQUESTER) -> str:
    disbursement_id = str(uuid4())
    fund.request_disbursement(disbursement_id, amount_fen, "elder_care", "敬老院", None, requested_by)
    return disbursement_id


def approved(fund: Fund, amount_fen: int) -> str:
    disbursement_id = request(fund, amount_fen)
    fund.approve_disbursement(disbursement_id, TREASURER)
    return disbursement_id


def status_of(fund: Fund, disbursement_id: str) -> str:
    return fund.disbursement(disbursement_id).status


# Opening a fund


def test_a_new_fund_is_empty() -> None:
    fund = open_fund(approvals_required=2)

    assert fund.organisation_id == ORGANISATION
    assert fund.purposes == PURPOSES
    assert fund.approvals_required == 2
    assert (fund.balance_fen, fund.available_fen, fund.reserved_fen) == (0, 0, 0)


@pytest.mark.parametrize("purposes", [[], [""], ["elder_care", "  "], ["elder_care", "elder_care"]])
def test_a_fund_needs_distinct_non_blank_purposes(purposes: list[str]) -> None:
    with pytest.raises(InvalidValue) as refusal:
        Fund.open(ORGANISATION, "乡贤基金", purposes)

    assert refusal.value.field == "purposes"


def test_a_fund_needs_a_name() -> None:
    with pytest.raises(InvalidValue) as refusal:
        Fund.open(ORGANISATION, " ", PURPOSES)

    assert refusal.value.field == "name"


@pytest.mark.parametrize("approvals_required", [1, MAX_APPROVALS_REQUIRED])
def test_a_fund_may_require_from_one_to_nine_approvals(approvals_required: int) -> None:
    assert open_fund(approvals_required).approvals_required == approvals_required


@pytest.mark.parametrize("approvals_required", [-1, 0, MAX_APPROVALS_REQUIRED + 1])
def test_a_fund_requiring_no_approval_or_too_many_is_refused(approvals_required: int) -> None:
    with pytest.raises(InvalidValue) as refusal:
        open_fund(approvals_required)

    assert refusal.value.field == "approvals_required"


# Donations


def test_donations_add_up_exactly_in_fen() -> None:
    fund = open_fund()

    donate(fund, 100_000_01)
    fund.receive_donation(str(uuid4()), 50, str(uuid4()), None, "scholarship", TODAY)

    assert fund.donated_fen == 100_000_51
    assert fund.balance_fen == 100_000_51
    assert fund.available_fen == 100_000_51


@pytest.mark.parametrize("amount_fen", [0, -500, 1.5, True])
def test_a_donation_must_be_a_positive_whole_number_of_fen(amount_fen: int) -> None:
    fund = open_fund()

    with pytest.raises(InvalidValue) as refusal:
        donate(fund, amount_fen)

    assert refusal.value.field == "amount_fen"
    assert (fund.version, fund.donated_fen) == (1, 0)


@pytest.mark.parametrize(
    ("donor_person_id", "donor_name"), [(None, None), (str(uuid4()), "沈先生")], ids=["none", "both"]
)
def test_a_donation_names_exactly_one_donor(donor_person_id: str | None, donor_name: str | None) -> None:
    fund = open_fund()

    with pytest.raises(InvalidValue):
        fund.receive_donation(str(uuid4()), 1000, donor_person_id, donor_name, None, TODAY)

    assert (fund.version, fund.donated_fen) == (1, 0)


def test_a_donation_for_a_purpose_the_fund_does_not_serve_is_refused() -> None:
    fund = open_fund()

    with pytest.raises(UnknownPurpose):
        donate(fund, 1000, purpose="banquet")

    assert fund.donated_fen == 0


# Requests


def test_a_request_may_ask_for_everything_available() -> None:
    fund = funded(10_000)

    disbursement_id = request(fund, 10_000)

    assert status_of(fund, disbursement_id) == "requested"
    assert fund.disbursement(disbursement_id).requested_by == REQUESTER


def test_a_request_over_what_is_available_is_refused() -> None:
    fund = funded(10_000)
    approved(fund, 6_000)
    version = fund.version

    with pytest.raises(InsufficientFunds):
        request(fund, 4_001)

    assert fund.version == version
    assert len(fund.disbursements) == 1


def test_a_request_for_an_unknown_purpose_is_refused() -> None:
    fund = funded(10_000)

    with pytest.raises(UnknownPurpose):
        fund.request_disbursement(str(uuid4()), 100, "banquet", "饭店", None, REQUESTER)

    assert fund.disbursements == {}


@pytest.mark.parametrize("amount_fen", [0, -1])
def test_a_request_must_ask_for_a_positive_amount(amount_fen: int) -> None:
    fund = funded(10_000)

    with pytest.raises(InvalidValue):
        request(fund, amount_fen)

    assert fund.disbursements == {}


# Approvals


def test_an_approved_request_reserves_its_amount() -> None:
    fund = funded(10_000)

    disbursement_id = approved(fund, 3_000)

    assert status_of(fund, disbursement_id) == "approved"
    assert fund.disbursement(disbursement_id).approvals == [TREASURER]
    assert (fund.balance_fen, fund.reserved_fen, fund.available_fen) == (10_000, 3_000, 7_000)


def test_the_requester_cannot_approve_their_own_request() -> None:
    fund = funded(10_000)
    disbursement_id = request(fund, 3_000)
    version = fund.version

    with pytest.raises(SelfApproval):
        fund.approve_disbursement(disbursement_id, REQUESTER)

    assert fund.version == version
    assert status_of(fund, disbursement_id) == "requested"


def test_two_required_approvals_must_come_from_two_different_people() -> None:
    fund = funded(10_000, approvals_required=2)
    disbursement_id = request(fund, 3_000)

    fund.approve_disbursement(disbursement_id, TREASURER)
    assert status_of(fund, disbursement_id) == "requested"
    assert fund.reserved_fen == 0

    with pytest.raises(DuplicateApproval):
        fund.approve_disbursement(disbursement_id, TREASURER)
    assert status_of(fund, disbursement_id) == "requested"

    fund.approve_disbursement(disbursement_id, AUDITOR)
    assert status_of(fund, disbursement_id) == "approved"
    assert fund.disbursement(disbursement_id).approvals == [TREASURER, AUDITOR]


def test_an_approved_request_cannot_be_approved_again() -> None:
    fund = funded(10_000)
    disbursement_id = approved(fund, 3_000)

    with pytest.raises(IllegalTransition):
        fund.approve_disbursement(disbursement_id, AUDITOR)

    assert fund.disbursement(disbursement_id).approvals == [TREASURER]


def test_an_approval_that_would_overdraw_the_fund_is_refused() -> None:
    fund = funded(10_000)
    first, second = request(fund, 6_000), request(fund, 6_000)
    fund.approve_disbursement(first, TREASURER)

    with pytest.raises(InsufficientFunds):
        fund.approve_disbursement(second, TREASURER)

    assert status_of(fund, second) == "requested"
    assert fund.available_fen == 4_000


def test_an_unknown_disbursement_is_not_found() -> None:
    fund = funded(10_000)

    with pytest.raises(NotFound):
        fund.approve_disbursement(str(uuid4()), TREASURER)


# Payments and rejections


def test_paying_an_approved_disbursement_takes_the_money_out() -> None:
    fund = funded(10_000)
    disbursement_id = approved(fund, 3_000)

    fund.pay_disbursement(disbursement_id, TODAY, "银行流水 0042")

    assert status_of(fund, disbursement_id) == "paid"
    assert (fund.donated_fen, fund.paid_fen, fund.balance_fen) == (10_000, 3_000, 7_000)
    assert (fund.reserved_fen, fund.available_fen) == (0, 7_000)


def test_a_request_not_yet_approved_cannot_be_paid() -> None:
    fund = funded(10_000, approvals_required=2)
    disbursement_id = request(fund, 3_000)
    fund.approve_disbursement(disbursement_id, TREASURER)

    with pytest.raises(IllegalTransition):
        fund.pay_disbursement(disbursement_id, TODAY, None)

    assert fund.paid_fen == 0


def test_a_disbursement_is_paid_only_once() -> None:
    fund = funded(10_000)
    disbursement_id = approved(fund, 3_000)
    fund.pay_disbursement(disbursement_id, TODAY, None)

    with pytest.raises(IllegalTransition):
        fund.pay_disbursement(disbursement_id, TODAY, None)

    assert fund.balance_fen == 7_000


@pytest.mark.parametrize("approve_first", [False, True], ids=["requested", "approved"])
def test_a_rejected_disbursement_cannot_be_paid(approve_first: bool) -> None:
    fund = funded(10_000)
    disbursement_id = approved(fund, 3_000) if approve_first else request(fund, 3_000)

    fund.reject_disbursement(disbursement_id, "票据不全", AUDITOR)
    assert status_of(fund, disbursement_id) == "rejected"
    assert fund.available_fen == 10_000

    with pytest.raises(IllegalTransition):
        fund.pay_disbursement(disbursement_id, TODAY, None)
    assert fund.balance_fen == 10_000


REFUSED_AFTER_CLOSING: dict[str, Callable[[Fund, str], None]] = {
    "approve": lambda fund, d: fund.approve_disbursement(d, AUDITOR),
    "reject": lambda fund, d: fund.reject_disbursement(d, "again", AUDITOR),
}


@pytest.mark.parametrize("closing", ["paid", "rejected"])
@pytest.mark.parametrize("command", REFUSED_AFTER_CLOSING.values(), ids=REFUSED_AFTER_CLOSING)
def test_a_paid_or_rejected_disbursement_is_closed(
    closing: str, command: Callable[[Fund, str], None]
) -> None:
    fund = funded(10_000)
    disbursement_id = approved(fund, 3_000)
    if closing == "paid":
        fund.pay_disbursement(disbursement_id, TODAY, None)
    else:
        fund.reject_disbursement(disbursement_id, "票据不全", AUDITOR)
    version = fund.version

    with pytest.raises(IllegalTransition):
        command(fund, disbursement_id)

    assert fund.version == version
    assert status_of(fund, disbursement_id) == closing


# Property: no sequence of commands overdraws a fund


ACTORS = ["wang", "li", "zhang", "zhao", "chen", "liu"]
# Round sums as people give them, plus any odd amount of fen.
GIFTS = st.sampled_from([100, 1_000, 5_000]) | st.integers(1, 5_000)
# A request asks for a share of what is available now; above 100% it must be refused.
SHARES_PERCENT = st.sampled_from([50, 75, 100, 101]) | st.integers(1, 120)


def state_of(fund: Fund) -> tuple[object, ...]:
    return (
        fund.version,
        fund.donated_fen,
        fund.paid_fen,
        {d.id: (d.status, tuple(d.approvals)) for d in fund.disbursements.values()},
    )


class FundStory(RuleBasedStateMachine):
    """Gifts, requests, approvals, rejections and payments in any order.

    The machine keeps its own tally of what went in and out, and checks that
    every refused command raised a domain error and left the fund untouched.
    """

    requests = Bundle("requests")

    @initialize(approvals_required=st.integers(1, 3))
    def open(self, approvals_required: int) -> None:
        self.fund = open_fund(approvals_required)
        self.donated_fen = 0
        self.paid_fen = 0

    def attempt(self, command: Callable[[], None]) -> bool:
        version, before = self.fund.version, state_of(self.fund)
        try:
            command()
        except DomainError:
            assert state_of(self.fund) == before, "a refused command changed the fund"
            return False
        assert self.fund.version == version + 1
        return True

    @rule(amount_fen=GIFTS)
    def give(self, amount_fen: int) -> None:
        if self.attempt(lambda: donate(self.fund, amount_fen)):
            self.donated_fen += amount_fen

    @precondition(lambda story: story.fund.available_fen > 0)
    @rule(target=requests, share=SHARES_PERCENT, requester=st.sampled_from(ACTORS))
    def ask(self, share: int, requester: str) -> str | MultipleResults[str]:
        disbursement_id = str(uuid4())
        amount_fen = -(-self.fund.available_fen * share // 100)  # rounded up, so at least 1
        asked = self.attempt(
            lambda: self.fund.request_disbursement(
                disbursement_id, amount_fen, "elder_care", "敬老院", None, requester
            )
        )
        return disbursement_id if asked else multiple()

    @rule(disbursement_id=requests, pick=st.integers(0, len(ACTORS) - 1))
    def approve(self, disbursement_id: str, pick: int) -> None:
        request = self.fund.disbursement(disbursement_id)
        others = [a for a in ACTORS if a != request.requested_by and a not in request.approvals]
        self.attempt(lambda: self.fund.approve_disbursement(disbursement_id, others[pick % len(others)]))

    @rule(disbursement_id=requests)
    def reject(self, disbursement_id: str) -> None:
        self.attempt(lambda: self.fund.reject_disbursement(disbursement_id, "不符合用途", "auditor"))

    @rule(disbursement_id=requests)
    def pay(self, disbursement_id: str) -> None:
        amount_fen = self.fund.disbursement(disbursement_id).amount_fen
        if self.attempt(lambda: self.fund.pay_disbursement(disbursement_id, TODAY, None)):
            self.paid_fen += amount_fen

    @invariant()
    def never_overdrawn(self) -> None:
        assert self.fund.donated_fen == self.donated_fen
        assert self.fund.paid_fen == self.paid_fen
        assert self.fund.balance_fen == self.donated_fen - self.paid_fen
        assert self.fund.balance_fen >= 0
        assert self.fund.available_fen >= 0

    def teardown(self) -> None:
        if not hasattr(self, "fund"):
            return
        replayed: Fund | None = None
        for recorded in self.fund.collect_events():
            replayed = recorded.mutate(replayed)  # type: ignore[assignment, arg-type]
        assert replayed is not None
        assert state_of(replayed) == state_of(self.fund)


def test_no_sequence_of_commands_overdraws_a_fund() -> None:
    run_state_machine_as_test(
        FundStory,
        settings=settings(max_examples=200, stateful_step_count=40, deadline=None, database=None),
    )
