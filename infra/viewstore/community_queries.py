"""Reads of the community-work views (``casework``, ``volunteering``), and their
statistics under a jurisdiction prefix: counts, rates and medians taken over the rows."""

from __future__ import annotations

import statistics
from typing import Any

from infra.viewstore.queries import Page, ViewQueries, Within, at_or_under, decode_cursor, paged
from projections.rows import Row

CASEWORK, VOLUNTEERING = "casework", "volunteering"


def _within(within: Within) -> tuple[str, list[Any]]:
    parts, params = ["1 = 1"], []
    if within.organisations is not None:
        ids = sorted(within.organisations)
        parts.append(f"organisation_id IN ({', '.join('?' for _ in ids)})" if ids else "1 = 0")
        params += ids
    if within.jurisdictions is not None:
        conditions = [at_or_under(prefix) for prefix in within.jurisdictions]
        parts.append(f"({' OR '.join(c for c, _ in conditions) or '1 = 0'})")
        params += [value for _, values in conditions for value in values]
    return " AND ".join(parts), params


def _query(
    views: ViewQueries, view: str, table: str, select: str, where: str, params: list[Any]
) -> list[Row]:
    tables = views.sql.tables(view)
    statement = f"SELECT {select} FROM {tables.name(table)} WHERE {where}"
    return [dict(row) for row in tables.database.query(statement, params, views.sql.cursor)]


def overdue_condition() -> str:
    return "(status <> 'closed' AND due_on IS NOT NULL AND due_on < ?)"


# Lists


def mediation_cases(views: ViewQueries, organisation_id: str, cursor: str | None, limit: int) -> Page:
    match = {"organisation_id": organisation_id}
    after = decode_cursor(cursor, 1)
    rows = views.sql.select(CASEWORK, "mediation_cases", match, ("id",), after, limit + 1)
    return paged(rows, ("id",), limit)


def with_overdue(row: Row, today: str) -> Row:
    row["overdue"] = row["status"] != "closed" and row["due_on"] is not None and row["due_on"] < today
    return row


def hazards(
    views: ViewQueries,
    today: str,
    within: Within,
    organisation_id: str | None,
    jurisdiction: str | None,
    status: str | None,
    overdue: bool | None,
    cursor: str | None,
    limit: int,
) -> Page:
    where, params = _within(within)
    if organisation_id:
        where += " AND organisation_id = ?"
        params.append(organisation_id)
    if jurisdiction:
        condition, values = at_or_under(jurisdiction)
        where += f" AND {condition}"
        params += values
    if status:
        where += " AND status = ?"
        params.append(status)
    if overdue is not None:
        where += f" AND {'' if overdue else 'NOT '}{overdue_condition()}"
        params.append(today)
    after = decode_cursor(cursor, 1)
    rows = views.sql.select_where(CASEWORK, "hazards", where, params, ("id",), after, limit + 1)
    page = paged(rows, ("id",), limit)
    page.items = [with_overdue(row, today) for row in page.items]
    return page


def volunteers(views: ViewQueries, organisation_id: str, cursor: str | None, limit: int) -> tuple[Page, Row]:
    """The organisation's volunteers (people with confirmed service) and their hours, and totals."""
    where, params = "organisation_id = ? AND confirmed_minutes > 0", [organisation_id]
    after = decode_cursor(cursor, 1)
    rows = views.sql.select_where(VOLUNTEERING, "balances", where, params, ("person_id",), after, limit + 1)
    page = paged(rows, ("person_id",), limit)
    page.items = [
        {"person_id": r["person_id"], "hours": r["confirmed_minutes"] / 60, "points_earned": r["earned"]}
        for r in page.items
    ]
    (totals,) = _query(
        views,
        VOLUNTEERING,
        "balances",
        "COUNT(*) AS volunteers, COALESCE(SUM(confirmed_minutes), 0) AS minutes",
        where,
        params,
    )
    return page, {"volunteers": int(totals["volunteers"]), "hours": int(totals["minutes"]) / 60}


