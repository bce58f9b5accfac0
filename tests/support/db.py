"""Fresh PostgreSQL databases on the throwaway test server, one per test, dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
from sqlalchemy.engine import make_url


async def _admin(server_url: str, statement: str) -> None:
    conn = await asyncpg.connect(make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(drivername="postgresql", database=name).render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def fresh_postgres_database(server_url: str) -> AsyncIterator[str]:
    """Create an empty database on the server at `server_url`; yield its plain postgresql:// URL."""
    name = f"hub_t_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(server_url, name)
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """`fresh_postgres_database` for code without an event loop of its own (a stack serving in threads)."""
    name = f"hub_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _database_url(server_url, name)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
