"""Stories of a person: registered with their details, erased once and for good."""

from __future__ import annotations

import orjson
import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import AlreadyErased, RuleViolation
from domain.person import Person
from infra.store.transcoder import OrjsonTranscoder


def registered() -> Person:
    return Person("沈建国", "13800000000", "33048319800101123X")


def test_a_person_is_registered_with_their_details() -> None:
    person = registered()

    assert (person.name, person.phone, person.id_number) == ("沈建国", "13800000000", "33048319800101123X")
    assert not person.erased


def test_an_erased_person_keeps_their_id_but_none_of_their_details() -> None:
    person = registered()

    person.erase("本人申请删除个人信息", "申请 2024-017")

    assert person.erased
    assert (person.name, person.phone, person.id_number) == (None, None, None)
    erasure = person.collect_events()[-1]
    assert isinstance(erasure, Person.Erased)
    assert (erasure.reason, erasure.request_reference) == ("本人申请删除个人信息", "申请 2024-017")


def test_a_person_is_erased_once() -> None:
    person = registered()
    person.erase("本人申请", "申请 2024-017")

    with pytest.raises(AlreadyErased) as refused:
        person.erase("再次申请", "申请 2024-018")

    assert isinstance(refused.value, RuleViolation)  # a 409, like every refusal of the state


def test_the_erasure_is_an_event_of_the_persons_stream_with_its_actor() -> None:
    app = Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with acting(CommandContext(actor="clerk")):
        person_id = app.register_person("沈建国", phone="13800000000").id
        erased = app.erase_person(person_id, "本人申请", "申请 2024-017")

    events = list(app.events.get(person_id))
    assert erased.version == 2
    assert [type(e).__name__ for e in events] == ["Registered", "Erased"]
    assert events[-1].metadata["actor"] == "clerk"  # type: ignore[attr-defined]
    assert app.get(Person, person_id).erased


def test_an_erasure_recorded_before_requests_were_referenced_still_reads() -> None:
    """Person.Erased events stored before ``request_reference`` existed hold the reason alone."""
    app = Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with acting(CommandContext(actor="clerk")):
        person_id = app.register_person("沈建国").id
    registered = app.mapper.to_stored_event(next(iter(app.events.get(person_id))))
    old = StoredEvent(
        originator_id=person_id,
        originator_version=2,
        topic=get_topic(Person.Erased),
        state=orjson.dumps({"timestamp": "2024-05-01T08:00:00+00:00", "reason": "本人申请"}),
    )

    mapper = Mapper(OrjsonTranscoder())
    erasure = mapper.to_domain_event(old)
    person = mapper.to_domain_event(registered).mutate(None)
    person = erasure.mutate(person)

    assert isinstance(erasure, Person.Erased)
    assert (erasure.reason, erasure.request_reference) == ("本人申请", None)
    assert isinstance(person, Person)
    assert person.erased
