"""OpenTelemetry traces: off unless an exporter is configured by the standard ``OTEL_*``
variables (``OTEL_TRACES_EXPORTER=otlp`` or ``console``, ``OTEL_SERVICE_NAME``,
``OTEL_EXPORTER_OTLP_ENDPOINT``…). Until then every span here is the API's no-op span.

A command's trace context travels with its events as the W3C ``traceparent`` in their
metadata (and on Kafka as the CloudEvents ``ce_traceparent`` extension), so that the span
of whatever applies or publishes an event later links to the command that caused it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Link
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

tracer = trace.get_tracer("gongzhi")
_propagator = TraceContextTextMapPropagator()
TRACEPARENT = "traceparent"


def configure_tracing(default_service_name: str = "gongzhi") -> None:
    """Installs the SDK's tracer provider when ``OTEL_TRACES_EXPORTER`` names exporters;
    once a process (a provider already set, by this or by a test, stays)."""
    exporters = [
        name.strip()
        for name in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",")
        if name.strip() not in ("", "none")
    ]
    if not exporters or tracing_on():
        return
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    resource = Resource.create({"service.name": default_service_name}).merge(OTELResourceDetector().detect())
    provider = TracerProvider(resource=resource)
    for name in exporters:
        exporter: SpanExporter
        if name == "console":
            exporter = ConsoleSpanExporter()
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()
        else:
            raise ValueError(f"OTEL_TRACES_EXPORTER: {name!r} is not otlp, console or none")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def tracing_on() -> bool:
    """Whether spans go anywhere (an SDK provider is set), so that work done only for them
    (instrumenting each request, reading the links of a batch) is done only then."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


def current_traceparent() -> str | None:
    """The current span's context as a W3C ``traceparent``; None outside a sampled span."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT)


def links_to(traceparents: Iterable[str | None]) -> list[Link]:
    """Links to the spans these ``traceparent`` values name (each once; bad ones left out)."""
    links, seen = [], set()
    for traceparent in traceparents:
        if not traceparent or traceparent in seen:
            continue
        seen.add(traceparent)
        context = trace.get_current_span(_propagator.extract({TRACEPARENT: traceparent})).get_span_context()
        if context.is_valid:
            links.append(Link(context))
    return links


def traceparents_of(metadatas: Iterable[Mapping[str, Any] | None]) -> list[str | None]:
    return [(metadata or {}).get(TRACEPARENT) for metadata in metadatas]
