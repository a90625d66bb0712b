"""Spans recorded during a test: an SDK tracer provider set once for the process (the API
allows one), which keeps spans only while a test asks for them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

EXPORTER = InMemorySpanExporter()


class WhileTesting(SimpleSpanProcessor):
    """Keeps spans only during these tests: the provider stays for the process's life."""

    keeping = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.keeping:
            super().on_end(span)


PROCESSOR = WhileTesting(EXPORTER)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The spans this test makes, through an SDK provider set once for the process (the
    API allows one); an application built after it instruments its requests."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(PROCESSOR)
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    PROCESSOR.keeping = True
    yield EXPORTER
    PROCESSOR.keeping = False
    EXPORTER.clear()


def named(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in spans.get_finished_spans() if span.name == name]
