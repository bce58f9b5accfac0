"""A bounded LRU of prepared operations keyed by (document text, operation name, active override labels)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class PlanCache(Generic[V]):
    """Least-recently-used cache; entries beyond ``max_entries`` are dropped oldest first."""

    def __init__(self, max_entries: int = 1000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str | None, frozenset[str]], V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, document: str, operation_name: str | None, labels: frozenset[str] = frozenset()) -> V | None:
        key = (document, operation_name, labels)
        value = self._entries.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return value

    def put(self, document: str, operation_name: str | None, value: V, labels: frozenset[str] = frozenset()) -> None:
        key = (document, operation_name, labels)
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
