"""Commands on volunteer activities, service, points and dividends."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.activity import Activity
from domain.community_commands import CommunityCommands
from domain.context import CommandResult, current_context
from domain.dividend import Dividend
from domain.errors import NotFound
from domain.points import PointsBook
from domain.values import iso_date, jurisdiction_path


class VolunteeringCommands(CommunityCommands):
    # Activities and service

    def hold_activity(
        self,
        organisation_id: UUID,
        title: str,
        category: str,
        held_on: date | str | None = None,
        jurisdiction: str | None = None,
    ) -> CommandResult:
        held = iso_date("held_on", held_on, date.today())
        where = jurisdiction_path(jurisdiction) if jurisdiction is not None else None

        def build() -> Activity:
            organisation = self._active_organisation(organisation_id)
            self._expecting(organisation.version)
            place = self._within(organisation, where) if where else organisation.jurisdiction
            return Activity.hold(str(organisation.id), title, category, held, place)

        return self._create(build)

    def record_service(self, activity_id: UUID, person_id: UUID, minutes: int) -> CommandResult:
        activity = self.read(Activity, activity_id)
        service_id = str(uuid4())
        recorder = current_context().actor

        def change(book: PointsBook) -> dict[str, Any]:
            volunteer = self._require_person(person_id, "person_id")
            book.record_service(
                service_id,
                str(activity.id),
                activity.jurisdiction,
                volunteer,
                minutes,
                activity.held_on,
                recorder,
            )
            return {"service_id": service_id}

        return self._on_book(UUID(activity.organisation_id), change)

    def confirm_service(self, activity_id: UUID, service_id: UUID) -> CommandResult:
        activity = self.read(Activity, activity_id)
        context = current_context()

        def change(book: PointsBook) -> dict[str, Any]:
            points = book.confirm_service(
                str(activity.id), str(service_id), context.actor, context.on_behalf_of
            )
            return {"points": points}

        return self._on_book(UUID(activity.organisation_id), change)

    # Points

    def change_points_settings(
        self, organisation_id: UUID, points_per_hour: int, additions: list[str], deductions: list[str]
    ) -> CommandResult:
        return self._on_book(
            organisation_id, lambda book: book.change_settings(points_per_hour, additions, deductions)
        )

    def adjust_points(
        self, organisation_id: UUID, person_id: UUID, points: int, reason: str, note: str | None = None
    ) -> CommandResult:
        today = date.today().isoformat()

        def change(book: PointsBook) -> dict[str, Any]:
            organisation = self._active_organisation(organisation_id)
            person = self._require_person(person_id, "person_id")
            self._require_member(organisation, person, "person_id")
            balance = book.adjust(person, points, reason, note, today)
            return {"balance": balance, "below_zero": balance < 0}

        return self._on_book(organisation_id, change)

    def redeem_points(
        self, organisation_id: UUID, person_id: UUID, points: int, reward: str
    ) -> CommandResult:
        today = date.today().isoformat()

        def change(book: PointsBook) -> dict[str, Any]:
            organisation = self._active_organisation(organisation_id)
            person = self._require_person(person_id, "person_id")
            self._require_member(organisation, person, "person_id")
            return {"balance": book.redeem(person, points, reward, today)}

        return self._on_book(organisation_id, change)

    # Dividends

    def declare_dividend(
        self,
        organisation_id: UUID,
        total_fen: int,
        points_share: float | str,
        as_of: date | str | None = None,
    ) -> CommandResult:
        day = iso_date("as_of", as_of, date.today())

        def build() -> Dividend:
            organisation = self._active_organisation(organisation_id)
            try:
                book = self.read(PointsBook, PointsBook.id_for(str(organisation.id)))
                self._expecting(book.version)
                held = book.balances_on(day)
            except NotFound:
                self._expecting(0)
                held = {}
            balances = {person: held.get(person, 0) for person in organisation.members}
            return Dividend.declare(str(organisation.id), total_fen, points_share, day, balances)

        return self._create(build)
