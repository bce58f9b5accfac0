"""Per-source resilience: one time budget per call, retries with backoff for reads, and a circuit breaker.

`timeout_s` bounds a whole call, retries included: each attempt gets what is left of the budget, and a
retry starts only when its backoff still ends inside it. So a source that hangs costs one timeout, not
one per attempt, and a query that needs it answers within about `timeout_s`. Retries use tenacity and
only retry a quick `SourceUnavailable` (refused, reset, 5xx — never a timeout, a rejected call or a
malformed record). The breaker (purgatory) counts every failed call — a timeout as much as a refused
connection — and opens after `breaker_threshold` consecutive ones; it lets one trial call through after
`breaker_ttl_s`. While open, calls fail at once with `SourceUnavailable("circuit open")`, so a dead or
hanging department costs nothing but an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)

from adapters.errors import MalformedRecord, SourceRejected, SourceTimeout, SourceUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class SourcePolicy:
    timeout_s: float = 3.0  # the budget of one call, retries and backoff included
    read_retries: int = 2
    backoff_base_s: float = 0.05
    backoff_max_s: float = 1.0
    breaker_threshold: int = 5
    breaker_ttl_s: float = 10.0
    batch_limit: int = 50


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, SourceUnavailable) and not isinstance(exc, SourceTimeout)


class Resilient:
    """Runs calls to one source under its policy. One instance per source per process."""

    def __init__(self, source: str, policy: SourcePolicy) -> None:
        self.source = source
        self.policy = policy
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=policy.breaker_threshold,
            default_ttl=policy.breaker_ttl_s,
            exclude=[SourceRejected, MalformedRecord],
        )

    async def call(self, fn: Callable[[], Awaitable[T]], *, idempotent: bool = True) -> T:
        policy = self.policy
        attempts = 1 + (policy.read_retries if idempotent else 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + policy.timeout_s
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts) | stop_before_delay(policy.timeout_s),
            wait=wait_exponential(multiplier=policy.backoff_base_s, max=policy.backoff_max_s),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        try:
            async with await self._breakers.get_breaker(self.source):
                async for attempt in retrying:
                    with attempt:
                        return await self._once(fn, deadline - loop.time())
        except OpenedState as exc:
            raise SourceUnavailable(self.source, "circuit open after repeated failures") from exc
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _once(self, fn: Callable[[], Awaitable[T]], budget_s: float) -> T:
        timeout = self.policy.timeout_s
        if budget_s <= 0:
            raise SourceTimeout(self.source, f"no answer within {timeout:g} s")
        try:
            return await asyncio.wait_for(fn(), timeout=budget_s)
        except TimeoutError as exc:
            raise SourceTimeout(self.source, f"no answer within {timeout:g} s") from exc
