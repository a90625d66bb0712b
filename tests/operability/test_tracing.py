"""One trace from an HTTP command to the projector: the request's span, the command's, the
store transaction's, and the projection batch that applied the event, linked to the command
through the ``traceparent`` the event carries in its metadata."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from uuid import UUID

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import Api
from tests.operability.spans import named

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def hex_trace(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def test_a_command_is_traced_from_the_request_to_the_projector(
    spans: InMemorySpanExporter, open_api: Callable[[], AbstractContextManager[Api]]
) -> None:
    with open_api() as api:
        created = api.client.post(
            "/organisations",
            json={"kind": "mutual_aid_association", "name": "互助会", "jurisdiction": "浙江省/嘉兴市/桐乡市"},
            headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"},
        )
        assert created.status_code == 201, created.text
        organisation, position = created.json()["id"], created.json()["position"]
        read = api.client.get(
            f"/views/organisations/{organisation}/members", params={"min_position": position}
        )
        assert read.status_code == 200, read.text
        application = api.client.app.state.application  # type: ignore[attr-defined]
        (event,) = application.repository.event_store.get(UUID(organisation))

    (request,) = [
        s
        for s in spans.get_finished_spans()
        if s.name.startswith("POST /organisations") and s.kind == trace.SpanKind.SERVER
    ]
    (command,) = named(spans, "command register_organisation")
    transactions = [s for s in named(spans, "store transaction") if s.parent == command.context]
    assert hex_trace(request) == hex_trace(command) == TRACE_ID
    assert format(request.parent.span_id, "016x") == CALLER_SPAN  # type: ignore[union-attr]
    assert command.parent is not None and command.parent.span_id == request.context.span_id  # type: ignore[union-attr]
    assert command.attributes["gongzhi.aggregate.id"] == organisation  # type: ignore[index]
    assert command.attributes["gongzhi.command.outcome"] == "recorded"  # type: ignore[index]
    assert len(transactions) == 1

    traceparent = event.metadata["traceparent"]
    assert traceparent == f"00-{TRACE_ID}-{format(command.context.span_id, '016x')}-01"  # type: ignore[union-attr]
    linked = [
        span
        for span in named(spans, "project")
        if any(link.context.span_id == command.context.span_id for link in span.links)  # type: ignore[union-attr]
    ]
    assert linked, "no projection batch links to the command"
