"""The OpenAPI document says which operations need a key, from the permission table."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.links import add_links
from api.permissions import Rule, is_public, rule_for
from api.responses import PROBLEM_RESPONSES, VIEW_BEHIND

BEARER = {"type": "http", "scheme": "bearer", "description": "An API key from `gongzhi keys create`"}


def document_security(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            schema.setdefault("components", {}).setdefault("securitySchemes", {})["apiKey"] = BEARER
            for path, operations in schema["paths"].items():
                for method, operation in operations.items():
                    rule = rule_for(method.upper(), path)
                    if rule is None or not is_public(rule):
                        operation["security"] = [{"apiKey": []}]
                    _document_refusals(operation, rule)
                    _absent_not_null(operation)
            add_links(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_refusals(operation: dict[str, Any], rule: Rule | None) -> None:
    """What an operation may answer before its route runs: 413 (body over the limit), 429 (rate
    limit), 401 and 403 where a key is needed, 503 where min_position waits for the views; and
    invalid requests as problems, not as FastAPI's default 422."""
    responses = operation.setdefault("responses", {})
    public = rule is not None and is_public(rule)
    for code in (413, 429) if public else (401, 403, 413, 429):
        responses.setdefault(str(code), _openapi(PROBLEM_RESPONSES[code]))
    if any(parameter["name"] == "min_position" for parameter in operation.get("parameters", [])):
        responses.setdefault("503", _openapi(VIEW_BEHIND))
    if "HTTPValidationError" in str(responses.get("422")):
        responses["422"] = _openapi(PROBLEM_RESPONSES[422])


def _openapi(response: dict[str, Any]) -> dict[str, Any]:
    """A response as FastAPI's ``responses`` take it, as the OpenAPI document has it."""
    return {key: value for key, value in response.items() if key != "model"}


def _absent_not_null(operation: dict[str, Any]) -> None:
    """An optional header or query parameter is left out, never null: FastAPI documents
    ``str | None`` as ``anyOf: [string, null]``, which would let clients send ``null``."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
        if len(branches) < len(schema.get("anyOf", [])):
            del schema["anyOf"]
            if len(branches) == 1:
                schema.update(branches[0])
            else:
                schema["anyOf"] = branches
