"""Request bodies over a size limit are refused with 413, before any route reads them.

A declared ``Content-Length`` over the limit is answered at once; a body without one
(chunked) is counted as it streams in, and the read that passes the limit raises
``ContentTooLarge``. Either way no command runs, so nothing is recorded.

FastAPI's own ``max_body_size`` counts the same way, but answers a declared length over
the limit with a plain-text 413 in place of whatever the application sends, so it
cannot be an RFC 9457 problem.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import ContentTooLarge, problem


class BodyLimit:
    """A plain ASGI middleware."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
            refused = ContentTooLarge(self.max_bytes)
            response = problem(Request(scope), 413, "Content too large", refused.detail, "content-too-large")
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise ContentTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)
