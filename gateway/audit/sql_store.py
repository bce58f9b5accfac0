"""The access log in the hub's database (SQLAlchemy async; SQLite or PostgreSQL).

Tables (created by the Alembic migration ``access_log`` of the hub's store; `create_tables` is for
tests and throwaway databases)::

    gateway_access_log         seq PK, ts_ms, prev_hash, hash, body (canonical JSON text)
    gateway_access_log_anchor  id PK, kind, chain_id, head_seq, head_hash, signed_at, key_id, signature

Appending reads the head and inserts the next seq in one transaction; a concurrent writer (another
gateway replica) that took the same seq makes the insert fail on the primary key, and the append is
retried with the new head, so the chain never forks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.engine import Row, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from domain.hashchain import ChainAnchor, ChainEntry, JsonValue, canonical_json, make_entry
from gateway.audit.store import AnchorKind, StoredAnchor, StoredEntry, latest_checkpoint, previous_link

__all__ = ["SqlAccessLog", "access_log_table", "anchor_table", "async_database_url", "metadata"]

metadata = MetaData()
access_log_table = Table(
    "gateway_access_log", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("ts_ms", BigInteger, nullable=False, index=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("body", Text, nullable=False),
)
anchor_table = Table(
    "gateway_access_log_anchor", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("chain_id", String(64), nullable=False),
    Column("head_seq", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("signed_at", String(40), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", String(160), nullable=False),
)
_APPEND_ATTEMPTS = 8


def async_database_url(url: str) -> str:
    """Plain ``sqlite:`` / ``postgresql:`` URLs mapped to their async drivers."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported access-log database {parsed.drivername!r}")
    return parsed.render_as_string(hide_password=False)


def _stored(row: Row[Any]) -> StoredEntry:
    mapping = row._mapping
    entry = ChainEntry(int(mapping["seq"]), str(mapping["prev_hash"]), json.loads(mapping["body"]), str(mapping["hash"]))
    return StoredEntry(entry, int(mapping["ts_ms"]))


class SqlAccessLog:
    def __init__(self, url: str, *, engine: AsyncEngine | None = None, create_tables: bool = False) -> None:
        self.url = url
        self._engine = engine
        self._owns_engine = engine is None
        self._create_tables = create_tables

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("access log store is not open")
        return self._engine

    async def open(self) -> None:
        if self._engine is None:
            self._engine = create_async_engine(async_database_url(self.url))
        if self._create_tables:
            async with self._engine.begin() as conn:
                await conn.run_sync(metadata.create_all)

    async def close(self) -> None:
        if self._engine is not None and self._owns_engine:
            await self._engine.dispose()
            self._engine = None

    async def append(self, body: Mapping[str, JsonValue], ts_ms: int) -> ChainEntry:
        text = canonical_json(body).decode("utf-8")
        for attempt in range(_APPEND_ATTEMPTS):
            try:
                async with self.engine.begin() as conn:
                    row = (await conn.execute(select(access_log_table).order_by(access_log_table.c.seq.desc())
                                              .limit(1))).first()
                    head = _stored(row) if row is not None else None
                    checkpoint = None if head is not None else latest_checkpoint(await self._anchors(conn))
                    entry = make_entry(previous_link(head, checkpoint), body)
                    await conn.execute(insert(access_log_table).values(
                        seq=entry.seq, ts_ms=ts_ms, prev_hash=entry.prev_hash, hash=entry.hash, body=text))
                return entry
            except IntegrityError:
                if attempt == _APPEND_ATTEMPTS - 1:
                    raise
        raise RuntimeError("unreachable")

    async def read(self, *, after_seq: int = 0, limit: int | None = None) -> list[StoredEntry]:
        query = select(access_log_table).where(access_log_table.c.seq > after_seq).order_by(access_log_table.c.seq)
        if limit is not None:
            query = query.limit(limit)
        async with self.engine.connect() as conn:
            return [_stored(row) for row in (await conn.execute(query)).all()]

    async def head(self) -> StoredEntry | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(access_log_table).order_by(access_log_table.c.seq.desc())
                                      .limit(1))).first()
        return _stored(row) if row is not None else None

    async def last_before(self, ts_ms: int) -> StoredEntry | None:
        query = (select(access_log_table).where(access_log_table.c.ts_ms < ts_ms)
                 .order_by(access_log_table.c.seq.desc()).limit(1))
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return _stored(row) if row is not None else None

    async def add_anchor(self, anchor: StoredAnchor) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(insert(anchor_table).values(**_anchor_row(anchor)))

    async def _anchors(self, conn: AsyncConnection) -> list[StoredAnchor]:
        result = await conn.execute(select(anchor_table).order_by(anchor_table.c.id))
        return [StoredAnchor(AnchorKind(r.kind), ChainAnchor(r.chain_id, int(r.head_seq), r.head_hash, r.signed_at,
                                                             r.key_id, r.signature)) for r in result.all()]

    async def anchors(self) -> list[StoredAnchor]:
        async with self.engine.connect() as conn:
            return await self._anchors(conn)

    async def prune_through(self, checkpoint: StoredAnchor) -> int:
        async with self.engine.begin() as conn:
            await conn.execute(insert(anchor_table).values(**_anchor_row(checkpoint)))
            result = await conn.execute(delete(access_log_table)
                                        .where(access_log_table.c.seq <= checkpoint.anchor.head_seq))
            return int(result.rowcount or 0)


def _anchor_row(stored: StoredAnchor) -> dict[str, object]:
    a = stored.anchor
    return {"kind": stored.kind.value, "chain_id": a.chain_id, "head_seq": a.head_seq, "head_hash": a.head_hash,
            "signed_at": a.signed_at, "key_id": a.key_id, "signature": a.signature}
