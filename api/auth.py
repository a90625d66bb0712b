"""Authentication and authorisation, run before every route.

The route's entry in the permission table decides: public routes pass; the
others need a current API key (401 otherwise), a role and scope the entry admits
(403), and an object within the principal's reach (404, as if it did not exist).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.permissions import is_public, rule_for
from api.problems import Forbidden, Unauthenticated
from api.rate_limit import limit
from domain.principals import Principal
from infra.api_keys import KeyStore


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthenticated("Send an API key as 'Authorization: Bearer <key>'")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must read 'Bearer <key>'", invalid_token=True)
    return token.strip()


def _principal(keys: KeyStore, token: str) -> Principal:
    record = keys.authenticate(token)
    if record is None:
        raise Unauthenticated("The key is unknown, revoked or expired", invalid_token=True)
    return record.principal


async def _body(request: Request) -> Any:
    """The JSON body, when a command names its target there: parsed as the route will take it
    (``request.json()``, cached), since a body another parser read otherwise (a UTF-8 BOM,
    UTF-16) would name one object to this check and another to the command."""
    if not await request.body():
        return None
    try:
        return await request.json()
    except ValueError:
        return None  # request validation answers for it


async def authorise(request: Request) -> None:
    """Leaves the principal (None on public routes) in ``request.state.principal``.

    On SQLite the store's reads are quick and local, and run on the event loop; on
    PostgreSQL they run on a worker thread, but a key this process knows for current
    (``KeyStore.known``) and a principal who sees everything need none."""
    route = request.scope.get("route")
    rule = rule_for(request.method, getattr(route, "path", None))
    if rule is None:
        raise Forbidden("This route has no entry in the permission table, so nobody may call it")
    request.state.principal = None
    if is_public(rule):
        limit(request, None)  # per client address
        return
    body = await _body(request) if request.method in ("POST", "PUT", "PATCH", "DELETE") else None
    keys: KeyStore = request.app.state.keys
    token = bearer_token(request)
    remote = request.app.state.settings.uses_postgres
    if remote and not keys.known(token):
        principal = await run_in_threadpool(_principal, keys, token)
    else:
        principal = _principal(keys, token)
    limit(request, principal)  # before the checks that read the store
    rule.check(principal)
    if rule.target is not None and not principal.sees_everything:
        check = partial(rule.target.check, principal, request.app.state.reaches, request.path_params, body)
        if remote:
            await run_in_threadpool(check)
        else:
            check()
    request.state.principal = principal


async def current_principal(request: Request) -> Principal:
    principal: Principal | None = request.state.principal
    if principal is None:
        raise Unauthenticated("Send an API key as 'Authorization: Bearer <key>'")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
