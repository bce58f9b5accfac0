"""Per-source resilience: timeouts, retries for reads only, and the circuit breaker."""

from __future__ import annotations

import asyncio

import pytest

from adapters.errors import MalformedRecord, SourceRejected, SourceTimeout, SourceUnavailable
from adapters.resilience import Resilient, SourcePolicy

FAST: dict[str, float] = {"backoff_base_s": 0.001, "backoff_max_s": 0.002}


class Flaky:
    def __init__(self, failures: int, exc: Exception | None = None) -> None:
        self.failures = failures
        self.calls = 0
        self.exc = exc or SourceUnavailable("s", "down")

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc
        return "ok"


async def test_read_is_retried_until_it_succeeds() -> None:
    r = Resilient("s", SourcePolicy(read_retries=2, **FAST))
    flaky = Flaky(failures=2)
    assert await r.call(flaky) == "ok"
    assert flaky.calls == 3


async def test_write_is_not_retried() -> None:
    r = Resilient("s", SourcePolicy(read_retries=2, **FAST))
    flaky = Flaky(failures=1)
    with pytest.raises(SourceUnavailable):
        await r.call(flaky, idempotent=False)
    assert flaky.calls == 1


@pytest.mark.parametrize("exc", [SourceRejected("s", "bad key"), MalformedRecord("s", "k", ["bad check digit"])])
async def test_rejections_and_bad_records_are_not_retried(exc: Exception) -> None:
    r = Resilient("s", SourcePolicy(read_retries=3, **FAST))
    flaky = Flaky(failures=5, exc=exc)
    with pytest.raises(type(exc)):
        await r.call(flaky)
    assert flaky.calls == 1


async def test_timeout_becomes_source_unavailable() -> None:
    r = Resilient("slow", SourcePolicy(timeout_s=0.05, read_retries=0, **FAST))

    async def hang() -> str:
        await asyncio.sleep(5)
        return "late"

    with pytest.raises(SourceUnavailable, match=r"slow: no answer within 0\.05 s"):
        await r.call(hang)


async def test_breaker_opens_then_recovers() -> None:
    r = Resilient("s", SourcePolicy(read_retries=0, breaker_threshold=2, breaker_ttl_s=0.2, **FAST))
    dead = Flaky(failures=10**6)
    for _ in range(2):
        with pytest.raises(SourceUnavailable, match="down"):
            await r.call(dead)
    calls_when_opened = dead.calls
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await r.call(dead)
    assert dead.calls == calls_when_opened  # the open circuit did not call the source
    await asyncio.sleep(0.25)
    healthy = Flaky(failures=0)
    assert await r.call(healthy) == "ok"
    assert await r.call(healthy) == "ok"


async def test_malformed_records_do_not_open_the_breaker() -> None:
    r = Resilient("s", SourcePolicy(read_retries=0, breaker_threshold=1, **FAST))
    for _ in range(3):
        with pytest.raises(MalformedRecord):
            await r.call(Flaky(failures=1, exc=MalformedRecord("s", "k", ["bad date"])))
    assert await r.call(Flaky(failures=0)) == "ok"


class Hang:
    """A source that never answers (until cancelled); counts the calls it receives."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(3600)
        return "never"


async def test_a_hanging_source_costs_one_timeout_not_one_per_attempt() -> None:
    r = Resilient("slow", SourcePolicy(timeout_s=0.2, read_retries=2, breaker_threshold=100, **FAST))
    hang = Hang()
    with pytest.raises(SourceUnavailable, match=r"no answer within 0\.2 s"):
        await asyncio.wait_for(r.call(hang), timeout=10)  # a bound, not a speed assertion
    assert hang.calls == 1, "a timeout is not retried: the budget covers the whole call"


async def test_retries_stay_inside_the_budget() -> None:
    # each failure is quick, but the backoff (0.15 s, then 0.3 s) would take the third attempt past 0.3 s
    r = Resilient("s", SourcePolicy(timeout_s=0.3, read_retries=5, backoff_base_s=0.15, backoff_max_s=1.0))
    dead = Flaky(failures=10**6)
    with pytest.raises(SourceUnavailable, match="down"):
        await asyncio.wait_for(r.call(dead), timeout=10)
    assert dead.calls == 2


async def test_hangs_open_the_breaker_and_then_calls_fail_fast() -> None:
    r = Resilient("slow", SourcePolicy(timeout_s=0.05, read_retries=2, breaker_threshold=3, breaker_ttl_s=30, **FAST))
    hang = Hang()
    for _ in range(3):
        with pytest.raises(SourceUnavailable, match="no answer"):
            await r.call(hang)
    assert hang.calls == 3
    for _ in range(5):
        with pytest.raises(SourceUnavailable, match="circuit open"):
            await r.call(hang)
    assert hang.calls == 3, "an open breaker does not call the hanging source"


async def test_a_timeout_from_the_transport_is_not_retried() -> None:
    r = Resilient("s", SourcePolicy(timeout_s=5, read_retries=3, **FAST))
    timed_out = Flaky(failures=10, exc=SourceTimeout("s", "timed out"))
    with pytest.raises(SourceTimeout):
        await r.call(timed_out)
    assert timed_out.calls == 1
