"""The hub's store migrates up and down on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from subgraphs.common.db import DatabaseUrlError, create_engine, to_async_url
from subgraphs.common.migrate import downgrade, upgrade


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            return set(names)
    finally:
        await engine.dispose()


async def test_upgrade_creates_schema_and_is_idempotent(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)  # a second run changes nothing and does not fail
    tables = await _tables(database_url)
    assert {"hub_meta", "alembic_version"} <= tables


async def test_round_trip_down_and_up_keeps_working(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO hub_meta (key, value) VALUES ('k', 'v')"))
            value = (await conn.execute(text("SELECT value FROM hub_meta WHERE key = 'k'"))).scalar_one()
        assert value == "v"
    finally:
        await engine.dispose()
    await downgrade(database_url)
    assert "hub_meta" not in await _tables(database_url)
    await upgrade(database_url)
    assert "hub_meta" in await _tables(database_url)


def test_backend_reported_by_dialect(database_url: str) -> None:
    expected = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    assert to_async_url(database_url).get_backend_name() == expected


def test_unsupported_database_is_a_clear_error() -> None:
    with pytest.raises(DatabaseUrlError, match="unsupported database 'mysql'"):
        to_async_url("mysql://u@127.0.0.1/db")
