"""The dashboards' hottest reads, answered without FastAPI's routing and dependency solving.

A wall screen asks for a fund's view, the statistics and a fund again and again; on
those reads FastAPI's route matching and dependency solving cost more than the read.
This plain ASGI middleware answers the plain, successful case of each: a GET with no
query string, a key this process knows, allowed by the route's entry in the permission
table and within the key's reach, for an object that exists. It checks with the same
functions as ``api.auth`` and reads with the same functions as the routes. Anything
else (no key or an unknown one, a refusal, a query, an unknown id) goes on to the route,
which answers it in full, problems included, so those answers have one source.

An answer, once encoded, is kept and given again for as long as the store reports what
it depends on unchanged: the stamps of the views it reads (``infra.viewstore.stamps``),
or the aggregate's latest version. Asking that is one statement, where reading the
answer again would take several; a write by any process changes what the store reports,
so a kept answer is never staler than a read made at the same moment.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import bearer_token
from api.permissions import rule_for
from api.problems import Forbidden, TooManyRequests, Unauthenticated
from api.public import fund_public
from api.rate_limit import limit
from api.responses import etag, not_modified
from api.routers.statistics import answer, within_reach
from domain.errors import NotFound
from domain.fund import Fund
from domain.principals import Principal
from infra.store.probes import StoreProbes
from infra.viewstore.queries import ViewQueries
from projections.funds import FundsView

UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ANSWERS_KEPT = 4096
T = TypeVar("T")
DEFERRED = (Unauthenticated, Forbidden, TooManyRequests, NotFound)
"""Refusals the route answers in full."""


@dataclass(frozen=True)
class Answer:
    body: Any
    version: int | None = None
    """The aggregate's version, for its ETag."""


@dataclass(frozen=True)
class Encoded:
    body: bytes
    version: int | None


Read = Callable[[Any, dict[str, str]], Answer | None]
"""Reads an answer from the app's state and the path's parameters; None when there is none."""

Freshness = Callable[[StoreProbes, dict[str, str]], Awaitable[Hashable | None]]
"""What the answer depends on, asked of the store in one statement; None when there is no object."""


def fund_view(state: Any, path: dict[str, str]) -> Answer | None:
    views = ViewQueries(state.live_views)
    found = views.read(views.fund, path["fund_id"])
    return None if found is None else Answer(found)


def fund_aggregate(state: Any, path: dict[str, str]) -> Answer | None:
    fund = state.application.read(Fund, UUID(path["fund_id"]))
    return Answer(fund_public(fund), fund.version)


def views_stamp(*names: str) -> Freshness:
    """The stamps of the named views, or of every view when none is named."""

    async def stamp(probes: StoreProbes, _: dict[str, str]) -> Hashable:
        stamps = await probes.view_stamps()
        return tuple(stamps.get(name) for name in names) if names else tuple(sorted(stamps.items()))

    return stamp


async def fund_version(probes: StoreProbes, path: dict[str, str]) -> Hashable | None:
    return await probes.latest_version(UUID(path["fund_id"]))


@dataclass(frozen=True)
class HotRoute:
    """Stands for the route in ``scope["route"]``, where the request metrics find its path."""

    path: str
    pattern: re.Pattern[str]
    read: Read | None
    """None where the read needs the principal (the statistics)."""
    freshness: Freshness


ROUTES = [
    HotRoute(
        "/views/funds/{fund_id}",
        re.compile(f"/views/funds/(?P<fund_id>{UUID_TEXT})"),
        fund_view,
        views_stamp(FundsView.name),
    ),
    HotRoute("/views/statistics", re.compile("/views/statistics"), None, views_stamp()),
    HotRoute(
        "/funds/{fund_id}", re.compile(f"/funds/(?P<fund_id>{UUID_TEXT})"), fund_aggregate, fund_version
    ),
]


class Answers:
    """The hot reads' encoded answers, each kept with the freshness it was read at and
    given again only while the store reports the same; the least recently used go first."""

    def __init__(self, size: int = ANSWERS_KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[Hashable, Encoded]] = OrderedDict()

    def get(self, key: Hashable, freshness: Hashable) -> Encoded | None:
        kept = self._kept.get(key)
        if kept is None or kept[0] != freshness:
            return None
        self._kept.move_to_end(key)
        return kept[1]

    def put(self, key: Hashable, freshness: Hashable, answer: Encoded) -> None:
        self._kept[key] = (freshness, answer)
        self._kept.move_to_end(key)
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)


class HotReads:
    """A plain ASGI middleware, inside the request metrics and the body limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.answers = Answers()

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
            request.state.principal = principal
            limit(request, principal)
            rule.check(principal)
            remote = state.settings.uses_postgres
            if rule.target is not None and not principal.sees_everything:
                await _run(remote, rule.target.check, principal, state.reaches, path, None)
            answer = await self._fresh_answer(route, state, principal, path, remote)
        except DEFERRED:
            return False
        if answer is None:
            return False
        scope["route"] = route
        await _send(send, answer, request.headers.get("if-none-match"))
        return True

    async def _fresh_answer(
        self, route: HotRoute, state: Any, principal: Principal, path: dict[str, str], remote: bool
    ) -> Encoded | None:
        """The answer kept from an earlier request while the store reports it fresh, else read
        and kept: under the freshness asked before the read, which can only make it older
        than what was read, or an aggregate's own version."""
        jurisdiction = within_reach(principal, "") if route.read is None else ""
        key = (route.path, *path.values(), jurisdiction, date.today())
        freshness = await route.freshness(state.probes, path)
        if freshness is None:
            return None
        kept = self.answers.get(key, freshness)
        if kept is not None:
            return kept
        answer = await _run(remote, self._read, route, state, path, jurisdiction)
        if answer is None:
            return None
        encoded = Encoded(orjson.dumps(answer.body), answer.version)
        self.answers.put(key, freshness if answer.version is None else answer.version, encoded)
        return encoded

    @staticmethod
    def _principal(request: Request, state: Any) -> Principal | None:
        """The key's principal when this process knows the key, reading nothing from the store."""
        token = bearer_token(request)
        if not state.keys.known(token):
            return None
        record = state.keys.authenticate(token)
        return None if record is None else record.principal

    @staticmethod
    def _read(route: HotRoute, state: Any, path: dict[str, str], jurisdiction: str) -> Answer | None:
        if route.read is not None:
            return route.read(state, path)
        views = ViewQueries(state.live_views)
        return Answer(views.read(answer, views, jurisdiction))


async def _run(remote: bool, function: Callable[..., T], *args: Any) -> T:
    """On the event loop on SQLite (quick and local), on a worker thread on PostgreSQL."""
    if remote:
        return await run_in_threadpool(function, *args)
    return function(*args)


async def _send(send: Send, answer: Encoded, if_none_match: str | None) -> None:
    status, headers, body = 200, [(b"content-type", b"application/json")], b""
    if answer.version is not None:
        headers = [(b"etag", etag(answer.version).encode())]
        if not_modified(if_none_match, answer.version):
            status = 304
        else:
            headers.append((b"content-type", b"application/json"))
    if status == 200:
        body = answer.body
        headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
