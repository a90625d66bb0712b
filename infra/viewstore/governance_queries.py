"""Reads of the governance view: an organisation's offices (with expired terms marked as of
a day) and resolutions, and the governance figures under a jurisdiction prefix."""

from __future__ import annotations

from infra.viewstore.queries import Page, RowQueries, ViewQueries, at_or_under, decode_cursor, paged
from projections.rows import Row

VIEW = "governance"


def offices(views: RowQueries, organisation_id: str, day: str) -> list[Row]:
    """Each office holder's term, ``expired`` once past its end (until the next election)."""
    rows = views.source.select(VIEW, "offices", {"organisation_id": organisation_id}, ("office", "person_id"))
    return [
        {key: row[key] for key in ("office", "person_id", "term_start", "term_end", "motion_id")}
        | {"expired": row["term_end"] < day}
        for row in rows
    ]


def vacancies(views: RowQueries, organisation_id: str) -> dict[str, int]:
    """Seats the office's last election left vacant, by office (where any are)."""
    rows = views.source.select(VIEW, "vacancies", {"organisation_id": organisation_id}, ("office",))
    return {row["office"]: row["vacant"] for row in rows if row["vacant"]}


def resolutions(views: RowQueries, organisation_id: str, cursor: str | None, limit: int) -> Page:
    order = ("position",)
    after = decode_cursor(cursor, len(order))
    rows = views.source.select(
        VIEW, "resolutions", {"organisation_id": organisation_id}, order, after, limit + 1
    )
    page = paged(rows, order, limit)
    page.items = [_resolution(row) for row in page.items]
    return page


def _resolution(row: Row) -> Row:
    shown = {key: value for key, value in row.items() if key not in ("organisation_id", "jurisdiction")}
    if row["kind"] != "spending":
        for key in ("fund_id", "purpose", "amount_fen", "reserved_fen", "paid_fen", "remaining_fen"):
            shown.pop(key)
    if row["kind"] != "election":
        shown.pop("elected")
    return shown


def governance_figures(views: ViewQueries, jurisdiction: str, day: str) -> dict[str, int]:
    """Counts under the prefix: meetings held (and their turnouts in basis points, summed),
    resolutions passed, seats left vacant and terms expired."""
    where, params = at_or_under(jurisdiction)
    figures = views.sql.totals(VIEW, "figures", where, params, "metric", "SUM(value)")
    vacant = views.sql.totals(VIEW, "vacancies", where, params, "office", "SUM(vacant)")
    expired = views.sql.totals(
        VIEW, "offices", f"{where} AND term_end < ?", [*params, day], "office", "COUNT(*)"
    )
    return {
        "meetings.held": figures.get("meetings.held", 0),
        "meetings.turnout_bp": figures.get("meetings.turnout_bp", 0),
        "resolutions.passed": figures.get("resolutions.passed", 0),
        "offices.vacant": sum(vacant.values()),
        "offices.expired": sum(expired.values()),
    }


def averages(figures: dict[str, int]) -> dict[str, float]:
    """What the counts give on average: the turnout of a meeting held, in percent."""
    held = figures.get("meetings.held", 0)
    return {"meetings.turnout_percent": round(figures["meetings.turnout_bp"] / held / 100, 1)} if held else {}
