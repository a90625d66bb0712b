"""A volunteer activity an organisation held (志愿活动). The service volunteers gave at
it is kept, with its confirmation and the points it earned, in the organisation's
points book (``domain.points``), whose balances it feeds."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue


class Activity(Aggregate):
    @classmethod
    def hold(
        cls, organisation_id: str, title: str, category: str, held_on: str, jurisdiction: str
    ) -> Activity:
        for field, text in (("title", title), ("category", category)):
            if not text.strip():
                raise InvalidValue(field, "must not be blank")
        return cls(organisation_id, title, category, held_on, jurisdiction)

    @event("Held")
    def __init__(
        self, organisation_id: str, title: str, category: str, held_on: str, jurisdiction: str
    ) -> None:
        self.organisation_id = organisation_id
        self.title = title
        self.category = category
        self.held_on = held_on
        self.jurisdiction = jurisdiction
