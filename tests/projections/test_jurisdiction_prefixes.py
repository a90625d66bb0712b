"""Which paths lie under a jurisdiction prefix: every place that decides it, in Python
and in SQL on each store, gives the same answer, including for paths that only look
alike."""

from __future__ import annotations

import pytest

from domain.application import Gongzhi
from domain.jurisdiction import bare, prefixes, under
from domain.principals import Principal, PrincipalRole
from infra.views import open_views
from infra.viewstore.queries import LiveViews, ViewQueries, Within

DISTRICT = "浙江省/金华市/金东区"
PATHS = (
    "",  # no known jurisdiction (statistics count it at "")
    "浙江省",
    "浙江省/金华市",
    DISTRICT,
    f"{DISTRICT}/多湖街道",
    f"{DISTRICT}区",
    f"{DISTRICT}区/多湖街道",
    f"{DISTRICT}%",
    f"{DISTRICT}%/村",
    f"{DISTRICT}_",
    "浙江省/金华市/金东_区",
    f"{DISTRICT}0",  # "0" is the character after "/"
    f"{DISTRICT}~",  # sorts between "/" and "0" in linguistic collations
    f"{DISTRICT}／多湖街道",  # a full-width slash is part of the segment
    "浙江省／金华市",
    "Zone/a",
    "zone/a",
)
PREFIXES = (
    "",
    "/",
    "浙江省",
    DISTRICT,
    f"{DISTRICT}/",
    f"/{DISTRICT}",
    f"{DISTRICT}区",
    f"{DISTRICT}%",
    f"{DISTRICT}_",
    "浙江省/金华市/金东_区",
    f"{DISTRICT}／多湖街道",
    "浙江省／金华市",
    "%",
    "_",
    "zone",
    "Zone",
)
EXPECTED = {
    "": set(PATHS),
    "/": set(PATHS),
    DISTRICT: {DISTRICT, f"{DISTRICT}/多湖街道"},
    f"{DISTRICT}/": {DISTRICT, f"{DISTRICT}/多湖街道"},
    f"{DISTRICT}区": {f"{DISTRICT}区", f"{DISTRICT}区/多湖街道"},
    f"{DISTRICT}%": {f"{DISTRICT}%", f"{DISTRICT}%/村"},
    f"{DISTRICT}_": {f"{DISTRICT}_"},
    "浙江省/金华市/金东_区": {"浙江省/金华市/金东_区"},
    f"{DISTRICT}／多湖街道": {f"{DISTRICT}／多湖街道"},
    "浙江省／金华市": {"浙江省／金华市"},
    "%": set(),
    "_": set(),
    "zone": {"zone/a"},
}


def python_answers(prefix: str) -> dict[str, set[str]]:
    integration = Principal("checker", PrincipalRole.INTEGRATION, jurisdictions=(prefix,))
    return {
        "under": {p for p in PATHS if under(p, prefix)},
        "prefixes": {p for p in PATHS if bare(prefix) in prefixes(p)},
        "Principal.covers": {p for p in PATHS if integration.covers(p)},
        "Within.admits": {p for p in PATHS if Within(jurisdictions=(prefix,)).admits("org", p)},
    }


def test_the_python_rule_takes_whole_segments_and_nothing_else() -> None:
    for prefix, expected in EXPECTED.items():
        assert python_answers(prefix)["under"] == expected, prefix


@pytest.fixture
def queries(app: Gongzhi) -> ViewQueries:
    """The live views, with one project and one figure at each path: the figure of the
    n-th path is 2ⁿ, so a sum says which paths it counted."""
    runner = open_views(app, ["projects", "statistics"])
    projects, statistics = runner.live("projects"), runner.live("statistics")
    for n, path in enumerate(PATHS):
        runner.database.execute(
            f"INSERT INTO {projects.name('projects')} (id, jurisdiction, partner_organisation_ids) "
            "VALUES (?, ?, '[]')",
            [f"project-{n:02}", path],
        )
        runner.database.execute(
            f"INSERT INTO {statistics.name('figures')} (jurisdiction, metric, value) VALUES (?, ?, ?)",
            [path, "organisations", 2**n],
        )
    return ViewQueries(LiveViews(runner))


def sql_answers(queries: ViewQueries, prefix: str) -> dict[str, set[str]]:
    def paths(within: Within = Within(), jurisdiction: str | None = None) -> set[str]:
        page = queries.projects(None, None, jurisdiction, None, len(PATHS) + 1, within)
        return {row["jurisdiction"] for row in page.items}

    total = queries.statistics(prefix).get("organisations", 0)
    return {
        "statistics": {p for n, p in enumerate(PATHS) if total & 2**n},
        "projects?jurisdiction=": paths(jurisdiction=prefix),
        "projects within": paths(Within(jurisdictions=(prefix,))),
    }


def test_python_and_sql_agree_on_every_prefix(queries: ViewQueries) -> None:
    for prefix in PREFIXES:
        answers = python_answers(prefix) | sql_answers(queries, prefix)
        expected = answers["under"]
        assert {how: expected for how in answers} == answers, prefix