def points_statement(
    views: ViewQueries, organisation_id: str, person_id: str, cursor: str | None, limit: int
) -> tuple[Page, Row]:
    match = {"organisation_id": organisation_id, "person_id": person_id}
    found = views.sql.select(VOLUNTEERING, "balances", match, ("person_id",))
    totals = {k: found[0][k] for k in ("earned", "adjusted", "redeemed", "balance")} if found else {}
    after = decode_cursor(cursor, 1)
    lines = views.sql.select(VOLUNTEERING, "points_lines", match, ("position",), after, limit + 1)
    page = paged(lines, ("position",), limit)
    for line in page.items:
        line.pop("organisation_id")
        line.pop("person_id")
    return page, totals or dict.fromkeys(("earned", "adjusted", "redeemed", "balance"), 0)


def dividend(views: ViewQueries, dividend_id: str) -> Row | None:
    found = views.sql.select(VOLUNTEERING, "dividends", {"id": dividend_id}, ("id",))
    return found[0] if found else None


def allocations(views: ViewQueries, dividend_id: str, cursor: str | None, limit: int) -> Page:
    after = decode_cursor(cursor, 1)
    match = {"dividend_id": dividend_id}
    rows = views.sql.select(VOLUNTEERING, "dividend_allocations", match, ("person_id",), after, limit + 1)
    return paged(rows, ("person_id",), limit)


# Statistics


def _median(values: list[Row], column: str) -> float | None:
    found = [row[column] for row in values if row[column] is not None]
    return statistics.median(found) if found else None


def _by(rows: list[Row], column: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[column]] = counts.get(row[column], 0) + 1
    return dict(sorted(counts.items()))


def community_statistics(views: ViewQueries, jurisdiction: str, today: str) -> dict[str, Any]:
    """Mediation, hazards and volunteering under a jurisdiction prefix."""
    where, params = at_or_under(jurisdiction)
    return {
        "mediation": _mediation(views, where, params),
        "hazards": _hazards(views, where, params, today),
        "volunteering": _volunteering(views, where, params),
    }


def _mediation(views: ViewQueries, where: str, params: list[Any]) -> dict[str, Any]:
    cases = _query(views, CASEWORK, "mediation_cases", "category, status, days_to_end", where, params)
    ended = [c for c in cases if c["days_to_end"] is not None]
    resolved = sum(1 for c in ended if c["status"] == "resolved")
    return {
        "received": len(cases),
        "ended": len(ended),
        "resolved": resolved,
        "resolution_rate": round(resolved / len(ended), 4) if ended else None,
        "median_days_to_end": _median(ended, "days_to_end"),
        "by_category": _by(cases, "category"),
    }


def _hazards(views: ViewQueries, where: str, params: list[Any], today: str) -> dict[str, Any]:
    select = "category, status, due_on, rectifications, days_to_close"
    found = _query(views, CASEWORK, "hazards", select, where, params)
    closed = [h for h in found if h["status"] == "closed"]
    return {
        "found": len(found),
        "rectified": sum(1 for h in found if h["rectifications"] > 0),
        "closed": len(closed),
        "open": len(found) - len(closed),
        "overdue": sum(1 for h in found if with_overdue(h, today)["overdue"]),
        "median_days_to_close": _median(closed, "days_to_close"),
        "by_category": _by(found, "category"),
    }


def _volunteering(views: ViewQueries, where: str, params: list[Any]) -> dict[str, Any]:
    (activities,) = _query(
        views,
        VOLUNTEERING,
        "activities",
        "COUNT(*) AS activities, COUNT(DISTINCT organisation_id) AS teams",
        where,
        params,
    )
    confirmed = f"{where} AND status = 'confirmed'"
    (service,) = _query(
        views,
        VOLUNTEERING,
        "service",
        "COUNT(DISTINCT person_id) AS volunteers, COALESCE(SUM(minutes), 0) AS minutes",
        confirmed,
        params,
    )
    return {
        "volunteers": int(service["volunteers"]),
        "teams": int(activities["teams"]),
        "activities": int(activities["activities"]),
        "confirmed_hours": int(service["minutes"]) / 60,
    }
