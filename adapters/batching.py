"""Batching through aiodataloader, honouring each source's batch limit.

Loaders are built per request (STYLE.md habit 5). Keys are deduplicated within a tick; a batch of
more than `batch_limit` keys is split into several source calls dispatched together. The fetch
function returns a dict: a missing key resolves to None, an Exception value fails that key only
(for example `MalformedRecord` for one corrupt legacy record), and an exception raised by the
fetch fails every key of that call (for example `SourceUnavailable`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from adapters.errors import SourceError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

FetchMany = Callable[[list[K]], Awaitable[dict[K, V | Exception]]]


class BatchLoader(Generic[K, V]):
    """A typed wrapper over `aiodataloader.DataLoader` with a hard batch limit."""

    def __init__(self, fetch_many: FetchMany[K, V], *, batch_limit: int) -> None:
        if batch_limit < 1:
            raise ValueError("batch_limit must be at least 1")
        self._fetch_many = fetch_many

        async def batch_load(keys: list[K]) -> list[V | Exception | None]:
            found = await self._fetch_many(list(keys))
            return [found.get(key) for key in keys]

        # aiodataloader raises an Exception value for its key only; its typing does not say so.
        self._loader: DataLoader[K, Any] = DataLoader(batch_load, max_batch_size=batch_limit)

    async def load(self, key: K) -> V | None:
        value: V | None = await self._loader.load(key)
        return value

    async def load_many(self, keys: list[K]) -> list[V | None]:
        values: list[V | None] = await self._loader.load_many(keys)
        return values


async def fetch_in_chunks(keys: Sequence[K], limit: int,
                          fetch_chunk: Callable[[list[K]], Awaitable[dict[K, V | Exception]]],
                          ) -> dict[K, V | Exception]:
    """Fetch distinct `keys` in calls of at most `limit`, made concurrently.

    A chunk whose call fails with a `SourceError` fails each of its keys with that error (the other
    chunks still answer); any other exception propagates.
    """
    unique = list(dict.fromkeys(keys))
    chunks = [unique[i : i + limit] for i in range(0, len(unique), limit)]
    results = await asyncio.gather(*(fetch_chunk(chunk) for chunk in chunks), return_exceptions=True)
    out: dict[K, V | Exception] = {}
    for chunk, result in zip(chunks, results, strict=True):
        if isinstance(result, SourceError):
            out.update(dict.fromkeys(chunk, result))
        elif isinstance(result, BaseException):
            raise result
        else:
            out.update(result)
    return out
