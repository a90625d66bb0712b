"""`gongzhi` processes on one store: API servers and projectors, each with its log in a file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TypeVar

import httpx

from infra.settings import Settings
from testing.processes import free_port, settings_env

REPO = Path(__file__).resolve().parents[2]
STORE_SETTINGS = ("GONGZHI_DATA_DIR", "GONGZHI_MASTER_KEY", "GONGZHI_DATABASE_URL", "GONGZHI_DATABASE_SCHEMA")
"""The only settings a process takes from the test: the store (the rest are the defaults
or the test's own, never what the shell running the tests happens to set)."""
LOG_TAIL = 6000
P = TypeVar("P", bound="Process")


def gongzhi_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment of a `gongzhi` process on the test's store, with no rate limit."""
    env = {
        name: value
        for name, value in settings_env(settings).items()
        if not name.startswith("GONGZHI_") or name in STORE_SETTINGS
    }
    if not settings.database_url:
        env.pop("GONGZHI_DATABASE_URL", None)
        env.pop("GONGZHI_DATABASE_SCHEMA", None)
    return env | {
        "PYTHONPATH": str(REPO),
        "GONGZHI_MASTER_KEY": settings.master_key.get_secret_value(),
        "GONGZHI_RATE_LIMIT_PER_SECOND": "0",
        **overrides,
    }


def gongzhi(settings: Settings, *args: str, timeout: float = 60) -> str:
    """Runs a `gongzhi` command to its end; returns its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=gongzhi_env(settings),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"gongzhi {' '.join(args)} exited {done.returncode}:\n{done.stderr[-LOG_TAIL:]}"
    )
    return done.stdout


def admin_key(settings: Settings) -> str:
    """A new admin key on the store (`gongzhi keys create` prints the secret alone on stdout)."""
    return gongzhi(settings, "keys", "create", "--name", "t", "--role", "admin").strip().splitlines()[-1]


class Process:
    """A `gongzhi` process, its standard output and error in ``log``."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", *args],
                env=env,
                cwd=REPO,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """``kill -9``: no shutdown of any kind."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"----- {self.name} (exit {self.process.poll()}) -----\n{text[-LOG_TAIL:]}"


class Server(Process):
    """`gongzhi serve` on a free loopback port, with a client that holds one admin key."""

    def __init__(self, name: str, env: dict[str, str], log: Path, key: str) -> None:
        self.port = free_port()
        super().__init__(name, ["serve", "--host", "127.0.0.1", "--port", str(self.port)], env, log)
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )

    def wait_ready(self, deadline: float) -> None:
        while True:
            assert self.alive, f"{self.name} exited before it was ready:\n{self.tail()}"
            try:
                if self.client.get("/ready", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{self.name} was not ready in time:\n{self.tail()}"
            time.sleep(0.1)

    def connection(self) -> httpx.Client:
        """A client of its own (one keep-alive connection for one sender)."""
        return httpx.Client(base_url=self.client.base_url, headers=self.client.headers, timeout=30)

    def stop(self) -> None:
        self.client.close()
        super().stop()


class Processes:
    """Every process a test starts, stopped (killed if need be) when it ends."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.settings = settings
        self.logs = logs
        self.started: list[Process] = []
        self._key: str | None = None

    @property
    def key(self) -> str:
        """The admin key every server's client sends, made before the first server starts."""
        if self._key is None:
            self._key = admin_key(self.settings)
        return self._key

    def servers(self, count: int, *, projections_in_process: bool = True, **settings: str) -> list[Server]:
        """``count`` API servers on the store, started together; returns once all are ready.
        ``settings``: more environment, e.g. ``GONGZHI_LOG_FORMAT="json"``."""
        env = gongzhi_env(
            self.settings, GONGZHI_PROJECTIONS_IN_PROCESS=str(projections_in_process).lower(), **settings
        )
        key = self.key
        servers = [
            self._started(Server(f"serve-{n}", env, self._log(f"serve-{n}"), key)) for n in range(count)
        ]
        deadline = time.monotonic() + 30
        for server in servers:
            server.wait_ready(deadline)
        return servers

    def projectors(self, count: int) -> list[Process]:
        """``count`` `gongzhi project` processes following the store's log."""
        env = gongzhi_env(self.settings)
        return [
            self._started(Process(f"project-{n}", ["project"], env, self._log(f"project-{n}")))
            for n in range(count)
        ]

    def _log(self, name: str) -> Path:
        self.logs.mkdir(parents=True, exist_ok=True)
        return self.logs / f"{name}.log"

    def _started(self, process: P) -> P:
        self.started.append(process)
        return process

    def stop(self) -> None:
        for process in self.started:
            process.stop()

    def tails(self) -> str:
        return "\n".join(process.tail() for process in self.started)
