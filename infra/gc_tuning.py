"""Cyclic garbage collection far apart while views are applied in bulk.

A projector or a rebuild keeps tens of thousands of rows, messages and events
alive between batches: long-lived objects without cycles, which with the
default thresholds the collector walks again and again (a third of the time a
batch took). While any of them runs, collections come far apart (young objects
still first), and as before once none runs. The thresholds are the process's,
so the outermost user restores them, whichever finishes last.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RARE_THRESHOLDS = (100_000, 50, 1000)

_collecting = threading.Lock()
_rarely: list[tuple[int, ...]] = []
"""The thresholds to restore, one entry per user still running."""


@contextmanager
def rare_collections(*, freeze: bool = False) -> Iterator[None]:
    """``freeze``: also set aside every object alive now (what a rebuild starts with),
    so that no collection walks them."""
    with _collecting:
        _rarely.append(_rarely[0] if _rarely else gc.get_threshold())
        gc.set_threshold(*RARE_THRESHOLDS)
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
        with _collecting:
            thresholds = _rarely.pop()
            if not _rarely:
                gc.set_threshold(*thresholds)
