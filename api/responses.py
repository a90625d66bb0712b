"""Command responses: the new version and store position, with an ETag."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse, Response

from api.schemas import Problem
from domain.context import CommandResult


class OrjsonResponse(JSONResponse):
    """JSON rendered with orjson (UUIDs, dates and datetimes natively). A JSONResponse, so that
    the OpenAPI document shows each route's response model."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


PROBLEM_SCHEMA = Problem.model_json_schema()


def problem_response(description: str) -> dict[str, Any]:
    """An OpenAPI response that is an RFC 9457 problem."""
    return {
        "model": None,
        "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        "description": description,
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: problem_response(text)
    for code, text in [
        (400, "Malformed request or missing header"),
        (401, "No API key, or one that is unknown, revoked or expired"),
        (403, "The key's role or scope does not allow this"),
        (404, "Unknown id"),
        (409, "Refused by a domain rule or concurrent modification"),
        (412, "If-Match no longer matches"),
        (413, "The request body is larger than the limit"),
        (422, "Invalid input, or an idempotency key reused for another request"),
        (429, "Too many requests from this key: retry after the Retry-After seconds"),
    ]
}


VIEW_BEHIND = problem_response("The views had not applied min_position in time: retry after Retry-After")


def accepted(result: CommandResult, status_code: int = 200) -> OrjsonResponse:
    body = {"id": str(result.id), "version": result.version, "position": result.position}
    body |= result.extra
    headers = {"ETag": f'"{result.version}"'}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return OrjsonResponse(body, status_code=status_code, headers=headers)


def etag(version: int) -> str:
    return f'"{version}"'


def not_modified(if_none_match: str | None, version: int) -> bool:
    """Whether an If-None-Match header names this version (weakly compared, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    tags = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return any(tag in ("*", etag(version)) for tag in tags)


def with_etag(body: Any, version: int, if_none_match: str | None = None) -> Response:
    """The body with its version's ETag; a bodiless 304 when the client already has it."""
    if not_modified(if_none_match, version):
        return Response(status_code=304, headers={"ETag": etag(version)})
    return OrjsonResponse(body, headers={"ETag": etag(version)})
