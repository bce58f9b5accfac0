"""Decoded case snapshots of list pages, kept by (case id, version, head hash).

A snapshot never changes once written: a change is a new version with a new head hash (the SM3
chain over every event and the digest of the snapshot it left). So a page of cases reads the ids,
versions and head hashes first and parses and decodes only the snapshots it has not seen — the
expensive part of a list (a few kB of JSON and a few hundred objects per case). Reads that check
integrity (`verifyCaseEvents`, the chain verifier) never use it: they decode what is stored.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from subgraphs.cases.domain.snapshot import CaseSnapshot

Key = tuple[str, int, str]


class SnapshotCache:
    """A bounded least-recently-used map from (id, version, head hash) to the decoded snapshot."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Key, CaseSnapshot] = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Key) -> CaseSnapshot | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Key, snapshot: CaseSnapshot) -> None:
        with self._lock:
            self._items[key] = snapshot
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


#: the process's cache of list pages (bounded: about 4,096 cases)
PAGE_SNAPSHOTS = SnapshotCache()
