"""The mapper that seals a person's details on the way into the store and opens them on the way out.

``Person`` events hold personal details (``Person.PERSONAL_DETAILS``), and mediation
cases texts about their parties (``infra.privacy.case_texts``); every other event
passes through unchanged. A sealed value is the text ``aesgcm:…``
(see ``crypto``), so stored payloads keep their shape and a detail that was
never given stays null. When the person's key is gone (they were erased) the
details decode as None, in whatever event and at whatever version they are read.

Reading a stream looks its person's key up once, not once per event; nothing
is cached beyond that one read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import EventStore, Mapper, StoredEvent, Transcoder

from domain.errors import AlreadyErased
from domain.mediation_case import MediationCase
from domain.person import Person
from infra.privacy.case_texts import open_texts, seal_texts
from infra.privacy.crypto import is_sealed, seal, unseal
from infra.privacy.person_keys import KeyChange, KeyedStoredEvent, KeyRing
from projections.events import EventRecord

Event = DomainEventProtocol[UUID]


class UndecryptableDetail(Exception):
    """A sealed value that does not open with its person's key (it was altered or moved)."""


class PersonalDataMapper(Mapper[UUID]):
    def __init__(self, transcoder: Transcoder, keys: KeyRing) -> None:
        super().__init__(transcoder)
        self.keys = keys

    # Into the store

    def to_stored_event(self, domain_event: Event) -> StoredEvent:
        if isinstance(domain_event, MediationCase.Event):
            sealed = seal_texts(vars(domain_event), str(domain_event.originator_id), self.keys.data_key)
            return super().to_stored_event(
                domain_event if sealed is None else _with_state(domain_event, sealed)
            )
        if not isinstance(domain_event, Person.Event):
            return super().to_stored_event(domain_event)
        person_id = str(domain_event.originator_id)
        state = vars(domain_event)
        details = [name for name in Person.PERSONAL_DETAILS if state.get(name) is not None]
        change: KeyChange | None = None
        if details:
            key, change = self._writing_key(person_id, domain_event.originator_version)
            sealed = {name: seal(key, person_id, name, state[name]) for name in details}
            domain_event = _with_state(domain_event, {**state, **sealed})
        elif isinstance(domain_event, Person.Erased):
            change = KeyChange(person_id)
        stored = super().to_stored_event(domain_event)
        if change is None:
            return stored
        return KeyedStoredEvent(
            stored.originator_id, stored.originator_version, stored.topic, stored.state, change
        )

    def _writing_key(self, person_id: str, version: int) -> tuple[bytes, KeyChange | None]:
        """A person's first event makes their key; later ones use it, unless it was destroyed."""
        if version == 1:
            return self.keys.new_key(person_id)
        key = self.keys.data_key(person_id)
        if key is None:
            raise AlreadyErased(f"Person {person_id} was erased: no personal details are recorded for them")
        return key, None

    # Out of the store

    def to_domain_event(self, stored_event: StoredEvent) -> Event:
        return self.to_domain_events([stored_event])[0]

    def to_domain_events(self, stored_events: Iterable[StoredEvent]) -> list[Event]:
        """The events, with one key lookup for each person whose details they hold."""
        keys = _KeysOfOneRead(self.keys)
        events = []
        for stored in stored_events:
            event = super().to_domain_event(stored)
            if isinstance(event, Person.Event):
                _open(vars(event), str(event.originator_id), keys)
            elif isinstance(event, MediationCase.Event):
                open_texts(vars(event), str(event.originator_id), keys)
            events.append(event)
        return events

    def in_clear(self, records: Sequence[EventRecord]) -> list[EventRecord]:
        """Event records (as the audit history reads them) with personal details opened."""
        keys = _KeysOfOneRead(self.keys)
        opened = []
        for record in records:
            if record.aggregate_type == "Person":
                payload = dict(record.payload)
                _open(payload, record.aggregate_id, keys)
                record = record._replace(payload=payload)
            elif record.aggregate_type == "MediationCase":
                payload = dict(record.payload)
                open_texts(payload, record.aggregate_id, keys)
                record = record._replace(payload=payload)
            opened.append(record)
        return opened


class PersonalReads(EventStore[UUID]):
    """Reads a stream's events with one key lookup for the whole stream."""

    mapper: PersonalDataMapper

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Any:
        stored = self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        return iter(self.mapper.to_domain_events(stored))


def in_clear(application: Application, records: Sequence[EventRecord]) -> list[EventRecord]:
    """The records with personal details opened, when the application's store seals them."""
    mapper = application.mapper
    return mapper.in_clear(records) if isinstance(mapper, PersonalDataMapper) else list(records)


class _KeysOfOneRead:
    """Each person's key, looked up at most once during one read."""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys
        self.found: dict[str, bytes | None] = {}

    def __call__(self, person_id: str) -> bytes | None:
        if person_id not in self.found:
            self.found[person_id] = self.keys.data_key(person_id)
        return self.found[person_id]


def _open(state: dict[str, Any], person_id: str, keys: _KeysOfOneRead) -> None:
    """Replaces the sealed details in ``state`` by their values, or None when the key is gone."""
    for name in Person.PERSONAL_DETAILS:
        value = state.get(name)
        if not isinstance(value, str) or not is_sealed(value):
            continue  # null, or recorded before details were sealed
        key = keys(person_id)
        if key is None:
            state[name] = None
            continue
        try:
            state[name] = unseal(key, person_id, name, value)
        except (InvalidTag, ValueError):
            raise UndecryptableDetail(f"the {name} of person {person_id} does not open") from None


def _with_state(event: Event, state: dict[str, Any]) -> Event:
    """A copy of the event with another state (events are frozen)."""
    copy = object.__new__(type(event))
    object.__setattr__(copy, "__dict__", state)
    return copy
