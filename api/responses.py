"""Command responses: the new version and store position, with an ETag."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response

from domain.context import CommandResult


class OrjsonResponse(Response):
    """JSON rendered with orjson (UUIDs, dates and datetimes natively)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": None, "content": {"application/problem+json": {}}, "description": text}
    for code, text in [
        (400, "Malformed request or missing header"),
        (404, "Unknown id"),
        (409, "Refused by a domain rule or concurrent modification"),
        (412, "If-Match no longer matches"),
        (422, "Invalid input, or an idempotency key reused for another request"),
    ]
}


def accepted(result: CommandResult, status_code: int = 200) -> OrjsonResponse:
    body = {"id": str(result.id), "version": result.version, "position": result.position}
    body |= result.extra
    headers = {"ETag": f'"{result.version}"'}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return OrjsonResponse(body, status_code=status_code, headers=headers)


def with_etag(body: Any, version: int) -> OrjsonResponse:
    return OrjsonResponse(body, headers={"ETag": f'"{version}"'})
