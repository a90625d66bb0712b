"""A person: the only aggregate that holds personal details."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class Person(Aggregate):
    """Someone who takes part. Other aggregates refer to people by id only,
    so that personal details can later be protected and erased in one place."""

    @event("Registered")
    def __init__(self, name: str, phone: str | None, id_number: str | None) -> None:
        self.name = name
        self.phone = phone
        self.id_number = id_number
