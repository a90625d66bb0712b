"""Who is acting and why: set once at the edge, read when events are saved.

The actor, the correlation id and the idempotency claim of a request travel
in a ContextVar, so that command methods need not thread them by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from uuid import UUID, uuid4

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class IdempotencyClaim:
    """A client's promise that a retry with this key is the same request."""

    scope: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class CommandContext:
    actor: str = SYSTEM_ACTOR
    correlation_id: str = field(default_factory=lambda: str(uuid4()))
    idempotency: IdempotencyClaim | None = None
    expected_version: int | None = None
    on_behalf_of: str | None = None
    person_id: str | None = None
    """The person an officer's key is bound to, if it is."""
    traceparent: str | None = None
    """The W3C trace context of the command, when it is traced."""

    @property
    def acting_person(self) -> str:
        """Who a decision is recorded as taken by, for maker-checker: the bound person,
        else the principal."""
        return self.person_id or self.actor

    def metadata(self) -> dict[str, str]:
        metadata = {"actor": self.actor, "correlation_id": self.correlation_id}
        if self.on_behalf_of is not None:
            metadata["on_behalf_of"] = self.on_behalf_of
        if self.person_id is not None:
            metadata["person_id"] = self.person_id
        if self.traceparent is not None:
            metadata["traceparent"] = self.traceparent
        return metadata


_current: ContextVar[CommandContext] = ContextVar("gongzhi_command_context")


def current_context() -> CommandContext:
    try:
        return _current.get()
    except LookupError:
        return CommandContext()


@contextmanager
def acting(context: CommandContext) -> Iterator[CommandContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@dataclass(frozen=True)
class CommandResult:
    """What a command did: the aggregate's new version and the store position."""

    id: UUID
    version: int
    position: int
    extra: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False


@dataclass(frozen=True)
class RecordedCommand:
    """A command remembered under its idempotency key."""

    fingerprint: str
    aggregate_id: UUID
    version: int
    position: int
    extra: dict[str, Any]


@runtime_checkable
class CommandLog(Protocol):
    """Where idempotency keys are remembered, atomically with the events."""

    def find_command(self, scope: str, key: str) -> RecordedCommand | None: ...
