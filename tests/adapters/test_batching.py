"""BatchLoader: deduplicated keys, the batch limit honoured, per-key and per-call failures."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.batching import BatchLoader
from adapters.errors import MalformedRecord, SourceUnavailable


class Source:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.calls: list[list[int]] = []

    async def fetch(self, keys: list[int]) -> dict[int, str | Exception]:
        assert len(keys) <= self.limit, "batch limit exceeded"
        self.calls.append(keys)
        out: dict[int, str | Exception] = {}
        for k in keys:
            if k % 7 == 0:
                out[k] = MalformedRecord("src", f"k{k}", ["bad check digit"])
            elif k % 5 != 0:  # multiples of 5 are "not found"
                out[k] = f"v{k}"
        return out


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), max_size=300), st.integers(min_value=1, max_value=60))
def test_calls_are_ceil_of_distinct_keys_over_limit(keys: list[int], limit: int) -> None:
    async def run() -> tuple[Source, list[str | Exception | None]]:
        src = Source(limit)
        loader: BatchLoader[int, str] = BatchLoader(src.fetch, batch_limit=limit)
        results = await asyncio.gather(*(loader.load(k) for k in keys), return_exceptions=True)
        return src, list(results)

    src, results = asyncio.run(run())
    distinct = len(set(keys))
    assert len(src.calls) == -(-distinct // limit)
    assert sorted(k for call in src.calls for k in call) == sorted(set(keys))
    for key, result in zip(keys, results, strict=True):
        if key % 7 == 0:
            assert isinstance(result, MalformedRecord)
        elif key % 5 == 0:
            assert result is None
        else:
            assert result == f"v{key}"


async def test_one_thousand_keys_at_limit_fifty_cost_twenty_calls() -> None:
    src = Source(50)
    loader: BatchLoader[int, str] = BatchLoader(src.fetch, batch_limit=50)
    await asyncio.gather(*(loader.load(k) for k in range(1000, 2000)), return_exceptions=True)
    assert len(src.calls) == 20


async def test_a_failed_call_fails_every_key_of_that_call() -> None:
    async def down(keys: list[int]) -> dict[int, str | Exception]:
        raise SourceUnavailable("src", "down")

    loader: BatchLoader[int, str] = BatchLoader(down, batch_limit=10)
    results = await asyncio.gather(*(loader.load(k) for k in range(3)), return_exceptions=True)
    assert all(isinstance(r, SourceUnavailable) for r in results)


def test_limit_must_be_positive() -> None:
    async def fetch(keys: list[int]) -> dict[int, str | Exception]:
        return {}

    with pytest.raises(ValueError, match="batch_limit"):
        BatchLoader(fetch, batch_limit=0)
