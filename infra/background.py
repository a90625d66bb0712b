"""Work that loops on a thread of its own until told to stop: the relay, the sealer
and the views' log follower inside ``gongzhi serve``, each with one lifecycle."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod


class Background(ABC):
    """``run_forever`` loops until ``stopping`` is set; ``start`` runs it on a daemon
    thread, ``stop`` asks it to end and ``join`` waits (boundedly) until it has."""

    thread_name = "background"

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def run_forever(self) -> None: ...

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run_forever, name=self.thread_name, daemon=True)
        self._thread.start()
        return self._thread

    def stop(self) -> None:
        self.stopping.set()

    def join(self, timeout: float = 10.0) -> None:
        """Stops the loop and waits up to ``timeout`` seconds for its thread to end."""
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
