"""The public event contract: every event recorded has a public form that keeps to its schema,
gives the same message each time, gives away no personal details, and reads back as the event
it came from; and no published schema changes under its consumers' feet.

``published_schemas.json`` holds the schemas consumers have been given. After a deliberate,
compatible change (a new optional field, a new event type or version), refresh it with
``.venv/bin/python -m tests.contract.test_contract``; that refuses an incompatible change.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
import pytest
from jsonschema import Draft7Validator, FormatChecker

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from infra.demo import DemoLoader
from infra.kafka.contract import (
    BY_INTERNAL_TYPE,
    BY_PUBLIC_TYPE,
    CONTRACT,
    CONTRACT_VERSION,
    TOPICS,
    KafkaMessage,
    UndecodableMessage,
    UnknownEventType,
    asyncapi_document,
    from_message,
    headers_schema,
    json_schemas,
    to_message,
)
from infra.privacy.mapper import in_clear
from infra.settings import load_settings
from infra.store.application import open_application
from projections.events import EventRecord, records
from testing.generate import generate
from tests.asyncapi_schema import asyncapi_reference_errors, validate_asyncapi
from tests.conftest import TEST_MASTER_KEY, assert_problem

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

Schema = dict[str, Any]

SNAPSHOT = Path(__file__).with_name("published_schemas.json")
REFRESH = ".venv/bin/python -m tests.contract.test_contract"
VILLAGE = "浙江省/嘉兴市/桐乡市/龙翔街道/皂林村"
PEOPLE = [
    ("沈建国", "13812345678", "330483199001011234"),
    ("钱秀英", "13987654321", "33048319850202567X"),
    ("孙志强", None, None),
]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PERSONAL = ("name", "phone", "id_number")


def every_kind_of_event(app: Gongzhi) -> None:
    """Stories that between them record every kind of event."""
    with acting(CommandContext(actor="clerk")):
        chair, secretary, neighbour = (app.register_person(n, phone=p, id_number=i).id for n, p, i in PEOPLE)
        council = app.register_organisation("coordination_council", "亲新家园", VILLAGE, "共商共治").id
        unit = app.register_organisation("mutual_aid_association", "互助会", VILLAGE).id
        app.admit_member(unit, chair, "chair")
        app.admit_member(unit, secretary, "member", category="new_resident", joined_on="2024-03-01")
        app.change_member_role(unit, secretary, "secretary")
        app.record_departure(unit, secretary, "left", note="搬迁")
        app.join_council(council, unit)
        app.leave_council(council, unit)
        app.suspend_organisation(unit, "换届整顿")
        app.reinstate_organisation(unit)
        project = app.propose_project("加装电梯", "elderly_care", unit, [council], 500_000, "老旧小区").id
        app.approve_project(project)
        app.start_project(project)
        app.report_progress(project, "首台电梯投用", 40)
        app.complete_project(project, "三台电梯投用")
        app.cancel_project(app.propose_project("修路", "infrastructure", unit).id, "并入县道工程")
        fund = app.open_fund(unit, "互助基金", ["elder_care", "education"]).id
        app.receive_donation(
            fund, 80_000, donor_person_id=chair, purpose="elder_care", received_on="2024-04-01"
        )
        app.receive_donation(fund, 20_000, donor_name="沈先生")
        app.dissolve_organisation(app.register_organisation("advisory_group", "顾问团", VILLAGE).id, "并入")
        app.erase_person(neighbour, "本人申请删除个人信息", "申请 2024-017")
    with acting(CommandContext(actor="requester")):
        paid = app.request_disbursement(fund, 30_000, "elder_care", "养老服务中心", project_id=project)
        refused = app.request_disbursement(fund, 10_000, "education", "村小学")
    with acting(CommandContext(actor="approver")):
        app.approve_disbursement(fund, UUID(paid.extra["disbursement_id"]))
        app.reject_disbursement(fund, UUID(refused.extra["disbursement_id"]), "重复申请")
    with acting(CommandContext(actor="clerk")):
        app.pay_disbursement(fund, UUID(paid.extra["disbursement_id"]), "2024-05-01", reference="转账 0042")
    governance_events(app)
    community_work(app, unit, chair)


def governance_events(app: Gongzhi) -> None:
    """An assembly elects a chair, changes the rules and passes a spending resolution that
    one disbursement reserves and another reserves and releases."""
    with acting(CommandContext(actor="clerk")):
        association = app.register_organisation("sage_association", "乡贤协会", VILLAGE).id
        sages = [app.register_person(f"乡贤{n}").id for n in range(3)]
        for sage in sages:
            app.admit_member(association, sage, "member", "sage")
        fund = app.open_fund(association, "乡贤基金", ["elder_care"], 1, 50_000).id
        app.set_resolution_limit(fund, 100_000)
        app.receive_donation(fund, 500_000, donor_name="乡贤联谊会")
        meeting = app.schedule_meeting(association, "会员大会", "members_assembly", "2024-05-01").id
        app.open_meeting(meeting, sages)
        motions = [
            app.propose_motion(meeting, title, "", kind, **details).extra["motion_id"]
            for title, kind, details in [
                (
                    "选举会长",
                    "election",
                    {"election": {"office": "chair", "seats": 1, "candidates": [sages[0]]}},
                ),
                (
                    "养老支出",
                    "spending",
                    {"spending": {"fund_id": fund, "amount_fen": 300_000, "purpose": "elder_care"}},
                ),
                ("修改章程", "special", {}),
            ]
        ]
        for sage in sages:
            app.cast_vote(meeting, UUID(motions[0]), sage, candidates=[sages[0]])
            app.cast_vote(meeting, UUID(motions[1]), sage, "yes")
            app.cast_vote(meeting, UUID(motions[2]), sage, "yes")
        for motion in motions:
            app.close_motion(meeting, UUID(motion))
        app.change_rules(association, {"term_months": 24}, UUID(motions[2]))
        app.close_meeting(meeting, "选举会长,通过养老支出与章程修改")
    with acting(CommandContext(actor="requester")):
        app.request_disbursement(fund, 200_000, "elder_care", "养老服务中心", resolution_id=UUID(motions[1]))
        released = app.request_disbursement(
            fund, 100_000, "elder_care", "养老院", resolution_id=UUID(motions[1])
        )
    with acting(CommandContext(actor="approver")):
        app.reject_disbursement(fund, UUID(released.extra["disbursement_id"]), "改期")


def community_work(app: Gongzhi, unit: UUID, chair: UUID) -> None:
    """Mediation cases, hazards, volunteer service, points and a dividend: every kind of their events."""
    with acting(CommandContext(actor="clerk")):
        parties = [app.register_person(name).id for name in ("周大伟", "吴秀兰", "郑国庆")]
        mediator = app.register_person("陈老娘舅").id
        app.admit_member(unit, mediator, "mediator")
        resolved = app.receive_mediation_case(unit, "neighbour", "排水沟纠纷", parties[:2], "2024-03-01").id
        app.assign_mediator(resolved, mediator)
        app.hold_mediation_session(resolved, "2024-03-02", "双方各自陈述")
        app.sign_agreement(resolved, "共同出资疏通", "2024-03-05")
        failed = app.receive_mediation_case(unit, "land", "宅基地边界", parties[1:], "2024-03-01").id
        app.record_mediation_failure(failed, "分歧过大", "桐乡市人民法院", "2024-03-20")
        withdrawn = app.receive_mediation_case(unit, "family", "赡养纠纷", parties, "2024-03-01").id
        app.withdraw_mediation_case(withdrawn, "当事人撤回", "2024-03-03")
        hazard = app.report_hazard(unit, VILLAGE, "fire", "12幢楼道", "杂物堵塞通道", "2024-05-01", chair).id
        app.assign_hazard(hazard, chair, "2024-05-10")
        app.rectify_hazard(hazard, "已清理", "2024-05-08")
        app.verify_hazard(hazard, True, "复查合格", "2024-05-09")
        activity = app.hold_activity(unit, "垃圾分类宣传", "environment", "2024-04-01").id
        service = app.record_service(activity, parties[0], 90).extra["service_id"]
        app.change_points_settings(unit, 12, ["civilised_family", "tidy_yard"], ["illegal_building"])
        app.adjust_points(unit, chair, 20, "tidy_yard", "庭院整洁")
        app.redeem_points(unit, chair, 5, "洗衣液一瓶")
    with acting(CommandContext(actor="officer")):
        app.confirm_service(activity, UUID(service))
        app.declare_dividend(unit, 100_001, "0.4", "2024-06-30")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[EventRecord], list[EventRecord]]:
    """The demo data, a generated store and the stories above, as stored (personal details
    sealed) and with the details opened."""
    settings = load_settings(data_dir=tmp_path_factory.mktemp("contract"), master_key=TEST_MASTER_KEY)
    app = open_application(settings)
    try:
        DemoLoader(app).load()
        generate(app, 2000)
        every_kind_of_event(app)
        stored = records(app.recorder.select_notifications(start=1, limit=100_000))
        return stored, in_clear(app, stored)
    finally:
        app.close()


@pytest.fixture(scope="module")
def events(recorded: tuple[list[EventRecord], list[EventRecord]]) -> list[EventRecord]:
    return recorded[0]


@pytest.fixture(scope="module")
def messages(events: list[EventRecord]) -> list[KafkaMessage]:
    published = [to_message(event) for event in events]
    assert None not in published
    return [message for message in published if message is not None]


def header(message: KafkaMessage, name: str) -> str:
    return dict(message.headers)[name].decode()


def is_person(event: EventRecord) -> bool:
    return event.aggregate_type == "Person"


def is_mediation_case(event: EventRecord) -> bool:
    return event.aggregate_type == "MediationCase"


# The table


def test_every_event_type_recorded_has_a_public_form_and_every_public_form_is_recorded(
    events: list[EventRecord],
) -> None:
    assert {event.type for event in events} == set(BY_INTERNAL_TYPE)


def test_public_types_are_named_and_placed_by_convention() -> None:
    assert len(BY_INTERNAL_TYPE) == len(BY_PUBLIC_TYPE) == len(CONTRACT)
    for event in CONTRACT:
        aggregate, name = event.internal_type.split(".")
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        assert re.fullmatch(rf"org\.gongzhi\.{aggregate.lower()}\.{snake}\.v[1-9][0-9]*", event.public_type)
        assert event.topic == f"gongzhi.{aggregate.lower()}"
        assert event.topic in TOPICS


def test_every_schema_is_a_closed_draft_07_schema_that_names_its_aggregate() -> None:
    for public_type, schema in json_schemas().items():
        Draft7Validator.check_schema(schema)
        assert schema["title"] == public_type
        assert public_type in schema["$id"]
        assert schema["additionalProperties"] is False
        key_field = BY_PUBLIC_TYPE[public_type].key_field
        assert key_field in schema["required"]
        assert schema["properties"][key_field]["format"] == "uuid"


# Messages


def test_every_message_keeps_to_its_payload_and_header_schemas(
    events: list[EventRecord], messages: list[KafkaMessage]
) -> None:
    schemas = json_schemas()
    payloads = {t: Draft7Validator(s, format_checker=FormatChecker()) for t, s in schemas.items()}
    for event, message in zip(events, messages, strict=True):
        public_type = header(message, "ce_type")
        payloads[public_type].validate(orjson.loads(message.value))
        headers = {name: value.decode() for name, value in message.headers}
        Draft7Validator(headers_schema(public_type), format_checker=FormatChecker()).validate(headers)
        assert message.topic == BY_PUBLIC_TYPE[public_type].topic
        assert message.key == event.aggregate_id.encode()
        assert headers["ce_subject"] == event.aggregate_id
        assert headers["ce_id"] == f"{event.aggregate_id}:{event.version}"
        assert headers["ce_position"] == str(event.position)
        assert RFC3339.match(headers["ce_time"]), headers["ce_time"]
        metadata = event.metadata or {}
        assert headers.get("ce_actor") == metadata.get("actor")
        assert headers.get("ce_correlationid") == metadata.get("correlation_id")


def test_the_same_event_gives_the_same_message_byte_for_byte(
    events: list[EventRecord], messages: list[KafkaMessage]
) -> None:
    assert [to_message(event) for event in events] == messages
    for event in events[:500]:
        reordered = event._replace(payload=dict(reversed(event.payload.items())))
        assert to_message(reordered) == to_message(event)


def test_every_message_has_an_id_of_its_own(messages: list[KafkaMessage]) -> None:
    ids = [header(message, "ce_id") for message in messages]

    assert len(set(ids)) == len(ids)


def test_an_event_type_outside_the_contract_is_not_published() -> None:
    event = EventRecord(
        "Fund.Audited", "2b0e7c1e-8f4c-4c43-9a55-0b8f5d1e2a10", 3, 9, "2026-01-01T00:00:00+00:00", {}
    )

    assert to_message(event) is None


def test_person_messages_carry_no_name_phone_or_id_number(
    recorded: tuple[list[EventRecord], list[EventRecord]], messages: list[KafkaMessage]
) -> None:
    events, opened = recorded
    people = [event for event in opened if event.type == "Person.Registered"]
    details = {value for event in people for field in PERSONAL if (value := event.payload.get(field))}
    assert {detail for person in PEOPLE[:2] for detail in person if detail} <= details
    details |= {detail for person in PEOPLE for detail in person if detail}  # the erased one's too
    for event, message in zip(events, messages, strict=True):
        if not is_person(event):
            continue
        fields = {"person_id", "has_phone", "has_id_number"} if event.type == "Person.Registered" else set()
        assert set(orjson.loads(message.value)) == fields | {"person_id"}
        sent = (
            message.key + message.value + b"".join(name.encode() + value for name, value in message.headers)
        )
        leaked = [detail for detail in details if detail.encode() in sent]
        assert not leaked, f"{event.aggregate_id} leaks {leaked}"


# Reading messages back


def test_every_event_but_a_person_reads_back_as_itself(
    events: list[EventRecord], messages: list[KafkaMessage]
) -> None:
    for event, message in zip(events, messages, strict=True):
        if not is_person(event) and not is_mediation_case(event):
            assert from_message(message.headers, message.key, message.value) == event


def test_a_mediation_case_reads_back_without_what_it_says_of_its_parties(
    events: list[EventRecord], messages: list[KafkaMessage]
) -> None:
    cases = [(e, m) for e, m in zip(events, messages, strict=True) if is_mediation_case(e)]
    assert {e.type for e, _ in cases} >= {"MediationCase.Received", "MediationCase.SessionHeld"}
    for event, message in cases:
        read = from_message(message.headers, message.key, message.value)
        sent = orjson.loads(message.value)
        assert not {"summary", "note", "parties", "reason"} & sent.keys()
        for party in event.payload.get("parties", ()):
            assert party.encode() not in message.value
        kept = {k: v for k, v in event.payload.items() if k not in ("summary", "note", "parties", "reason")}
        if event.type == "MediationCase.Received":
            kept["party_count"] = len(event.payload["parties"])
        assert read == event._replace(payload=kept)


def test_a_person_reads_back_with_whether_a_phone_and_id_number_are_on_file(
    events: list[EventRecord], messages: list[KafkaMessage]
) -> None:
    for event, message in zip(events, messages, strict=True):
        if event.type == "Person.Registered":
            read = from_message(message.headers, message.key, message.value)
            flags = {
                "has_phone": bool(event.payload["phone"]),
                "has_id_number": bool(event.payload["id_number"]),
            }
            assert read == event._replace(payload=flags)


def test_a_person_erased_reads_back_without_the_reason(
    events: list[EventRecord], messages: list[KafkaMessage]
) -> None:
    erasures = [(e, m) for e, m in zip(events, messages, strict=True) if e.type == "Person.Erased"]
    assert erasures
    for event, message in erasures:
        assert header(message, "ce_type") == "org.gongzhi.person.erased.v1"
        assert from_message(message.headers, message.key, message.value) == event._replace(payload={})


def donation(messages: list[KafkaMessage]) -> KafkaMessage:
    return next(m for m in messages if header(m, "ce_type") == "org.gongzhi.fund.donation_received.v1")


def with_header(message: KafkaMessage, name: str, value: bytes | None) -> list[tuple[str, bytes]]:
    """The message's headers with ``name`` set to ``value``, or left out if None."""
    kept = [(n, v) for n, v in message.headers if n != name]
    return kept if value is None else [*kept, (name, value)]


