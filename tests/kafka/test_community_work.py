"""Community work on Kafka: what a mediation case says of its parties never travels, and
the views fed from the topics end equal to a rebuild from the store."""

from __future__ import annotations

from uuid import UUID

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.views import open_views
from tests.kafka.support import assert_fed_views_equal_a_rebuild, read_all, versions_in_store
from tests.security.support import leaked

VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
SUMMARY, NOTE, AGREEMENT = "周大伟与吴秀兰因排水沟争执", "周大伟情绪激动", "周大伟出资疏通"


def community_work(app: Gongzhi) -> list[UUID]:
    with acting(CommandContext(actor="clerk")):
        society = app.register_organisation("self_governance_committee", "翔和促进会", VILLAGE).id
        mediator, one, other = (app.register_person(n).id for n in ("陈老娘舅", "周大伟", "吴秀兰"))
        app.admit_member(society, mediator, "mediator")
        app.admit_member(society, one, "member")
        case = app.receive_mediation_case(society, "neighbour", SUMMARY, [one, other], "2024-03-01").id
        app.assign_mediator(case, mediator)
        app.hold_mediation_session(case, "2024-03-02", NOTE)
        app.sign_agreement(case, AGREEMENT, "2024-03-05")
        hazard = app.report_hazard(society, f"{VILLAGE}/第三网格", "fire", "12幢", "杂物", "2024-05-01").id
        app.assign_hazard(hazard, mediator, "2024-05-10")
        activity = app.hold_activity(society, "清扫", "environment", "2024-04-01").id
        service = app.record_service(activity, one, 90).extra["service_id"]
        app.adjust_points(society, one, 10, "tidy_yard")
    with acting(CommandContext(actor="officer")):
        app.confirm_service(activity, UUID(service))
        app.declare_dividend(society, 1_001, 0.5)
    return [one, other]


def test_case_texts_and_parties_never_travel_and_fed_views_equal_a_rebuild(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    parties = community_work(app)
    relay = Relay(app.recorder, kafka_settings)
    try:
        relay.catch_up()
    finally:
        relay.close()
    received = read_all(kafka_settings, expected=sum(versions_in_store(app).values()))
    cases = [m for m in received if m.headers["ce_type"].startswith(b"org.gongzhi.mediationcase.")]

    assert len(cases) == 4
    secrets = (SUMMARY, NOTE, AGREEMENT, *(str(p) for p in parties))
    assert not leaked(secrets, *(m.value for m in cases))
    runner = open_views(app)
    assert_fed_views_equal_a_rebuild(KafkaFeeder(runner, kafka_settings), runner)
