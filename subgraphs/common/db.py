"""The hub's own store: async SQLAlchemy engines for SQLite (embedded default) and PostgreSQL.

`create_engine(url)` accepts plain URLs (`sqlite:///data/hub.db`, `postgresql://user@host/db`) and
picks the async driver (aiosqlite, asyncpg). SQLite gets WAL mode, foreign keys and a busy timeout,
so the embedded default behaves like a server database under concurrent readers.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5000


class DatabaseUrlError(ValueError):
    """The database URL names a backend the hub does not support."""


def to_async_url(url: str | URL) -> URL:
    """Map a plain database URL to its async driver; reject unsupported backends with a clear error."""
    parsed = make_url(url) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    raise DatabaseUrlError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")


def is_sqlite(url: str | URL) -> bool:
    return to_async_url(url).get_backend_name() == "sqlite"


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for the hub's store. The caller (an app's lifespan) owns and disposes it."""
    async_url = to_async_url(url)
    # JSON columns (case snapshots are several kB each) are parsed with orjson: a page of cases is
    # mostly JSON parsing, and the standard library's parser is several times slower
    kwargs.setdefault("json_deserializer", orjson.loads)
    if async_url.get_backend_name() == "sqlite":
        engine = create_async_engine(async_url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(async_url, **kwargs)
