"""Validate AsyncAPI 3.0 documents against the official AsyncAPI 3.0.0 JSON Schema, offline.

The schema is vendored in ``tests/schemas/asyncapi-3.0.0.json`` (see ``tests/schemas/README.md``).
It is a JSON Schema draft-07 document that bundles every definition it uses, each under its own
``$id`` (``http://asyncapi.com/...``, and the draft-07 meta-schema itself), so every ``$ref`` in it
resolves inside the file. The registry below is given that one resource and no way to retrieve any
other: a ``$ref`` to anything not bundled fails with ``referencing.exceptions.Unresolvable`` instead
of reaching the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

SCHEMA_PATH = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.json"

# A message that quotes a large part of the document (``{...} is valid under each of ...``)
# is cut to this many characters.
_MAX_MESSAGE = 300


@cache
def asyncapi_validator() -> Validator:
    """A draft-07 validator for the AsyncAPI 3.0.0 schema that never fetches a remote ``$ref``."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    registry: Registry[Any] = Registry().with_resource(schema["$id"], DRAFT7.create_resource(schema))
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def validate_asyncapi(document: dict[str, Any]) -> list[str]:
    """Human-readable reasons why ``document`` is not a valid AsyncAPI 3.0.0 document; empty if valid.

    Each line is ``<JSON pointer into the document>: <message>``. Only the schema is checked: whether
    a ``$ref`` such as ``#/channels/fund`` points at something is not (see ``asyncapi_reference_errors``).
    """
    causes: dict[str, None] = {}
    for error in asyncapi_validator().iter_errors(document):
        for cause in _causes(error):
            causes[f"{_pointer(cause)}: {_shorten(cause.message)}"] = None
    return sorted(causes)


def asyncapi_reference_errors(document: dict[str, Any]) -> list[str]:
    """What the JSON Schema cannot see: local ``$ref``s that point at nothing, and operation messages
    that are not messages of the operation's channel (AsyncAPI 3.0 requires a subset). Empty if fine.

    Only references within the document (``#/...``) are followed; others are left alone.
    """
    problems: list[str] = []
    for where, ref in _local_refs(document, ""):
        if not _resolves(document, ref):
            problems.append(f"{where}/$ref: {ref!r} points at nothing in the document")
    operations = document.get("operations")
    for name, operation in (operations if isinstance(operations, dict) else {}).items():
        channel = operation.get("channel") if isinstance(operation, dict) else None
        channel_ref = channel.get("$ref") if isinstance(channel, dict) else None
        if not isinstance(channel_ref, str) or not channel_ref.startswith("#/channels/"):
            continue
        for index, message in enumerate(operation.get("messages") or []):
            message_ref = message.get("$ref") if isinstance(message, dict) else None
            if isinstance(message_ref, str) and not message_ref.startswith(f"{channel_ref}/messages/"):
                problems.append(
                    f"/operations/{_escape(name)}/messages/{index}/$ref: {message_ref!r} is not a message"
                    f" of the operation's channel {channel_ref!r}"
                )
    return problems


def _local_refs(node: Any, where: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            found.append((where, ref))
        for key, value in node.items():
            found += _local_refs(value, f"{where}/{_escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _local_refs(value, f"{where}/{index}")
    return found


def _resolves(document: Any, ref: str) -> bool:
    node = document
    for token in filter(None, unquote(ref[1:]).split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


def _causes(error: ValidationError) -> list[ValidationError]:
    """The errors that explain ``error``, looking inside ``oneOf``/``anyOf`` alternatives.

    Nearly every object in AsyncAPI is ``oneOf: [Reference, <Object>]``, so a bad object fails with
    "... is not valid under any of the given schemas". The alternatives that fail only because the
    object has no ``$ref`` are not what the author meant; the reasons are in the remaining ones.
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    meant = [errors for errors in branches.values() if not any(map(_lacks_ref, errors))]
    if len(meant) == 1:
        return [cause for sub in meant[0] for cause in _causes(sub)]
    candidates = [sub for errors in meant for sub in errors] or list(error.context)
    closest = best_match(candidates)
    return [error] if closest is None else _causes(closest)


def _lacks_ref(error: ValidationError) -> bool:
    return error.validator == "required" and error.validator_value == ["$ref"] and not error.relative_path


def _pointer(error: ValidationError) -> str:
    return "".join(f"/{_escape(str(part))}" for part in error.absolute_path) or "/"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."
