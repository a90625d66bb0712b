"""Copies checkpoints to Kafka (``gongzhi.audit.checkpoints``), out of reach of the database.

A checkpoint is published after it is stored, at least once: the position
published up to is tracked next to the relay's, so a crash republishes at
most the unacknowledged ones, byte for byte the same (key: the position).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

import orjson
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Tracking
from kafka import KafkaProducer

from infra.audit.queries import AuditTables
from infra.kafka.contract import CHECKPOINT_TOPIC
from infra.kafka.producing import (
    ACK_TIMEOUT_SECONDS,
    Unacknowledged,
    ensure_topics,
    producer_config,
    publishing_tracking,
)
from infra.settings import Settings

log = logging.getLogger(__name__)

TRACKING_NAME = "audit-checkpoints"


class CheckpointPublisher:
    def __init__(self, recorder: ApplicationRecorder, tables: AuditTables, settings: Settings) -> None:
        self.tables = tables
        self.settings = settings
        self.topic = settings.kafka_topic_prefix + CHECKPOINT_TOPIC
        self.tracking = publishing_tracking(recorder)
        self._producer: Any = None

    def published(self) -> int:
        return self.tracking.max_tracking_id(TRACKING_NAME) or 0

    def publish_pending(self) -> int:
        """Publishes the checkpoints not yet acknowledged; returns how many."""
        checkpoints = self.tables.checkpoints_after(self.published())
        if not checkpoints:
            return 0
        if self._producer is None:
            ensure_topics(self.settings)
            self._producer = KafkaProducer(**producer_config(self.settings, role="sealer"))
        sends = [
            self._producer.send(
                self.topic,
                key=str(checkpoint.position).encode(),
                value=orjson.dumps(checkpoint.to_json()),
                headers=[("content-type", b"application/json")],
            )
            for checkpoint in checkpoints
        ]
        self._producer.flush(timeout=ACK_TIMEOUT_SECONDS)
        for sent in sends:
            if not sent.is_done or sent.exception is not None:
                raise Unacknowledged(f"checkpoint not acknowledged: {sent.exception}")
        with suppress(IntegrityError):  # another sealer recorded it meanwhile
            self.tracking.insert_tracking(Tracking(TRACKING_NAME, checkpoints[-1].position))
        return len(checkpoints)

    def reset(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with suppress(Exception):
                producer.close(timeout=0)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None
