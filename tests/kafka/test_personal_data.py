"""On Kafka a person's details never travel, before or after their erasure; the erasure
itself is published, and the views fed from the topics go on equal to a rebuild."""

from __future__ import annotations

import orjson

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.views import open_views
from tests.kafka.support import Received, assert_fed_views_equal_a_rebuild, read_all, versions_in_store
from tests.security.support import leaked

NAME, PHONE, ID_NUMBER = "沈国庆", "13957300421", "33048319900101123X"
REASON = "本人申请删除个人信息"


def published(app: Gongzhi, settings: Settings) -> list[Received]:
    relay = Relay(app.recorder, settings)
    try:
        relay.catch_up()
    finally:
        relay.close()
    return read_all(settings, expected=sum(versions_in_store(app).values()))


def sent(message: Received) -> bytes:
    headers = b"".join(name.encode() + value for name, value in message.headers.items())
    return (message.key or b"") + message.value + headers


def of_type(received: list[Received], public_type: str) -> list[Received]:
    return [m for m in received if m.headers["ce_type"] == public_type.encode()]


def test_no_message_carries_the_details_of_a_person_erased_or_not(
    app: Gongzhi, kafka_settings: Settings
) -> None:
    with acting(CommandContext(actor="clerk")):
        person = app.register_person(NAME, phone=PHONE, id_number=ID_NUMBER).id
        org = app.register_organisation("mutual_aid_association", "互助会", "浙江省/嘉兴市/桐乡市").id
        app.admit_member(org, person, "member")
    before = published(app, kafka_settings)
    with acting(CommandContext(actor="clerk")):
        app.erase_person(person, REASON, "申请 2024-017")

    received = published(app, kafka_settings)

    assert not leaked((NAME, PHONE, ID_NUMBER, REASON), *(sent(m) for m in before + received))
    (erasure,) = of_type(received, "org.gongzhi.person.erased.v1")
    assert orjson.loads(erasure.value) == {"person_id": str(person)}
    assert erasure.headers["ce_actor"] == b"clerk"
    (registered,) = of_type(received, "org.gongzhi.person.registered.v1")
    assert orjson.loads(registered.value) == {
        "person_id": str(person),
        "has_phone": True,
        "has_id_number": True,
    }
    assert registered.value == of_type(before, "org.gongzhi.person.registered.v1")[0].value
    (admitted,) = of_type(received, "org.gongzhi.organisation.member_admitted.v1")
    assert orjson.loads(admitted.value)["person_id"] == str(person)
    runner = open_views(app)
    assert_fed_views_equal_a_rebuild(KafkaFeeder(runner, kafka_settings), runner)
