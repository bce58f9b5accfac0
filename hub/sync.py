"""`hub sync population`: fill the pseudonym vault from the population system, resumably.

Look-ups by ID number fill the vault (`person_index`) one person at a time; the bulk sync pages through
the population system so that every `Person` reference by hash — a party in a case registered from a
hash, an officer — resolves through the population subgraph. The run keeps how far it got per
region in the store, so a run stopped (Ctrl-C, `--max-pages`) continues where it stopped; run it
nightly to pick up new residents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from subgraphs.common.config import SubgraphConfig
from subgraphs.common.migrate import upgrade
from subgraphs.population.app import open_resources
from subgraphs.population.sync import DEFAULT_PAGE_SIZE, SyncReport, sync_person_index


async def sync_population(settings: Any, *, region_code: str = "", max_pages: int | None = None,
                          page_size: int = DEFAULT_PAGE_SIZE, restart: bool = False,
                          config: SubgraphConfig | None = None,
                          say: Callable[[str], None] = lambda _m: None) -> SyncReport:
    """Run the person-index sync with the population subgraph's own adapter (timeouts, retries, breaker)."""
    cfg = replace(config or SubgraphConfig.from_settings(settings), migrate_on_start=False)
    await upgrade(cfg.database_url)
    async with open_resources(cfg) as res:
        say(f"syncing the person index from {cfg.population_url} (region {region_code or 'all'}) ...")
        return await sync_person_index(res.adapter, res.vault, res.vault.engine, region_code=region_code,
                                       page_size=page_size, max_pages=max_pages, restart=restart)