def test_a_message_read_back_ignores_fields_it_does_not_know(messages: list[KafkaMessage]) -> None:
    message = donation(messages)
    newer = orjson.dumps({**orjson.loads(message.value), "channel": "wechat"})

    assert from_message(message.headers, message.key, newer) == from_message(
        message.headers, message.key, message.value
    )


def test_a_time_with_z_reads_back_as_the_same_time(messages: list[KafkaMessage]) -> None:
    message = donation(messages)
    utc = header(message, "ce_time").replace("+00:00", "Z").encode()

    read = from_message(with_header(message, "ce_time", utc), message.key, message.value)

    assert read.recorded_at == header(message, "ce_time")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ce_type", None),
        ("ce_specversion", b"0.3"),
        ("ce_subject", b"not-a-uuid"),
        ("ce_position", b"twelve"),
        ("ce_aggregateversion", None),
        ("ce_time", b"yesterday"),
        ("ce_id", None),
        ("content-type", b"application/avro"),
        ("ce_actor", b"\xff\xfe"),
    ],
)
def test_a_message_with_a_missing_or_wrong_header_is_undecodable(
    messages: list[KafkaMessage], name: str, value: bytes | None
) -> None:
    message = donation(messages)

    with pytest.raises(UndecodableMessage) as refusal:
        from_message(with_header(message, name, value), message.key, message.value)

    assert refusal.value.reason


