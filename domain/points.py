"""An organisation's points book (积分): what an hour of confirmed volunteer service
earns, the reasons points may be added or deducted for, and every person's lines.

Service is recorded as pending and counts only once an officer other than whoever
recorded it, and other than the volunteer, confirms it (maker-checker, as for
disbursements). A redemption never takes a balance below zero; a deduction may, and
says so. Every line carries its business date, so a balance can be read as of a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, NotFound, RuleViolation, SelfApproval

DEFAULT_POINTS_PER_HOUR = 10
MAX_POINTS_PER_HOUR = 1000
MAX_MINUTES = 24 * 60
MAX_ADJUSTMENT = 1_000_000
DEFAULT_ADDITIONS = ("civilised_family", "tidy_yard", "model_household")
"""文明家庭, 美丽庭院, 示范户 (seed 003)."""
DEFAULT_DEDUCTIONS = ("illegal_building", "not_sorting_rubbish", "not_caring_for_elders")
"""违章搭建, 垃圾不分类, 不赡养老人 (seed 003)."""
BOOKS = uuid5(NAMESPACE_URL, "urn:gongzhi:points-book")


class InsufficientPoints(RuleViolation):
    title = "Not enough points"


class ServiceAlreadyConfirmed(RuleViolation):
    title = "The service is already confirmed"


@dataclass
class Service:
    activity_id: str
    person_id: str
    minutes: int
    held_on: str
    recorded_by: str
    confirmed_by: str | None = None
    points: int = 0


@dataclass
class Line:
    """One cause of a change in a person's balance."""

    on: str
    points: int


@dataclass
class Account:
    lines: list[Line] = field(default_factory=list)

    @property
    def balance(self) -> int:
        return sum(line.points for line in self.lines)

    def balance_on(self, day: str) -> int:
        return sum(line.points for line in self.lines if line.on <= day)


def earned(minutes: int, points_per_hour: int) -> int:
    """Whole points for the minutes served (fractions of a point are not earned)."""
    return minutes * points_per_hour // 60


