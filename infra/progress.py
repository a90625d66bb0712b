"""Progress of a long-running command on a terminal: done, rate, time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int | None, stream: TextIO = sys.stderr) -> None:
        self.label = label
        self.total = total
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self._last_drawn = 0.0
        self._live = stream.isatty()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self._live and now - self._last_drawn >= 0.2:
            self._last_drawn = now
            self.stream.write("\r" + self.line() + " ")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        text = f"{self.label}: {self.done:,}"
        if self.total:
            left = (self.total - self.done) / rate if rate else float("inf")
            text += f"/{self.total:,} ({100 * self.done / self.total:.0f}%), {left:,.0f} s left"
        return text + f", {rate:,.0f}/s"

    def finish(self) -> None:
        self.stream.write(("\r" if self._live else "") + self.line() + f", {self.elapsed():.1f} s\n")
        self.stream.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started
