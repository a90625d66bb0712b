"""``gongzhi serve`` in processes of its own, for tests and benchmarks that load it over HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from infra.settings import Settings
from testing.processes import free_port, settings_env


@contextmanager
def api_servers(settings: Settings, count: int, projections: bool = False) -> Iterator[list[str]]:
    """Several API processes on one store, each on a port of its own (as behind a
    load balancer, which spreads connections evenly where a shared socket may not)."""
    with ExitStack() as stack:
        yield [stack.enter_context(api_server(settings, projections)) for _ in range(count)]


@contextmanager
def api_server(settings: Settings, projections: bool = False) -> Iterator[str]:
    """``gongzhi serve`` in its own process, on a free loopback port; its projections
    run in-process only when asked (at scale they run in a process of their own)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        # One key sends every request: the rate limit would be what is measured.
        env=settings_env(settings)
        | {"GONGZHI_PROJECTIONS_IN_PROCESS": str(projections).lower(), "GONGZHI_RATE_LIMIT_PER_SECOND": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/ready", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the API server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
