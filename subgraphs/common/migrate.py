"""Run the hub's Alembic migrations programmatically (`hub db upgrade`, app start-up, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from subgraphs.common.db import create_engine, to_async_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", to_async_url(url).render_as_string(hide_password=False))
    return cfg


async def _run(url: str, revision: str, *, downgrade: bool) -> None:
    engine = create_engine(url)
    cfg = alembic_config(url)

    def _apply(connection: Connection) -> None:
        cfg.attributes["connection"] = connection
        if downgrade:
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(_apply)
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the store at `url` up to `revision` (idempotent)."""
    await _run(url, revision, downgrade=False)


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, revision, downgrade=True)


def upgrade_sync(url: str, revision: str = "head") -> None:
    asyncio.run(upgrade(url, revision))
