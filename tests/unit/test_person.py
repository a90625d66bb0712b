"""Stories of a person: registered with their details, erased once and for good."""

from __future__ import annotations

import pytest

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from domain.errors import AlreadyErased, RuleViolation
from domain.person import Person


def registered() -> Person:
    return Person("沈建国", "13800000000", "33048319800101123X")


def test_a_person_is_registered_with_their_details() -> None:
    person = registered()

    assert (person.name, person.phone, person.id_number) == ("沈建国", "13800000000", "33048319800101123X")
    assert not person.erased


def test_an_erased_person_keeps_their_id_but_none_of_their_details() -> None:
    person = registered()

    person.erase("本人申请删除个人信息")

    assert person.erased
    assert (person.name, person.phone, person.id_number) == (None, None, None)
    erasure = person.collect_events()[-1]
    assert isinstance(erasure, Person.Erased)
    assert erasure.reason == "本人申请删除个人信息"


def test_a_person_is_erased_once() -> None:
    person = registered()
    person.erase("本人申请")

    with pytest.raises(AlreadyErased) as refused:
        person.erase("再次申请")

    assert isinstance(refused.value, RuleViolation)  # a 409, like every refusal of the state


def test_the_erasure_is_an_event_of_the_persons_stream_with_its_actor() -> None:
    app = Gongzhi(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    with acting(CommandContext(actor="clerk")):
        person_id = app.register_person("沈建国", phone="13800000000").id
        erased = app.erase_person(person_id, "本人申请")

    events = list(app.events.get(person_id))
    assert erased.version == 2
    assert [type(e).__name__ for e in events] == ["Registered", "Erased"]
    assert events[-1].metadata["actor"] == "clerk"  # type: ignore[attr-defined]
    assert app.get(Person, person_id).erased
