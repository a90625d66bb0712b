"""What the community-work commands share: the people and organisations they name,
``If-Match`` on the organisation a new record is made under, and the points book,
which the first command that needs it opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.commanding import CommandService
from domain.context import CommandResult, current_context
from domain.errors import InvalidValue, NotFound, NotMember, VersionMismatch
from domain.jurisdiction import under
from domain.organisation import Organisation
from domain.points import PointsBook


class CommunityCommands(CommandService):
    if TYPE_CHECKING:

        def _require_person(self, person_id: UUID, field: str) -> str: ...

        def _require_organisation(self, organisation_id: UUID, field: str) -> Organisation: ...

    def _active_organisation(self, organisation_id: UUID, field: str = "organisation_id") -> Organisation:
        organisation = self._require_organisation(organisation_id, field)
        organisation.require_active()
        return organisation

    @staticmethod
    def _expecting(version: int) -> None:
        """``If-Match`` on a command that makes something new under an existing record."""
        expected = current_context().expected_version
        if expected is not None and expected != version:
            raise VersionMismatch(expected, version)

    @staticmethod
    def _require_member(
        organisation: Organisation, person_id: str, field: str, roles: tuple[str, ...] = ()
    ) -> None:
        membership = organisation.members.get(person_id)
        if membership is None:
            raise NotMember(f"Person {person_id} is not an active member of organisation {organisation.id}")
        if roles and membership.role not in roles:
            raise InvalidValue(
                field, f"person {person_id} is a {membership.role}, not a {' or '.join(roles)}"
            )

    @staticmethod
    def _within(organisation: Organisation, jurisdiction: str) -> str:
        if not under(jurisdiction, organisation.jurisdiction):
            raise InvalidValue(
                "jurisdiction", f"must lie within the organisation's, {organisation.jurisdiction}"
            )
        return jurisdiction

    def _on_book(
        self, organisation_id: UUID, change: Callable[[PointsBook], dict[str, Any] | None]
    ) -> CommandResult:
        """Changes the organisation's points book, opening it first if it has none;
        ``If-Match`` names the book's version (0 before it is opened)."""
        book_id = PointsBook.id_for(str(organisation_id))

        def decide() -> tuple[PointsBook, dict[str, Any]]:
            try:
                book = self.get(PointsBook, book_id)
            except NotFound:
                self._active_organisation(organisation_id)
                book = PointsBook(organisation_id=str(organisation_id))
            self._expecting(book.version - len(book.pending_events))
            return book, change(book) or {}

        return self._command(decide, writes=(book_id,))
