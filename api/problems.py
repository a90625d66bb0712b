"""Every error as an RFC 9457 problem (application/problem+json), in one place."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from api.responses import OrjsonResponse
from domain.errors import (
    ConcurrencyConflict,
    DomainError,
    IdempotencyKeyReused,
    InvalidValue,
    NotFound,
    RuleViolation,
    VersionMismatch,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

_STATUS_OF: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (InvalidValue, 422),
    (IdempotencyKeyReused, 422),
    (VersionMismatch, 412),
    (RuleViolation, 409),
    (ConcurrencyConflict, 409),
]


class BadRequest(Exception):
    """A request the HTTP layer refuses before any command runs."""

    def __init__(self, status: int, title: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field


class ContentTooLarge(HTTPException):
    """A request body over the limit (an HTTPException, so that FastAPI's body parsing lets it
    through rather than calling it malformed)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than {max_bytes} bytes")


class ViewBehind(Exception):
    """A read asked for a position its view has not reached in time."""

    def __init__(self, view: str, position: int, wanted: int) -> None:
        super().__init__(f"The {view} view is at position {position}, not yet at {wanted}")
        self.view = view


class Unauthenticated(Exception):
    """No credentials, or credentials that are not a current key."""

    def __init__(self, detail: str, invalid_token: bool = False) -> None:
        super().__init__(detail)
        self.challenge = 'Bearer realm="gongzhi"' + (', error="invalid_token"' if invalid_token else "")


class Forbidden(Exception):
    """An authenticated principal that may not do this (whatever the object's existence)."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many requests; retry after {retry_after} s")
        self.retry_after = retry_after


def _unauthenticated(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, Unauthenticated)
    headers = {"WWW-Authenticate": exc.challenge}
    return problem(request, 401, "Not authenticated", str(exc), "unauthenticated", headers=headers)


def _forbidden(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, Forbidden)
    errors = [{"field": exc.field, "message": str(exc)}] if exc.field else None
    return problem(request, 403, "Forbidden", str(exc), "forbidden", errors)


def _too_many(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, TooManyRequests)
    headers = {"Retry-After": str(exc.retry_after)}
    return problem(request, 429, "Too many requests", str(exc), "too-many-requests", headers=headers)


def _content_too_large(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, ContentTooLarge)
    return problem(request, 413, "Content too large", exc.detail, "content-too-large")


def _view_behind(request: Request, exc: Exception) -> OrjsonResponse:
    return problem(
        request, 503, "View not yet current", str(exc), "view-behind", headers={"Retry-After": "1"}
    )


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str | None,
    kind: str,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> OrjsonResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return OrjsonResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    """Body fields by name (``amount_fen``), others with where they were (``query.status``)."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _domain_error(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, DomainError)
    status = next((code for cls, code in _STATUS_OF if isinstance(exc, cls)), 409)
    errors = [{"field": exc.field, "message": exc.message}] if isinstance(exc, InvalidValue) else None
    return problem(request, status, exc.title, str(exc), _slug(type(exc).__name__), errors)


def _validation_error(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem(request, 400, "Malformed JSON", "The request body is not valid JSON", "malformed-json")
    errors = [{"field": _field_of(tuple(e["loc"])), "message": e["msg"]} for e in raw]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "Invalid request", detail, "validation-error", errors)


def _bad_request(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, BadRequest)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    return problem(request, exc.status, exc.title, exc.detail, exc.title.lower().replace(" ", "-"), errors)


def _http_error(request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, HTTPException)
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    return problem(request, exc.status_code, title, str(exc.detail), "http-error", headers=exc.headers)


def _unexpected(request: Request, exc: Exception) -> OrjsonResponse:
    log.exception("Unexpected error on %s %s", request.method, request.url.path)
    return problem(request, 500, "Internal error", "The error has been logged", "internal-error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ContentTooLarge, _content_too_large)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BadRequest, _bad_request)
    app.add_exception_handler(ViewBehind, _view_behind)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(TooManyRequests, _too_many)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
