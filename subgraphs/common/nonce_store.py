"""The nonces of signed gateway calls in the subgraph's own database, shared by all its replicas.

A replayed call is refused by whichever replica receives it: the first replica to see a nonce inserts
it (``hub_call_nonce``, migration 0012); the primary key makes the second insert fail, on SQLite and
PostgreSQL alike, so two replicas racing on the same nonce cannot both accept it. Rows older than the
staleness window (a call that old is refused as STALE_CALL before its nonce is looked at) are deleted
every `prune_every` calls, in the same statement batch, so the table stays bounded by the call rate
times the window.
"""

from __future__ import annotations

import logging

from sqlalchemy import Float, String, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.common.orm import Base
from trust.signing import NonceVerdict

__all__ = ["CallNonceRow", "SqlNonceStore"]

log = logging.getLogger(__name__)


class CallNonceRow(Base):
    __tablename__ = "hub_call_nonce"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    audience: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[float] = mapped_column(Float, index=True)


class SqlNonceStore:
    """`remember_async(nonce, timestamp, now)`: FRESH once per nonce across every replica, then REPLAYED."""

    def __init__(self, engine: AsyncEngine, *, audience: str, ttl_s: float, prune_every: int = 500) -> None:
        self._engine = engine
        self._audience = audience
        self._ttl_s = ttl_s
        self._prune_every = max(1, prune_every)
        self._since_prune = 0

    async def remember_async(self, nonce: str, timestamp: float, now: float) -> NonceVerdict:
        self._since_prune += 1
        prune = self._since_prune >= self._prune_every
        if prune:
            self._since_prune = 0
        try:
            async with self._engine.begin() as conn:
                if prune:
                    await conn.execute(delete(CallNonceRow).where(CallNonceRow.seen_at < now - self._ttl_s))
                await conn.execute(insert(CallNonceRow).values(nonce=nonce, audience=self._audience, seen_at=now))
        except IntegrityError:
            return NonceVerdict.REPLAYED
        return NonceVerdict.FRESH
