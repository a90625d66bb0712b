"""A property over random points commands: the volunteering view folded from the store's
events says what the points book says, line by line, and a dividend adds up."""

from __future__ import annotations

import contextlib
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import DomainError
from domain.points import PointsBook
from projections import fold
from projections.events import from_stored
from projections.volunteering import VolunteeringView

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
REASONS = ["tidy_yard", "model_household", "illegal_building", "not_caring_for_elders"]

operations = st.lists(
    st.tuples(
        st.sampled_from(["adjust", "redeem", "serve"]),
        st.integers(0, 2),
        st.integers(1, 200),
        st.integers(0, 3),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations, st.integers(1, 10**7), st.sampled_from([0, 0.25, 0.5, 1]))
def test_the_view_says_what_the_points_book_says(
    script: list[tuple[str, int, int, int]], total: int, share: float
) -> None:
    app = Gongzhi(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "TRANSCODER_TOPIC": "infra.store.transcoder:OrjsonTranscoder",
        }
    )
    with acting(CommandContext(actor="clerk")):
        org = app.register_organisation("mutual_aid_association", "服务队", VILLAGE).id
        members = [app.register_person(name).id for name in ("甲", "乙", "丙")]
        for member in members:
            app.admit_member(org, member, "member")
        activity = app.hold_activity(org, "清扫", "environment", "2024-04-01").id
    for kind, who, amount, pick in script:
        with contextlib.suppress(DomainError):
            run(app, org, activity, kind, members[who], amount, pick)
    with acting(CommandContext(actor="clerk")):
        dividend = app.declare_dividend(org, total, share).id

    notifications = app.recorder.select_notifications(start=1, limit=10**6)
    events = [
        from_stored(n.topic, n.originator_id, n.originator_version, n.id, n.state) for n in notifications
    ]
    rows = fold(VolunteeringView(), events).data
    try:
        book = app.get(PointsBook, PointsBook.id_for(str(org)))
    except DomainError:
        assert rows["balances"] == {}
    else:
        for member in members:
            found = rows["balances"].get((str(org), str(member)))
            assert (found["balance"] if found else 0) == book.balance(str(member))
            lines = [line for key, line in rows["points_lines"].items() if key[1] == str(member)]
            assert sum(line["points"] for line in lines) == book.balance(str(member))
    amounts = [
        row["amount_fen"] for key, row in rows["dividend_allocations"].items() if key[0] == str(dividend)
    ]
    assert len(amounts) == 3
    assert sum(amounts) == total
    assert min(amounts) >= 0


def run(app: Gongzhi, org: UUID, activity: UUID, kind: str, member: UUID, amount: int, pick: int) -> None:
    with acting(CommandContext(actor="clerk")):
        if kind == "adjust":
            reason = REASONS[pick]
            points = amount if pick < 2 else -amount
            app.adjust_points(org, member, points, reason)
        elif kind == "redeem":
            app.redeem_points(org, member, amount, "毛巾")
        else:
            service = app.record_service(activity, member, amount).extra["service_id"]
    if kind == "serve" and pick % 2 == 0:
        with acting(CommandContext(actor="officer")):
            app.confirm_service(activity, UUID(service))
