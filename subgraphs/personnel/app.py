"""`create_app(settings)`: the personnel subgraph over the hub's own store.

At start it loads bodies and officers from the seed directory when the store has none yet, then
imports the newest complete certificate snapshot from the drop directory (idempotent: a file
already imported is skipped). `import_latest` is the same step for a scheduler to call.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request

from adapters.files.certificates import SnapshotError, latest_snapshot, read_snapshot
from subgraphs.common.app import build_subgraph_app
from subgraphs.common.config import SubgraphConfig, is_dev_profile
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import caller_of
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.context import PersonnelContext
from subgraphs.personnel.importer import ImportReport, import_snapshot
from subgraphs.personnel.schema import build_schema
from subgraphs.personnel.seedload import load_seed
from subgraphs.personnel.store import BodyRow

NAME = "personnel"
log = logging.getLogger("subgraphs.personnel")


@dataclass(frozen=True)
class PersonnelResources:
    engine: AsyncEngine
    vault: PseudonymVault


async def import_latest(config: SubgraphConfig, engine: AsyncEngine, vault: PseudonymVault) -> ImportReport | None:
    if config.certificate_drop_dir is None:
        return None
    path = latest_snapshot(config.certificate_drop_dir)
    if path is None:
        return None
    try:
        return await import_snapshot(engine, vault, read_snapshot(path))
    except SnapshotError as exc:
        log.warning("certificate snapshot not imported: %s", exc)
        return None


@contextlib.asynccontextmanager
async def open_resources(config: SubgraphConfig) -> AsyncIterator[PersonnelResources]:
    if config.migrate_on_start:
        await upgrade(config.database_url)
    engine = create_engine(config.database_url)
    vault = PseudonymVault(engine, config.id_hash_secret)
    try:
        async with AsyncSession(engine) as session:
            empty = not await session.scalar(select(func.count()).select_from(BodyRow))
        if empty and config.seed_dir is not None and config.seed_dir.is_dir():
            await load_seed(engine, vault, config.seed_dir)
        await import_latest(config, engine, vault)
        yield PersonnelResources(engine, vault)
    finally:
        await engine.dispose()


def create_app(settings: Any = None, *, config: SubgraphConfig | None = None) -> Starlette:
    cfg = config or SubgraphConfig.from_settings(settings)
    # DEV ONLY: the dev gateway signs anonymous callers' calls too; they read as an unsigned dev call does
    dev = is_dev_profile(settings)

    async def context(res: PersonnelResources, request: Request) -> PersonnelContext:
        caller = caller_of(request)
        if caller is not None and caller.subject is None and dev:
            caller = None
        return PersonnelContext.build(res.engine, caller)

    return build_subgraph_app(name=NAME, schema=build_schema(), resources=lambda: open_resources(cfg),
                              context=context)
