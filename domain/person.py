"""A person: the only aggregate that holds personal details."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from domain.errors import AlreadyErased


class Person(Aggregate):
    """Someone who takes part. Other aggregates refer to people by id only,
    so that personal details are protected and erased in one place.

    The store keeps ``PERSONAL_DETAILS`` encrypted with a key of the person's own;
    erasing the person destroys that key. From then on those details read as None,
    in this aggregate and in every event recorded before the erasure.
    """

    PERSONAL_DETAILS = ("name", "phone", "id_number")

    class Erased(Aggregate.Event):
        """The person's details were erased; the store destroys their key with this event.
        ``request_reference`` names the data subject's request; erasures recorded before it
        was asked for have none."""

        reason: str
        request_reference: str | None = None

    @event("Registered")
    def __init__(self, name: str | None, phone: str | None, id_number: str | None) -> None:
        self.name = name
        self.phone = phone
        self.id_number = id_number

    @property
    def erased(self) -> bool:
        """Every person is registered with a name, so one without a name was erased."""
        return self.name is None

    def erase(self, reason: str, request_reference: str) -> None:
        if self.erased:
            raise AlreadyErased(f"Person {self.id} was already erased")
        self._erased(reason, request_reference)

    @event(Erased)
    def _erased(self, reason: str, request_reference: str | None = None) -> None:
        self.name = self.phone = self.id_number = None
