"""Per-source resilience: a timeout, retries with backoff for reads, and a circuit breaker.

Retries use tenacity and only retry `SourceUnavailable` (never a rejected call or a malformed
record); the breaker (purgatory) opens after `breaker_threshold` consecutive unavailable calls and
lets one trial call through after `breaker_ttl_s`. While open, calls fail at once with
`SourceUnavailable("circuit open")`, so a dead department costs nothing but an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from adapters.errors import MalformedRecord, SourceRejected, SourceUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class SourcePolicy:
    timeout_s: float = 3.0
    read_retries: int = 2
    backoff_base_s: float = 0.05
    backoff_max_s: float = 1.0
    breaker_threshold: int = 5
    breaker_ttl_s: float = 10.0
    batch_limit: int = 50


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
        attempts = 1 + (self.policy.read_retries if idempotent else 0)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=self.policy.backoff_base_s, max=self.policy.backoff_max_s),
            retry=retry_if_exception_type(SourceUnavailable),
            reraise=True,
        )
        try:
            async with await self._breakers.get_breaker(self.source):
                async for attempt in retrying:
                    with attempt:
                        return await self._once(fn)
        except OpenedState as exc:
            raise SourceUnavailable(self.source, "circuit open after repeated failures") from exc
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _once(self, fn: Callable[[], Awaitable[T]]) -> T:
        try:
            return await asyncio.wait_for(fn(), timeout=self.policy.timeout_s)
        except TimeoutError as exc:
            raise SourceUnavailable(self.source, f"no answer within {self.policy.timeout_s:g} s") from exc
