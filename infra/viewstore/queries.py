"""Reads for dashboards and integrators, straight from the view tables."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from domain.jurisdiction import SEPARATOR, bare, under
from infra.changes import ChangeWatch
from infra.viewstore.generations import LiveGenerations
from infra.viewstore.runner import ViewRunner
from infra.viewstore.sources import Match, RowSource, SqlRows
from infra.viewstore.tables import ViewTables
from projections.rows import Row

T = TypeVar("T")


def at_or_under(prefix: str, column: str = "jurisdiction") -> tuple[str, list[Any]]:
    """A SQL condition (and its parameters) for the paths at or under a prefix, as
    ``domain.jurisdiction.under`` has it: ``a/b`` covers ``a/b`` and ``a/b/…`` but not
    ``a/bc``; "" covers everything.

    The paths below ``a/b`` are a range an index on the column answers: from ``a/b/``
    up to ``a/b0``, "0" being the character after "/". In byte order (SQLite's, and
    PostgreSQL's "C" collation) the range holds exactly those paths; a linguistic
    collation may sort other characters between the two (``a/b%``, ``a/b~``), so the
    rows found are held to the prefix itself too."""
    prefix = bare(prefix)
    if not prefix:
        return "1 = 1", []
    below, past = prefix + SEPARATOR, prefix + chr(ord(SEPARATOR) + 1)
    condition = f"({column} = ? OR ({column} >= ? AND {column} < ? AND substr({column}, 1, ?) = ?))"
    return condition, [prefix, below, past, len(below), below]


@dataclass(frozen=True)
class Within:
    """The rows a reader may see: those of these organisations, or under these
    jurisdiction prefixes; None places no limit."""

    organisations: frozenset[str] | None = None
    jurisdictions: tuple[str, ...] | None = None

    def admits(self, organisation_id: str, jurisdiction: str | None) -> bool:
        if self.organisations is not None and organisation_id not in self.organisations:
            return False
        if self.jurisdictions is not None:
            return jurisdiction is not None and any(under(jurisdiction, p) for p in self.jurisdictions)
        return True

    def projects_condition(self) -> tuple[str, list[Any]]:
        """SQL over the projects view: led by or partnered with one of the organisations,
        or led within one of the jurisdictions."""
        parts: list[str] = []
        params: list[Any] = []
        for organisation in sorted(self.organisations or ()):
            parts.append("(lead_organisation_id = ? OR partner_organisation_ids LIKE ?)")
            params += [organisation, f'%"{organisation}"%']
        for prefix in self.jurisdictions or ():
            condition, values = at_or_under(prefix)
            parts.append(condition)
            params += values
        if self.organisations is None and self.jurisdictions is None:
            return "1 = 1", []
        return f"({' OR '.join(parts) or '1 = 0'})", params


EVERYTHING = Within()


class BadCursor(ValueError):
    """A pagination cursor this service did not issue."""


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise BadCursor(cursor) from None
    if not isinstance(values, list) or len(values) != length:
        raise BadCursor(cursor)
    return values


class Page:
    def __init__(self, items: list[Row], next_cursor: str | None) -> None:
        self.items = items
        self.next_cursor = next_cursor


def paged(rows: list[Row], order: tuple[str, ...], limit: int) -> Page:
    """A page of ``limit`` rows from ``limit + 1`` read, with the cursor past the last."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor([rows[-1][c] for c in order]) if more else None)


class RowQueries:
    """Reads that any row source answers: the live SQL tables, or rows folded in memory."""

    def __init__(self, source: RowSource) -> None:
        self.source = source

    def read(self, reads: Callable[..., T], *args: Any) -> T:
        """``reads(*args)``: one or more of the reads below, taken together."""
        return reads(*args)

    def _one(self, view: str, table: str, match: Match) -> Row | None:
        found = self.source.select(view, table, match, tuple(match), limit=1)
        return found[0] if found else None

    def _page(
        self, view: str, table: str, match: Match, order: tuple[str, ...], cursor: str | None, limit: int
    ) -> Page:
        after = decode_cursor(cursor, len(order))
        return paged(self.source.select(view, table, match, order, after, limit + 1), order, limit)

    # Membership

    def organisation(self, organisation_id: str) -> Row | None:
        return self._one("membership", "organisations", {"id": organisation_id})

    def members(self, organisation_id: str, cursor: str | None, limit: int) -> Page:
        match = {"organisation_id": organisation_id}
        return self._page("membership", "members", match, ("person_id",), cursor, limit)

    def member_counts(self, organisation_id: str) -> dict[str, dict[str, int]]:
        match = {"organisation_id": organisation_id}
        return {
            f"by_{column}": self.source.count("membership", "members", match, column)
            for column in ("role", "category")
        }

    def departures(self, organisation_id: str, cursor: str | None, limit: int) -> Page:
        match = {"organisation_id": organisation_id}
        return self._page("membership", "departures", match, ("position",), cursor, limit)

    def memberships(
        self, person_id: str, cursor: str | None, limit: int, within: Within = EVERYTHING
    ) -> Page:
        """A page of the person's memberships; those ``within`` does not admit are left out
        (the page may then be short, and its cursor still goes on from where it read)."""
        page = self._page(
            "membership", "members", {"person_id": person_id}, ("organisation_id",), cursor, limit
        )
        for row in page.items:
            organisation = self.organisation(row["organisation_id"]) or {}
            row |= {key: organisation.get(key) for key in ("kind", "name", "jurisdiction", "status")}
        page.items = [r for r in page.items if within.admits(r["organisation_id"], r["jurisdiction"])]
        return page

    # Projects

    def project(self, project_id: str) -> Row | None:
        return self._one("projects", "projects", {"id": project_id})

    # Funds

    def fund(self, fund_id: str) -> Row | None:
        fund = self._one("funds", "funds", {"id": fund_id})
        if fund is None:
            return None
        mine = {"fund_id": fund_id}
        fund["by_purpose"] = self.source.select("funds", "fund_purposes", mine, ("purpose",))
        pending = mine | {"status": ("requested", "approved")}
        fund["pending_disbursements"] = self.source.select(
            "funds", "disbursements", pending, ("requested_at", "id")
        )
        return fund

    def ledger(self, fund_id: str, cursor: str | None, limit: int) -> Page:
        return self._page("funds", "ledger", {"fund_id": fund_id}, ("position",), cursor, limit)


class LiveViews:
    """The live generation of each of a runner's views, as this process knows it
    (``LiveGenerations``), and its tables; one for the process."""

    def __init__(self, runner: ViewRunner, watch: ChangeWatch | None = None) -> None:
        self.runner = runner
        self.generations = LiveGenerations(runner.database, watch)
        self._tables: dict[tuple[str, int], ViewTables] = {}

    def tables(self, name: str, generation: int) -> ViewTables:
        tables = self._tables.get((name, generation))
        if tables is None:
            tables = ViewTables(self.runner.database, self.runner.views[name], generation)
            self._tables = {key: t for key, t in self._tables.items() if key[0] != name}
            self._tables[(name, generation)] = tables
        return tables


class ViewQueries(RowQueries):
    """The live views: the reads above from their SQL tables, and the reads only SQL answers.

    ``read`` takes a request's reads in one transaction, with the live generations
    as this process knows them; should a read fail because a swap this process had
    not heard of yet dropped a generation, the reads run once more on the new ones."""

    def __init__(self, views: LiveViews) -> None:
        self.sql = SqlRows(self._tables)
        super().__init__(self.sql)
        self.views = views
        self.live: dict[str, int] = {}

    def _tables(self, name: str) -> ViewTables:
        generation = self.live.get(name)
        if generation is None:  # outside ``read``, or a view without a generation yet
            return self.views.runner.live(name)
        return self.views.tables(name, generation)

    def read(self, reads: Callable[..., T], *args: Any) -> T:
        database, generations = self.views.runner.database, self.views.generations
        again = False
        while True:
            try:
                with database.transaction(commit=False) as cursor:
                    self.live = generations.read(cursor, again=again)
                    self.sql.cursor = cursor
                    return reads(*args)
            except Exception:
                if again or generations.read(again=True) == self.live:
                    raise
                again = True
            finally:
                self.sql.cursor = None
                self.live = {}

    def projects(
        self,
        status: str | None,
        organisation_id: str | None,
        jurisdiction: str | None,
        cursor: str | None,
        limit: int,
        within: Within = EVERYTHING,
    ) -> Page:
        where, params = within.projects_condition()
        if status:
            where += " AND status = ?"
            params.append(status)
        if organisation_id:
            where += " AND (lead_organisation_id = ? OR partner_organisation_ids LIKE ?)"
            params += [organisation_id, f'%"{organisation_id}"%']
        if jurisdiction:
            condition, values = at_or_under(jurisdiction)
            where += f" AND {condition}"
            params += values
        after = decode_cursor(cursor, 1)
        rows = self.sql.select_where("projects", "projects", where, params, ("id",), after, limit + 1)
        return paged(rows, ("id",), limit)

    # Statistics

    def statistics(self, jurisdiction: str) -> dict[str, int]:
        condition, params = at_or_under(jurisdiction)
        return self.sql.totals("statistics", "figures", condition, params, "metric", "SUM(value)")