@pytest.mark.parametrize(
    "value",
    [b"not json", b"[1, 2]", b'{"amount_fen": 100}'],
    ids=["not-json", "not-an-object", "missing-fields"],
)
def test_a_message_with_a_value_that_is_not_its_payload_is_undecodable(
    messages: list[KafkaMessage], value: bytes
) -> None:
    message = donation(messages)

    with pytest.raises(UndecodableMessage):
        from_message(message.headers, message.key, value)


def test_a_message_keyed_by_another_aggregate_is_undecodable(messages: list[KafkaMessage]) -> None:
    message = donation(messages)

    with pytest.raises(UndecodableMessage):
        from_message(message.headers, b"2b0e7c1e-8f4c-4c43-9a55-0b8f5d1e2a10", message.value)


def test_a_message_of_an_unknown_type_is_an_unknown_event_type(messages: list[KafkaMessage]) -> None:
    message = donation(messages)
    headers = with_header(message, "ce_type", b"org.gongzhi.fund.donation_received.v9")

    with pytest.raises(UnknownEventType) as refusal:
        from_message(headers, message.key, message.value)

    assert isinstance(refusal.value, UndecodableMessage)
    assert isinstance(refusal.value, ValueError)
    assert refusal.value.public_type == "org.gongzhi.fund.donation_received.v9"


