"""What runs beside a Kafka test: projector processes, commands arriving, reads."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from infra.kafka.relay import Relay
from infra.settings import Settings
from infra.store.application import open_application
from testing.generate import generate
from testing.processes import settings_env

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def projector_env(settings: Settings) -> dict[str, str]:
    """The environment of a `gongzhi` process on the test's store and topics."""
    return settings_env(settings) | {
        "PYTHONPATH": os.getcwd(),
        "GONGZHI_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
        "GONGZHI_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
        "GONGZHI_KAFKA_GROUP_ID": settings.kafka_group_id,
        "GONGZHI_KAFKA_SESSION_TIMEOUT_MS": str(settings.kafka_session_timeout_ms),
        "GONGZHI_KAFKA_HEARTBEAT_INTERVAL_MS": str(settings.kafka_heartbeat_interval_ms),
    }


class Projector:
    """A `gongzhi project --source kafka` process, its log in a file."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "project", "--source", "kafka"],
                env=projector_env(settings),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def partitions(self) -> int:
        """How many partitions the group assigned it last (0 before its first assignment)."""
        found = re.findall(r"assigned this projector (\d+) partitions", self.log.read_text())
        return int(found[-1]) if found else 0

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for_assignments(projectors: list[Projector], partitions: int, timeout: float = 30) -> None:
    """Until these projectors, and they alone, hold all the partitions, each some."""
    deadline = time.monotonic() + timeout
    while True:
        held = [projector.partitions() for projector in projectors]
        if all(held) and sum(held) == partitions:
            return
        logs = "\n".join(projector.log.read_text()[-2000:] for projector in projectors)
        assert time.monotonic() < deadline, f"assignments never settled: {held}\n{logs}"
        time.sleep(0.1)


class Publisher:
    """Commands arriving meanwhile: a thread that stores and relays a few hundred
    events at a time through an application and a relay of its own."""

    def __init__(self, settings: Settings, events: int = 300) -> None:
        self.settings = settings
        self.events = events
        self.chunks = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._publish, name="publisher")
        self.failure: BaseException | None = None

    def start(self) -> Publisher:
        self.thread.start()
        return self

    def _publish(self) -> None:
        application = open_application(self.settings)
        relay = Relay(application.recorder, self.settings)
        try:
            while not self.stopping.is_set():
                generate(application, self.events, seed=1_000 + self.chunks)
                relay.catch_up()
                self.chunks += 1
        except BaseException as error:  # surfaced by stop()
            self.failure = error
        finally:
            relay.close()
            application.close()

    def wait_for(self, chunks: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.chunks < chunks and self.thread.is_alive():
            assert time.monotonic() < deadline, "the publisher fell behind"
            time.sleep(0.05)

    def stop(self) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        if self.failure is not None:
            raise self.failure


@contextmanager
def reading(client: TestClient, paths: list[str]) -> Iterator[list[tuple[str, int, str]]]:
    """Reads the paths over and over on a thread of its own while the block runs;
    yields the answers (path, status, body) as they come."""
    answers: list[tuple[str, int, str]] = []
    stopping = threading.Event()

    def read() -> None:
        while not stopping.is_set():
            for path in paths:
                response = client.get(path)
                answers.append((path, response.status_code, response.text))

    thread = threading.Thread(target=read, name="reader")
    thread.start()
    try:
        yield answers
    finally:
        stopping.set()
        thread.join()
