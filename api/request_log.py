"""One log line for each request (in JSON logs): what was asked, of which route, by whom,
and how it went; never a path's ids, a query or a body, which may carry personal details."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from infra.log_format import FIELDS

Scope = dict[str, Any]
log = logging.getLogger("gongzhi.requests")
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def trace_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The W3C trace id the caller sent, if it sent a well-formed ``traceparent``."""
    for name, value in headers:
        if name == b"traceparent":
            match = TRACEPARENT.match(value.decode("latin-1").strip())
            return match.group(1) if match else None
    return None


class RequestLog:
    """A plain ASGI middleware, outermost, so that its duration is the whole request's."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            state = scope.get("state") or {}
            principal = state.get("principal")
            log.info(
                "%s %s %d",
                scope["method"],
                getattr(scope.get("route"), "path", "unmatched"),
                status,
                extra={
                    FIELDS: {
                        "method": scope["method"],
                        "route": getattr(scope.get("route"), "path", "unmatched"),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                        "principal_id": getattr(principal, "name", None),
                        "correlation_id": state.get("correlation_id"),
                        "trace_id": trace_id(scope.get("headers", [])),
                    }
                },
            )
