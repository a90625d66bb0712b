"""Dependencies: the application, and the command context built from headers."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import re
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from typing import Annotated, ParamSpec
from uuid import uuid4

import orjson
from fastapi import Depends, Header, Request

from api.auth import CurrentPrincipal
from api.metrics import CommandOutcomes
from api.problems import BadRequest
from domain.application import Gongzhi
from domain.context import CommandContext, CommandResult, IdempotencyClaim, acting
from domain.errors import DomainError
from domain.principals import PrincipalRole
from infra.tracing import current_traceparent, tracer

P = ParamSpec("P")

ACTOR = re.compile(r"^[\w.@:-]{1,128}$")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
ENTITY_TAG = re.compile(r'^(W/)?"?([0-9]{1,18})"?$')
IF_MATCH = r'^(\*|(W/)?"?[0-9]{1,18}"?)$'


async def get_application(request: Request) -> Gongzhi:
    app: Gongzhi = request.app.state.application
    return app


Application = Annotated[Gongzhi, Depends(get_application)]
IfNoneMatch = Annotated[
    str | None, Header(description="An ETag the client holds: a bodiless 304 while it is current")
]


async def _fingerprint(request: Request) -> str:
    """Same method, path and JSON body (whatever its formatting) → same fingerprint."""
    body = await request.body()
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def _expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = ENTITY_TAG.match(if_match.strip())
    if tag is None:
        raise BadRequest(400, "Bad If-Match", 'If-Match must be an entity tag such as "3"', "If-Match")
    return int(tag.group(2))


async def command_context(
    request: Request,
    principal: CurrentPrincipal,
    on_behalf_of: Annotated[
        str | None,
        Header(
            description="Integrations only: the person the system acts for",
            json_schema_extra={"pattern": ACTOR.pattern},
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None, Header(json_schema_extra={"pattern": IDEMPOTENCY_KEY.pattern})
    ] = None,
    if_match: Annotated[
        str | None,
        Header(description='The version as an entity tag: "3"', json_schema_extra={"pattern": IF_MATCH}),
    ] = None,
    x_correlation_id: Annotated[str | None, Header()] = None,
) -> CommandContext:
    """The actor is the authenticated principal; nothing the client says about itself counts."""
    if on_behalf_of is not None:
        if principal.role is not PrincipalRole.INTEGRATION:
            raise BadRequest(
                400,
                "Not an integration",
                "Only integration keys may act on behalf of someone",
                "On-Behalf-Of",
            )
        if not ACTOR.match(on_behalf_of):
            raise BadRequest(
                400, "Bad On-Behalf-Of", "On-Behalf-Of must be 1-128 word characters", "On-Behalf-Of"
            )
    claim = None
    if idempotency_key is not None:
        if not IDEMPOTENCY_KEY.match(idempotency_key):
            raise BadRequest(
                400,
                "Bad idempotency key",
                "Idempotency-Key must be 1-255 visible ASCII characters",
                "Idempotency-Key",
            )
        claim = IdempotencyClaim(principal.name, idempotency_key, await _fingerprint(request))
    given = x_correlation_id if x_correlation_id and len(x_correlation_id) <= 128 else None
    request.state.correlation_id = correlation_id = given or str(uuid4())
    return CommandContext(
        actor=principal.name,
        correlation_id=correlation_id,
        idempotency=claim,
        expected_version=_expected_version(if_match),
        on_behalf_of=on_behalf_of,
        person_id=principal.person_id,
    )


class Commands:
    """Runs application commands inside the request's command context, on the command
    lanes: a small thread pool of their own, so that commands waiting for one
    aggregate can be decided together (``domain.turns``) and concurrent saves share a
    transaction (group commit), on SQLite as on PostgreSQL. More lanes at once would
    only queue on the store while holding pooled connections."""

    def __init__(
        self, application: Gongzhi, context: CommandContext, lanes: Executor, outcomes: CommandOutcomes
    ) -> None:
        self.application = application
        self.context = context
        self.lanes = lanes
        self.outcomes = outcomes

    async def __call__(
        self, command: Callable[P, CommandResult], *args: P.args, **kwargs: P.kwargs
    ) -> CommandResult:
        loop = asyncio.get_running_loop()
        request_context = contextvars.copy_context()  # the request's span, in the lane's thread
        return await loop.run_in_executor(
            self.lanes, request_context.run, lambda: self._run(command, *args, **kwargs)
        )

    def _run(self, command: Callable[P, CommandResult], *args: P.args, **kwargs: P.kwargs) -> CommandResult:
        outcome = "failed"
        with tracer.start_as_current_span(f"command {command.__name__}") as span:
            context = replace(self.context, traceparent=current_traceparent())
            try:
                with acting(context):
                    result = command(*args, **kwargs)
                outcome = "repeated" if result.replayed else "recorded"
                span.set_attributes(
                    {"gongzhi.aggregate.id": str(result.id), "gongzhi.position": result.position}
                )
                return result
            except DomainError:
                outcome = "refused"
                raise
            finally:
                span.set_attribute("gongzhi.command.outcome", outcome)
                self.outcomes.count(command.__name__, outcome)


async def get_commands(
    request: Request,
    application: Application,
    context: Annotated[CommandContext, Depends(command_context)],
) -> Commands:
    state = request.app.state
    return Commands(application, context, state.command_lanes, state.command_outcomes)


CommandsDep = Annotated[Commands, Depends(get_commands)]
