"""A hazard found in a jurisdiction (隐患): assigned to someone with a due date,
rectified, then verified. A passed verification closes it; a failed one reopens it
for another rectification. A hazard past its due date and not closed is overdue."""

from __future__ import annotations

from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransition, InvalidValue, RuleViolation


class HazardCategory(StrEnum):
    FIRE = "fire"
    ELECTRICAL = "electrical"
    GAS = "gas"
    STRUCTURAL = "structural"
    TRAFFIC = "traffic"
    SANITATION = "sanitation"
    OTHER = "other"


class HazardStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class HazardClosed(RuleViolation):
    title = "The hazard is closed"


class Hazard(Aggregate):
    @classmethod
    def report(
        cls,
        organisation_id: str,
        jurisdiction: str,
        category: str,
        location: str,
        description: str,
        found_on: str,
        reported_by_person_id: str | None,
    ) -> Hazard:
        try:
            HazardCategory(category)
        except ValueError:
            allowed = ", ".join(HazardCategory)
            raise InvalidValue("category", f"{category!r} is not one of {allowed}") from None
        for field, text in (("location", location), ("description", description)):
            if not text.strip():
                raise InvalidValue(field, "must not be blank")
        return cls(
            organisation_id, jurisdiction, category, location, description, found_on, reported_by_person_id
        )

    @event("Reported")
    def __init__(
        self,
        organisation_id: str,
        jurisdiction: str,
        category: str,
        location: str,
        description: str,
        found_on: str,
        reported_by_person_id: str | None,
    ) -> None:
        self.organisation_id = organisation_id
        self.jurisdiction = jurisdiction
        self.category = category
        self.location = location
        self.description = description
        self.found_on = found_on
        self.reported_by_person_id = reported_by_person_id
        self.status = HazardStatus.OPEN.value
        self.assignee_person_id: str | None = None
        self.due_on: str | None = None
        self.rectified_on: str | None = None
        self.rectifications = 0
        self.closed_on: str | None = None

    def overdue(self, today: str) -> bool:
        return self.status != HazardStatus.CLOSED and self.due_on is not None and self.due_on < today

    def _require_not_closed(self) -> None:
        if self.status == HazardStatus.CLOSED:
            raise HazardClosed(f"Hazard {self.id} is closed")

    def assign(self, person_id: str, due_on: str) -> None:
        self._require_not_closed()
        if self.status == HazardStatus.RECTIFIED:
            raise IllegalTransition("A rectified hazard awaits verification")
        if due_on < self.found_on:
            raise InvalidValue("due_on", f"must not be before the hazard was found ({self.found_on})")
        self._assigned(person_id, due_on)

    @event("Assigned")
    def _assigned(self, person_id: str, due_on: str) -> None:
        self.assignee_person_id = person_id
        self.due_on = due_on
        self.status = HazardStatus.ASSIGNED.value

    def rectify(self, note: str, rectified_on: str) -> None:
        self._require_not_closed()
        if self.status != HazardStatus.ASSIGNED:
            raise IllegalTransition(f"A {self.status} hazard cannot be rectified: assign it first")
        if rectified_on < self.found_on:
            raise InvalidValue("rectified_on", f"must not be before the hazard was found ({self.found_on})")
        if not note.strip():
            raise InvalidValue("note", "must not be blank")
        self._rectified(note, rectified_on)

    @event("Rectified")
    def _rectified(self, note: str, rectified_on: str) -> None:
        self.rectified_on = rectified_on
        self.rectifications += 1
        self.status = HazardStatus.RECTIFIED.value

    def verify(self, passed: bool, note: str, verified_on: str) -> None:
        self._require_not_closed()
        if self.status != HazardStatus.RECTIFIED:
            raise IllegalTransition(f"A {self.status} hazard has no rectification to verify")
        assert self.rectified_on is not None
        if verified_on < self.rectified_on:
            raise InvalidValue("verified_on", f"must not be before the rectification ({self.rectified_on})")
        self._verified(passed, note, verified_on)

    @event("Verified")
    def _verified(self, passed: bool, note: str, verified_on: str) -> None:
        if passed:
            self.status = HazardStatus.CLOSED.value
            self.closed_on = verified_on
        else:
            self.status = HazardStatus.ASSIGNED.value
