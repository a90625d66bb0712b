"""The dashboards' hottest reads, answered without FastAPI's routing and dependency solving.

A wall screen asks for a fund's view, the statistics and a fund again and again; on
those reads FastAPI's route matching and dependency solving cost more than the read.
This plain ASGI middleware answers the plain, successful case of each: a GET with no
query string, a key this process knows, allowed by the route's entry in the permission
table and within the key's reach, for an object that exists. It checks with the same
functions as ``api.auth`` and reads with the same functions as the routes. Anything
else (no key or an unknown one, a refusal, a query, an unknown id) goes on to the route,
which answers it in full, problems included, so those answers have one source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import bearer_token
from api.permissions import Rule, rule_for
from api.problems import Forbidden, TooManyRequests, Unauthenticated
from api.public import fund_public
from api.rate_limit import limit
from api.responses import etag, not_modified
from api.routers.statistics import answer, within_reach
from domain.errors import NotFound
from domain.fund import Fund
from domain.principals import Principal
from infra.viewstore.queries import ViewQueries

UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DEFERRED = (Unauthenticated, Forbidden, TooManyRequests, NotFound)
"""Refusals the route answers in full."""


@dataclass(frozen=True)
class Answer:
    body: Any
    version: int | None = None
    """The aggregate's version, for its ETag."""


Read = Callable[[Any, dict[str, str]], Answer | None]
"""Reads an answer from the app's state and the path's parameters; None when there is none."""


def fund_view(state: Any, path: dict[str, str]) -> Answer | None:
    views = ViewQueries(state.live_views)
    found = views.read(views.fund, path["fund_id"])
    return None if found is None else Answer(found)


def fund_aggregate(state: Any, path: dict[str, str]) -> Answer | None:
    fund = state.application.read(Fund, UUID(path["fund_id"]))
    return Answer(fund_public(fund), fund.version)


@dataclass(frozen=True)
class HotRoute:
    """Stands for the route in ``scope["route"]``, where the request metrics find its path."""

    path: str
    pattern: re.Pattern[str]
    read: Read | None
    """None where the read needs the principal (the statistics)."""


ROUTES = [
    HotRoute("/views/funds/{fund_id}", re.compile(f"/views/funds/(?P<fund_id>{UUID_TEXT})"), fund_view),
    HotRoute("/views/statistics", re.compile("/views/statistics"), None),
    HotRoute("/funds/{fund_id}", re.compile(f"/funds/(?P<fund_id>{UUID_TEXT})"), fund_aggregate),
]


class HotReads:
    """A plain ASGI middleware, inside the request metrics and the body limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            for route in ROUTES:
                match = route.pattern.fullmatch(scope["path"])
                if match is not None:
                    if await self._answer(route, match.groupdict(), scope, send):
                        return
                    break
        await self.app(scope, receive, send)

    async def _answer(self, route: HotRoute, path: dict[str, str], scope: Scope, send: Send) -> bool:
        """Sends the answer and says True; says False, having sent nothing, for the route to answer."""
        request = Request(scope)
        state = request.app.state
        try:
            principal = self._principal(request, state)
            if principal is None:
                return False
            rule = rule_for("GET", route.path)
            if rule is None:
                return False
            limit(request, principal)
            rule.check(principal)
            remote = state.settings.uses_postgres
            answer = await _run(remote, self._read, route, rule, state, principal, path)
        except DEFERRED:
            return False
        if answer is None:
            return False
        scope["route"] = route
        await _send(send, answer, request.headers.get("if-none-match"))
        return True

    @staticmethod
    def _principal(request: Request, state: Any) -> Principal | None:
        """The key's principal when this process knows the key, reading nothing from the store."""
        token = bearer_token(request)
        if not state.keys.known(token):
            return None
        record = state.keys.authenticate(token)
        return None if record is None else record.principal

    @staticmethod
    def _read(
        route: HotRoute, rule: Rule, state: Any, principal: Principal, path: dict[str, str]
    ) -> Answer | None:
        if rule.target is not None and not principal.sees_everything:
            rule.target.check(principal, state.reaches, path, None)
        if route.read is not None:
            return route.read(state, path)
        views = ViewQueries(state.live_views)
        jurisdiction = within_reach(principal, "")
        return Answer(views.read(answer, views, jurisdiction))


async def _run(remote: bool, function: Callable[..., Answer | None], *args: Any) -> Answer | None:
    """On the event loop on SQLite (quick and local), on a worker thread on PostgreSQL."""
    if remote:
        return await run_in_threadpool(function, *args)
    return function(*args)


async def _send(send: Send, answer: Answer, if_none_match: str | None) -> None:
    status, headers, body = 200, [(b"content-type", b"application/json")], b""
    if answer.version is not None:
        headers = [(b"etag", etag(answer.version).encode())]
        if not_modified(if_none_match, answer.version):
            status = 304
        else:
            headers.append((b"content-type", b"application/json"))
    if status == 200:
        body = orjson.dumps(answer.body)
        headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