class PointsBook(Aggregate):
    @staticmethod
    def create_id(organisation_id: str) -> UUID:
        """One book an organisation, found from its id."""
        return uuid5(BOOKS, organisation_id)

    @classmethod
    def id_for(cls, organisation_id: str) -> UUID:
        return cls.create_id(organisation_id)

    @event("Opened")
    def __init__(
        self,
        organisation_id: str,
        points_per_hour: int = DEFAULT_POINTS_PER_HOUR,
        additions: list[str] | None = None,
        deductions: list[str] | None = None,
    ) -> None:
        self.organisation_id = organisation_id
        self.points_per_hour = points_per_hour
        self.additions = list(DEFAULT_ADDITIONS) if additions is None else additions
        self.deductions = list(DEFAULT_DEDUCTIONS) if deductions is None else deductions
        self.services: dict[str, Service] = {}
        self.accounts: dict[str, Account] = {}

    def account(self, person_id: str) -> Account:
        return self.accounts.get(person_id) or Account()

    def balance(self, person_id: str) -> int:
        return self.account(person_id).balance

    def balances_on(self, day: str) -> dict[str, int]:
        return {person: account.balance_on(day) for person, account in self.accounts.items()}

    def _credit(self, person_id: str, on: str, points: int) -> None:
        self.accounts.setdefault(person_id, Account()).lines.append(Line(on, points))

    # Settings

    def change_settings(self, points_per_hour: int, additions: list[str], deductions: list[str]) -> None:
        if isinstance(points_per_hour, bool) or not 0 <= points_per_hour <= MAX_POINTS_PER_HOUR:
            raise InvalidValue("points_per_hour", f"must be between 0 and {MAX_POINTS_PER_HOUR}")
        for name, reasons in (("additions", additions), ("deductions", deductions)):
            if len(set(reasons)) != len(reasons) or any(not r.strip() for r in reasons):
                raise InvalidValue(name, "reasons must be distinct and not blank")
        if set(additions) & set(deductions):
            raise InvalidValue("deductions", "a reason cannot both add and deduct")
        self._settings_changed(points_per_hour, additions, deductions)

    @event("SettingsChanged")
    def _settings_changed(self, points_per_hour: int, additions: list[str], deductions: list[str]) -> None:
        self.points_per_hour = points_per_hour
        self.additions = additions
        self.deductions = deductions

    # Service

    def service(self, service_id: str) -> Service:
        try:
            return self.services[service_id]
        except KeyError:
            raise NotFound("service", service_id) from None

    def record_service(
        self,
        service_id: str,
        activity_id: str,
        jurisdiction: str,
        person_id: str,
        minutes: int,
        held_on: str,
        recorded_by: str,
    ) -> None:
        if isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
            raise InvalidValue("minutes", f"must be between 1 and {MAX_MINUTES}")
        self._service_recorded(
            service_id, activity_id, jurisdiction, person_id, minutes, held_on, recorded_by
        )

    @event("ServiceRecorded")
    def _service_recorded(
        self,
        service_id: str,
        activity_id: str,
        jurisdiction: str,
        person_id: str,
        minutes: int,
        held_on: str,
        recorded_by: str,
    ) -> None:
        self.services[service_id] = Service(activity_id, person_id, minutes, held_on, recorded_by)

    def confirm_service(
        self, activity_id: str, service_id: str, confirmer: str, on_behalf_of: str | None
    ) -> int:
        """The points the service earned, now counted."""
        service = self.service(service_id)
        if service.activity_id != activity_id:
            raise NotFound("service", service_id)
        if service.confirmed_by is not None:
            raise ServiceAlreadyConfirmed(f"Service {service_id} was confirmed by {service.confirmed_by}")
        if confirmer == service.recorded_by:
            raise SelfApproval(f"{confirmer} recorded this service")
        if service.person_id in (confirmer, on_behalf_of):
            raise SelfApproval("volunteers cannot confirm their own service")
        points = earned(service.minutes, self.points_per_hour)
        self._service_confirmed(service_id, service.person_id, service.minutes, points, confirmer)
        return points

    @event("ServiceConfirmed")
    def _service_confirmed(
        self, service_id: str, person_id: str, minutes: int, points: int, confirmed_by: str
    ) -> None:
        service = self.services[service_id]
        service.confirmed_by = confirmed_by
        service.points = points
        self._credit(person_id, service.held_on, points)

    # Adjustments and redemptions

    def adjust(self, person_id: str, points: int, reason: str, note: str | None, on: str) -> int:
        """The balance after the adjustment (a deduction may take it below zero)."""
        if isinstance(points, bool) or points == 0 or abs(points) > MAX_ADJUSTMENT:
            raise InvalidValue(
                "points", f"must be a whole number other than 0, at most {MAX_ADJUSTMENT} either way"
            )
        if reason in self.additions:
            if points < 0:
                raise InvalidValue("points", f"{reason!r} adds points: give a positive number")
        elif reason in self.deductions:
            if points > 0:
                raise InvalidValue("points", f"{reason!r} deducts points: give a negative number")
        else:
            known = ", ".join([*self.additions, *self.deductions])
            raise InvalidValue("reason", f"{reason!r} is not one of the organisation's reasons: {known}")
        self._adjusted(person_id, points, reason, note, on)
        return self.balance(person_id)

    @event("Adjusted")
    def _adjusted(self, person_id: str, points: int, reason: str, note: str | None, on: str) -> None:
        self._credit(person_id, on, points)

    def redeem(self, person_id: str, points: int, reward: str, on: str) -> int:
        """The balance after the redemption, never below zero."""
        if isinstance(points, bool) or not 1 <= points <= MAX_ADJUSTMENT:
            raise InvalidValue("points", f"must be between 1 and {MAX_ADJUSTMENT}")
        if not reward.strip():
            raise InvalidValue("reward", "must not be blank")
        balance = self.balance(person_id)
        if points > balance:
            raise InsufficientPoints(f"{points} points asked for, the balance is {balance}")
        self._redeemed(person_id, points, reward, on)
        return balance - points

    @event("Redeemed")
    def _redeemed(self, person_id: str, points: int, reward: str, on: str) -> None:
        self._credit(person_id, on, -points)
