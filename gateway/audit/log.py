"""The access log service: append records, anchor the head with SM2, prune past the retention period.

* `append` writes one chained record; every `anchor_every` records the head is anchored, and a
  background task (`run_anchoring`) anchors a changed head every `anchor_interval_s` as well.
* `prune` removes records older than `retention_days` (default 184: the "≥ 6 months" of the
  Cybersecurity Law with margin, DOMAIN.md §10.5). It first signs a CHECKPOINT anchor at the last
  record to go, so the remaining chain still verifies from a signed starting point.

Without an anchor key (dev only) nothing is signed: the chain still detects edits, but not a
wholesale rewrite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.hashchain import ChainEntry, JsonValue, sign_anchor
from domain.sm import sm2_public_key
from gateway.audit.store import CHAIN_ID, AccessLogStore, AnchorKind, StoredAnchor, StoredEntry
from gateway.audit.verify import AccessLogReport, verify_records

__all__ = ["AccessLog", "AnchorKey"]

log = logging.getLogger("gateway.audit")
_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class AnchorKey:
    key_id: str
    private_key: str = field(repr=False)

    @property
    def public_key(self) -> str:
        return sm2_public_key(self.private_key)


class AccessLog:
    def __init__(self, store: AccessLogStore, *, anchor_key: AnchorKey | None = None, anchor_every: int = 1000,
                 anchor_interval_s: float = 3600.0, retention_days: int = 184,
                 clock: Callable[[], float] = time.time) -> None:
        if retention_days < 1 or anchor_every < 1:
            raise ValueError("access log: retention_days and anchor_every must be at least 1")
        self.store = store
        self.anchor_key = anchor_key
        self.anchor_every = anchor_every
        self.anchor_interval_s = anchor_interval_s
        self.retention_days = retention_days
        self._clock = clock
        self._since_anchor = 0
        self._anchored_seq: int | None = None

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _signed_at(self) -> str:
        return datetime.fromtimestamp(self._clock(), tz=UTC).isoformat(timespec="milliseconds")

    async def open(self) -> None:
        await self.store.open()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.anchor()
        await self.store.close()

    async def append(self, body: Mapping[str, JsonValue]) -> ChainEntry:
        entry = await self.store.append(body, self._now_ms())
        self._since_anchor += 1
        if self._since_anchor >= self.anchor_every:
            await self.anchor()
        return entry

    async def anchor(self) -> StoredAnchor | None:
        """Sign the current head (nothing when there is no key, no record, or it is already anchored)."""
        if self.anchor_key is None:
            return None
        head = await self.store.head()
        if head is None or head.entry.seq == self._anchored_seq:
            return None
        stored = StoredAnchor(AnchorKind.ANCHOR, sign_anchor(CHAIN_ID, head.entry, private_key=self.anchor_key.private_key,
                                                             key_id=self.anchor_key.key_id,
                                                             signed_at=self._signed_at()))
        await self.store.add_anchor(stored)
        self._anchored_seq = head.entry.seq
        self._since_anchor = 0
        return stored

    async def run_anchoring(self) -> None:
        """Anchor every `anchor_interval_s` until cancelled (a task of the app's lifespan)."""
        while True:
            await asyncio.sleep(self.anchor_interval_s)
            try:
                await self.anchor()
            except Exception:
                log.exception("access log anchoring failed")

    async def prune(self) -> int:
        """Remove records older than the retention period; the pruning point is signed first."""
        if self.anchor_key is None:
            raise RuntimeError("pruning needs an anchor key: the pruning point must be signed")
        cutoff = self._now_ms() - self.retention_days * _DAY_MS
        last: StoredEntry | None = await self.store.last_before(cutoff)
        if last is None:
            return 0
        checkpoint = StoredAnchor(AnchorKind.CHECKPOINT, sign_anchor(
            CHAIN_ID, last.entry, private_key=self.anchor_key.private_key, key_id=self.anchor_key.key_id,
            signed_at=self._signed_at()))
        removed = await self.store.prune_through(checkpoint)
        log.info("access log pruned: %d records up to seq %d", removed, last.entry.seq)
        return removed

    async def verify(self, public_keys: Mapping[str, str] | None = None) -> AccessLogReport:
        keys = dict(public_keys or {})
        if self.anchor_key is not None:
            keys.setdefault(self.anchor_key.key_id, self.anchor_key.public_key)
        return verify_records(await self.store.read(), await self.store.anchors(), keys)
