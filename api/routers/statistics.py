"""Statistics for dashboards, rolled up by any jurisdiction prefix.

``/views/statistics`` answers authenticated principals; an integration counts only
within its jurisdictions. ``/public/statistics`` answers anyone, down to district
level: finer figures (a street, a village) could point at individuals.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.auth import CurrentPrincipal
from api.fields import JurisdictionPrefix
from api.problems import Forbidden
from api.responses import PROBLEM_RESPONSES, OrjsonResponse
from api.routers.views import NO_AS_OF, Queries, read
from domain.principals import Principal, PrincipalRole
from infra.viewstore.community_queries import community_statistics
from infra.viewstore.governance_queries import averages, governance_figures
from infra.viewstore.queries import ViewQueries

router = APIRouter(tags=["views"], responses=PROBLEM_RESPONSES, dependencies=[NO_AS_OF])

PUBLIC_DEPTH = 3
"""Province, city, district."""

Jurisdiction = Annotated[
    JurisdictionPrefix, Query(description="Slash-separated path prefix, province first; empty for all")
]


def within_reach(principal: Principal, jurisdiction: str) -> str:
    """The prefix to count under: an integration's own when it names none, and never beyond it."""
    if principal.role is not PrincipalRole.INTEGRATION:
        return jurisdiction
    if not jurisdiction and len(principal.jurisdictions) == 1:
        return principal.jurisdictions[0]
    if not jurisdiction or not principal.covers(jurisdiction):
        raise Forbidden(
            f"Name a jurisdiction within this key's: {', '.join(principal.jurisdictions)}",
            "query.jurisdiction",
        )
    return jurisdiction


def answer(views: ViewQueries, jurisdiction: str) -> dict[str, Any]:
    """The statistics under a prefix: the figures (governance's among them), their averages and
    community work's (read in one transaction, by the route and by ``api.hot_reads``)."""
    today = date.today().isoformat()
    figures = views.statistics(jurisdiction) | governance_figures(views, jurisdiction, today)
    return {
        "jurisdiction": jurisdiction,
        "figures": figures,
        "averages": averages(figures),
        "community": community_statistics(views, jurisdiction, today),
    }


async def _figures(request: Request, views: Queries, jurisdiction: str) -> OrjsonResponse:
    return OrjsonResponse(await read(request, views, answer, views, jurisdiction))


@router.get("/views/statistics", responses={403: PROBLEM_RESPONSES[403]})
async def statistics(
    request: Request, views: Queries, principal: CurrentPrincipal, jurisdiction: Jurisdiction = ""
) -> OrjsonResponse:
    return await _figures(request, views, within_reach(principal, jurisdiction))


async def _public_depth(jurisdiction: Jurisdiction = "") -> str:
    if jurisdiction.count("/") >= PUBLIC_DEPTH:
        raise Forbidden(
            f"Public statistics go down to {PUBLIC_DEPTH} levels (province/city/district); "
            "finer figures need an API key",
            "query.jurisdiction",
        )
    return jurisdiction


@router.get("/public/statistics", responses={403: PROBLEM_RESPONSES[403]})
async def public_statistics(
    request: Request, views: Queries, jurisdiction: Annotated[str, Depends(_public_depth)]
) -> OrjsonResponse:
    return await _figures(request, views, jurisdiction)
