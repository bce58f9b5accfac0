"""Bulk sync of the pseudonym vault: page through the population system and remember every person.

Look-ups by ID number fill the vault one person at a time; this fills it for everyone, so any
subgraph can hand out `Person` references by hash that the population subgraph can resolve. The
sync is resumable: how far it got (per region) is kept in `person_sync_state`, and a run with
`max_pages` stops early and continues from there next time. Records the source cannot vouch for
are counted, not remembered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adapters.errors import MalformedRecord
from adapters.rest.population import SOURCE, PopulationAdapter
from domain.entities import Person
from subgraphs.common.vault import PseudonymVault, SyncStateRow

log = logging.getLogger("subgraphs.population.sync")
DEFAULT_PAGE_SIZE = 500


@dataclass(frozen=True)
class SyncReport:
    pages: int
    remembered: int
    malformed: int
    completed: bool
    total: int | None


async def sync_person_index(
    adapter: PopulationAdapter,
    vault: PseudonymVault,
    engine: AsyncEngine,
    *,
    region_code: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
    max_pages: int | None = None,
    restart: bool = False,
) -> SyncReport:
    """Page through the population system (one region or all) and remember every valid person."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        state = await session.get(SyncStateRow, (SOURCE, region_code))
        if state is None or restart or state.page_size != page_size or state.completed_at is not None:
            state = await session.merge(SyncStateRow(
                source=SOURCE, region_code=region_code, next_page=1, page_size=page_size, total=None,
                completed_at=None, updated_at=datetime.now(UTC)))
        pages = remembered = malformed = 0
        completed = False
        while max_pages is None or pages < max_pages:
            result = await adapter.page(region_code=region_code or None, page=state.next_page, size=page_size)
            good = [r for r in result.records if isinstance(r, Person)]
            malformed += sum(1 for r in result.records if isinstance(r, MalformedRecord))
            await vault.remember(((p.id_type, p.id_number) for p in good), source=SOURCE)
            remembered += len(good)
            pages += 1
            state.next_page += 1
            state.total = result.total
            state.updated_at = datetime.now(UTC)
            if not result.has_more or not result.records:
                state.completed_at = state.updated_at
                completed = True
            await session.commit()
            if completed:
                break
        total = state.total
    log.info("person index sync (region %s): %d pages, %d remembered, %d malformed, completed=%s",
             region_code or "all", pages, remembered, malformed, completed)
    return SyncReport(pages=pages, remembered=remembered, malformed=malformed, completed=completed, total=total)


async def sync_state(engine: AsyncEngine) -> list[SyncStateRow]:
    async with AsyncSession(engine) as session:
        return list((await session.scalars(select(SyncStateRow).order_by(SyncStateRow.region_code))).all())