# AsyncAPI


@pytest.mark.parametrize(
    "servers", [None, {"production": {"host": "kafka.example:9092", "protocol": "kafka"}}]
)
def test_the_asyncapi_document_is_valid(servers: dict[str, Any] | None) -> None:
    document = asyncapi_document(servers)

    assert validate_asyncapi(document) == []
    assert asyncapi_reference_errors(document) == []
    assert document["info"]["version"] == CONTRACT_VERSION


def test_the_asyncapi_document_describes_every_public_event_on_its_topic() -> None:
    document = asyncapi_document()
    described = {
        message["headers"]["properties"]["ce_type"]["const"]: (channel["address"], message["payload"]["$ref"])
        for channel in document["channels"].values()
        for message in channel["messages"].values()
        if "ce_type" in message["headers"]["properties"]
    }

    assert set(described) == set(BY_PUBLIC_TYPE)
    for public_type, (address, ref) in described.items():
        event = BY_PUBLIC_TYPE[public_type]
        assert address == event.topic
        assert document["components"]["schemas"][ref.rsplit("/", 1)[1]] == json_schemas()[public_type]


def test_the_asyncapi_document_is_served(client: TestClient) -> None:
    response = client.get("/asyncapi.json")

    assert response.status_code == 200
    assert response.json() == asyncapi_document()


