"""Seen nonces of signed calls: the verdict, the stores' protocols and the one-process cache.

`NonceCache` protects one process; a `SharedNonceStore` is shared by every replica of a subgraph
(`subgraphs.common.nonce_store.SqlNonceStore`, in the subgraph's database).
"""

from __future__ import annotations

from collections import OrderedDict
from enum import StrEnum
from typing import Protocol, runtime_checkable

__all__ = ["NonceCache", "NonceStore", "NonceVerdict", "SharedNonceStore"]


class NonceVerdict(StrEnum):
    FRESH = "FRESH"
    REPLAYED = "REPLAYED"
    TOO_OLD = "TOO_OLD"  # older than what the bounded cache can still vouch for


class NonceStore(Protocol):
    """A store one process keeps (`NonceCache`)."""

    def remember(self, nonce: str, timestamp: float, now: float) -> NonceVerdict: ...


@runtime_checkable
class SharedNonceStore(Protocol):
    """A store every replica of a subgraph shares (a database), asked without blocking the event loop."""

    async def remember_async(self, nonce: str, timestamp: float, now: float) -> NonceVerdict: ...


class NonceCache:
    """Seen nonces for `ttl_s`, at most `max_entries`.

    When full, the oldest entry is evicted and its timestamp becomes a floor: calls stamped at or
    before the floor are refused (TOO_OLD), so eviction never re-opens a replay window.
    """

    def __init__(self, *, ttl_s: float, max_entries: int = 100_000) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._seen: OrderedDict[str, tuple[float, float]] = OrderedDict()  # nonce -> (expires, timestamp)
        self._floor = float("-inf")

    def __len__(self) -> int:
        return len(self._seen)

    def remember(self, nonce: str, timestamp: float, now: float) -> NonceVerdict:
        while self._seen:
            oldest, (expires, _) = next(iter(self._seen.items()))
            if expires > now:
                break
            del self._seen[oldest]
        if nonce in self._seen:
            return NonceVerdict.REPLAYED
        if timestamp <= self._floor:
            return NonceVerdict.TOO_OLD
        while len(self._seen) >= self._max_entries:
            _, (_, evicted_timestamp) = self._seen.popitem(last=False)
            self._floor = max(self._floor, evicted_timestamp)
        self._seen[nonce] = (now + self._ttl_s, timestamp)
        return NonceVerdict.FRESH
