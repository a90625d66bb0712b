"""A command's trace context reaches Kafka as the CloudEvents ``ce_traceparent`` extension,
and the spans that publish and project its event link back to the command."""

from __future__ import annotations

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from domain.application import Gongzhi
from domain.context import CommandContext, acting
from infra.kafka.feeder import KafkaFeeder
from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.views import open_views
from tests.kafka.support import feed_until_caught_up, read_all
from tests.operability.spans import named

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_the_trace_context_travels_on_the_message_and_links_the_spans(
    app: Gongzhi, kafka_settings: Settings, spans: InMemorySpanExporter
) -> None:
    with acting(CommandContext(actor="clerk", traceparent=TRACEPARENT)):
        traced = app.register_organisation("mutual_aid_association", "互助会", "浙江省/嘉兴市/桐乡市", None)
    untraced = app.register_organisation("mutual_aid_association", "另一会", "浙江省/嘉兴市/桐乡市", None)
    Relay(app.recorder, kafka_settings).catch_up()
    runner = open_views(app)
    feed_until_caught_up(KafkaFeeder(runner, kafka_settings), runner)

    received = {m.headers["ce_subject"].decode(): m.headers for m in read_all(kafka_settings, 2)}
    assert received[str(traced.id)]["ce_traceparent"] == TRACEPARENT.encode()
    assert "ce_traceparent" not in received[str(untraced.id)]
    for name in ("relay publish", "project from kafka"):
        links = [link.context for span in named(spans, name) for link in span.links]
        assert [format(c.span_id, "016x") for c in links] == ["00f067aa0ba902b7"], name