def test_the_schema_of_a_public_event_is_served(client: TestClient) -> None:
    response = client.get("/schemas/events/org.gongzhi.fund.donation_received.v1")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.json() == json_schemas()["org.gongzhi.fund.donation_received.v1"]


def test_the_schema_of_an_unknown_event_is_a_not_found_problem(client: TestClient) -> None:
    assert_problem(client.get("/schemas/events/org.gongzhi.fund.nothing.v1"), 404)


# What has been published stays compatible

ANNOTATIONS = {"title", "description", "$comment", "examples", "default"}


def rules(node: Any) -> Any:
    """A schema without its annotations: what it allows."""
    if isinstance(node, list):
        return [rules(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: {name: rules(s) for name, s in value.items()} if key == "properties" else rules(value)
        for key, value in node.items()
        if key not in ANNOTATIONS
    }


def incompatibilities(public_type: str, published: Schema, current: Schema) -> list[str]:
    """How ``current`` could break a consumer of ``published``: a property removed or changed
    (type, format, enumeration, bounds), the required fields changed, or the rules for the
    whole payload changed. New optional properties and new wording are compatible."""
    problems = []
    before, after = set(published.get("required", [])), set(current.get("required", []))
    if before != after:
        problems.append(f"{public_type}: required fields {sorted(before)} became {sorted(after)}")
    properties = current.get("properties", {})
    for name, schema in published.get("properties", {}).items():
        if name not in properties:
            problems.append(f"{public_type}: property {name} was removed")
        elif rules(schema) != rules(properties[name]):
            problems.append(
                f"{public_type}: property {name} {rules(schema)} became {rules(properties[name])}"
            )
    whole = [
        {k: v for k, v in s.items() if k not in ("properties", "required")} for s in (published, current)
    ]
    if rules(whole[0]) != rules(whole[1]):
        problems.append(f"{public_type}: the payload's rules {rules(whole[0])} became {rules(whole[1])}")
    return problems


def published_schemas() -> dict[str, Schema]:
    schemas: dict[str, Schema] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return schemas


def breaking_changes(published: dict[str, Schema], current: dict[str, Schema]) -> list[str]:
    problems = []
    for public_type, schema in published.items():
        if public_type not in current:
            problems.append(f"{public_type}: no longer published")
        else:
            problems += incompatibilities(public_type, schema, current[public_type])
    return problems


def test_every_published_event_type_is_still_published_compatibly() -> None:
    problems = breaking_changes(published_schemas(), json_schemas())

    assert not problems, (
        "Published event types changed in ways that break consumers; publish a new version (.v<N+1>) "
        "alongside instead:\n" + "\n".join(problems)
    )


def test_every_public_event_type_is_published_deliberately() -> None:
    unpublished = sorted(set(json_schemas()) - set(published_schemas()))

    assert not unpublished, f"New public event types {unpublished}: publish them with {REFRESH}"


def test_the_published_schemas_are_current() -> None:
    published, current = published_schemas(), json_schemas()
    changed = sorted(t for t in published.keys() & current.keys() if published[t] != current[t])

    assert not changed, (
        f"Schemas of {changed} changed; if they changed compatibly, publish them with {REFRESH}"
    )


def test_the_checker_allows_new_optional_properties_and_new_wording() -> None:
    published = json_schemas()["org.gongzhi.fund.donation_received.v1"]
    current = json.loads(json.dumps(published))
    current["properties"]["channel"] = {"type": "string"}
    current["properties"]["amount_fen"]["description"] = "Yuan × 100"
    current["description"] = "Money came in."

    assert incompatibilities("t", published, current) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["properties"].pop("purpose"),
        lambda s: s["properties"]["amount_fen"].update(type="string"),
        lambda s: s["properties"]["donation_id"].pop("format"),
        lambda s: s["properties"]["received_on"].update(format="date-time"),
        lambda s: s["properties"]["amount_fen"].update(minimum=0),
        lambda s: (s["properties"].update(channel={"type": "string"}), s["required"].append("channel")),
        lambda s: s["required"].append("purpose"),
        lambda s: s["required"].remove("received_on"),
        lambda s: s.update(additionalProperties=True),
        lambda s: s.pop("oneOf"),
    ],
    ids=[
        "property-removed",
        "type-changed",
        "format-removed",
        "format-changed",
        "bound-changed",
        "required-property-added",
        "optional-made-required",
        "required-made-optional",
        "closed-payload-opened",
        "payload-rule-removed",
    ],
)
def test_the_checker_detects_a_change_that_breaks_consumers(change: Any) -> None:
    published = json_schemas()["org.gongzhi.fund.donation_received.v1"]
    current = json.loads(json.dumps(published))
    change(current)

    assert incompatibilities("t", published, current) != []


def test_the_checker_detects_a_changed_enumeration_and_a_retired_type() -> None:
    schemas = json_schemas()
    current = json.loads(json.dumps(schemas))
    current["org.gongzhi.organisation.member_admitted.v1"]["properties"]["role"]["enum"].append("treasurer")
    del current["org.gongzhi.project.cancelled.v1"]

    problems = breaking_changes(schemas, current)

    assert len(problems) == 2, problems


def render(schemas: dict[str, Schema]) -> str:
    return json.dumps(schemas, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def refresh_published_schemas() -> list[str]:
    """Publishes the current schemas, unless that would break a consumer of the published ones."""
    current = json_schemas()
    problems = breaking_changes(published_schemas(), current) if SNAPSHOT.exists() else []
    if not problems:
        SNAPSHOT.write_text(render(current), encoding="utf-8")
    return problems


if __name__ == "__main__":
    breaking = refresh_published_schemas()
    print("\n".join(breaking) or f"{SNAPSHOT} refreshed", file=sys.stderr)
    sys.exit(1 if breaking else 0)
