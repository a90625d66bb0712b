"""A token bucket per principal (or per client address, for anonymous requests).

Each bucket holds up to ``burst`` tokens and gains ``per_second`` a second; a request
takes one, and a request that finds none is refused with the seconds until one is back.
Buckets live in the process's memory: each API process limits on its own, so behind a
load balancer over N processes a key may make up to N times the rate. Memory is
bounded: a bucket idle long enough to be full again is as good as none and is dropped,
and past ``max_buckets`` the least recently used go first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from api.problems import TooManyRequests
from domain.principals import Principal

MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        burst: int,
        max_buckets: int = MAX_BUCKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.burst = burst
        self.max_buckets = max_buckets
        self.clock = clock
        self.refill_seconds = burst / per_second
        self.buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self.lock = threading.Lock()  # authorisation runs in worker threads on PostgreSQL

    def take(self, key: str) -> None:
        """Takes a token from ``key``'s bucket; TooManyRequests when it is empty."""
        with self.lock:
            now = self.clock()
            self._evict(now)
            bucket = self.buckets.pop(key, None) or _Bucket(self.burst, now)
            self.buckets[key] = bucket  # the most recently used last
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.per_second)
            bucket.at = now
            if bucket.tokens < 1:
                raise TooManyRequests(max(1, math.ceil((1 - bucket.tokens) / self.per_second)))
            bucket.tokens -= 1

    def _evict(self, now: float) -> None:
        while self.buckets:
            key, oldest = next(iter(self.buckets.items()))
            if now - oldest.at < self.refill_seconds and len(self.buckets) < self.max_buckets:
                return
            del self.buckets[key]


def rate_limiter(per_second: float, burst: int) -> RateLimiter | None:
    """The limiter the settings ask for; None when the rate is 0 (no limit)."""
    return RateLimiter(per_second, burst) if per_second > 0 else None


def limit(request: Request, principal: Principal | None) -> None:
    """Counts the request against its principal, or its client address when anonymous."""
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is None:
        return
    if principal is not None:
        limiter.take(f"key:{principal.name}")
    else:
        limiter.take(f"address:{request.client.host if request.client else 'unknown'}")
