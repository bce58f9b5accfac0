"""Per-client rate limits: one in-process token bucket per principal (or per client IP when anonymous).

A bucket holds at most `capacity` tokens and gains `refill_per_s` tokens a second; each request
takes one. An empty bucket refuses with `RateLimited` (HTTP 429) and says when a token will be back.
At most `max_clients` buckets are kept (least recently used dropped first: a dropped client starts
again with a full bucket, which only errs towards letting a request through).

FEDERATION_NOTE: with several gateway replicas each keeps its own buckets; the configured rate is
then per replica. A shared limiter (Redis) can replace `TokenBucketLimiter` behind the same call.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from gateway.security.errors import RateLimited

__all__ = ["RateLimit", "TokenBucketLimiter"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    capacity: float = 120.0
    refill_per_s: float = 20.0
    max_clients: int = 50_000

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.refill_per_s <= 0 or self.max_clients < 1:
            raise ValueError("rate limit: capacity >= 1, refill_per_s > 0 and max_clients >= 1 are required")


class TokenBucketLimiter:
    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, updated)

    def take(self, key: str) -> None:
        """Take one token for `key`, or raise `RateLimited`."""
        now = self._clock()
        limit = self.limit
        tokens, updated = self._buckets.pop(key, (limit.capacity, now))
        tokens = min(limit.capacity, tokens + (now - updated) * limit.refill_per_s)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / limit.refill_per_s
            raise RateLimited(f"Too many requests: retry in {wait:.1f} s.", retry_after_s=wait)
        self._buckets[key] = (tokens - 1.0, now)
        while len(self._buckets) > limit.max_clients:
            self._buckets.popitem(last=False)
