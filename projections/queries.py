"""Reads for dashboards and integrators, straight from the view tables."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from projections.rows import Row
from projections.runner import ViewRunner
from projections.statistics import under
from projections.store import ViewTables, decode


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


class ViewQueries:
    def __init__(self, runner: ViewRunner) -> None:
        self.runner = runner

    def _tables(self, view: str) -> ViewTables:
        return self.runner.live(view)

    def _select(self, tables: ViewTables, table: str, where: str, params: list[Any]) -> list[Row]:
        spec = tables.tables[table]
        rows = tables.database.query(f"SELECT * FROM {tables.name(table)} WHERE {where}", params)
        return [decode(spec, row) for row in rows]

    def _page(
        self,
        tables: ViewTables,
        table: str,
        where: str,
        params: list[Any],
        order: tuple[str, ...],
        cursor: str | None,
        limit: int,
    ) -> Page:
        after = decode_cursor(cursor, len(order))
        if after is not None:
            where += f" AND ({', '.join(order)}) > ({', '.join('?' for _ in order)})"
            params = [*params, *after]
        rows = self._select(
            tables, table, f"{where} ORDER BY {', '.join(order)} LIMIT ?", [*params, limit + 1]
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1][c] for c in order]) if more else None
        return Page(rows, next_cursor)

    # Membership

    def organisation(self, organisation_id: str) -> Row | None:
        found = self._select(self._tables("membership"), "organisations", "id = ?", [organisation_id])
        return found[0] if found else None

    def members(self, organisation_id: str, cursor: str | None, limit: int) -> Page:
        tables = self._tables("membership")
        return self._page(
            tables, "members", "organisation_id = ?", [organisation_id], ("person_id",), cursor, limit
        )

    def member_counts(self, organisation_id: str) -> dict[str, dict[str, int]]:
        tables = self._tables("membership")
        counts: dict[str, dict[str, int]] = {}
        for column in ("role", "category"):
            rows = tables.database.query(
                f"SELECT {column} AS value, COUNT(*) AS n FROM {tables.name('members')} "
                f"WHERE organisation_id = ? GROUP BY {column} ORDER BY {column}",
                [organisation_id],
            )
            counts[f"by_{column}"] = {row["value"]: int(row["n"]) for row in rows}
        return counts

    def departures(self, organisation_id: str, cursor: str | None, limit: int) -> Page:
        tables = self._tables("membership")
        return self._page(
            tables, "departures", "organisation_id = ?", [organisation_id], ("position",), cursor, limit
        )

    def memberships(self, person_id: str, cursor: str | None, limit: int) -> Page:
        tables = self._tables("membership")
        page = self._page(
            tables, "members", "person_id = ?", [person_id], ("organisation_id",), cursor, limit
        )
        for row in page.items:
            organisation = self.organisation(row["organisation_id"]) or {}
            row |= {key: organisation.get(key) for key in ("kind", "name", "jurisdiction", "status")}
        return page

    # Projects

    def project(self, project_id: str) -> Row | None:
        found = self._select(self._tables("projects"), "projects", "id = ?", [project_id])
        return found[0] if found else None

    def projects(
        self,
        status: str | None,
        organisation_id: str | None,
        jurisdiction: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        where, params = "1 = 1", []
        if status:
            where += " AND status = ?"
            params.append(status)
        if organisation_id:
            where += " AND (lead_organisation_id = ? OR partner_organisation_ids LIKE ?)"
            params += [organisation_id, f'%"{organisation_id}"%']
        if jurisdiction:
            where += " AND (jurisdiction = ? OR jurisdiction LIKE ?)"
            params += [jurisdiction, jurisdiction.replace("%", "").replace("_", "") + "/%"]
        return self._page(self._tables("projects"), "projects", where, params, ("id",), cursor, limit)

    # Funds

    def fund(self, fund_id: str) -> Row | None:
        tables = self._tables("funds")
        found = self._select(tables, "funds", "id = ?", [fund_id])
        if not found:
            return None
        fund = found[0]
        fund["by_purpose"] = self._select(tables, "fund_purposes", "fund_id = ? ORDER BY purpose", [fund_id])
        fund["pending_disbursements"] = self._select(
            tables,
            "disbursements",
            "fund_id = ? AND status IN ('requested', 'approved') ORDER BY requested_at, id",
            [fund_id],
        )
        return fund

    def ledger(self, fund_id: str, cursor: str | None, limit: int) -> Page:
        return self._page(
            self._tables("funds"), "ledger", "fund_id = ?", [fund_id], ("position",), cursor, limit
        )

    # Statistics

    def statistics(self, jurisdiction: str) -> dict[str, int]:
        tables = self._tables("statistics")
        condition, params = under(jurisdiction)
        rows = tables.database.query(
            f"SELECT metric, SUM(value) AS value FROM {tables.name('figures')} "
            f"WHERE {condition} GROUP BY metric ORDER BY metric",
            params,
        )
        return {row["metric"]: int(row["value"]) for row in rows}
