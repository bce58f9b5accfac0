"""Where the guards' facts come from: a `FactsProvider` builds the `GuardContext` for a command.

* `FixedFacts` — a ready `GuardContext` (tests, demos, the seed: `StaticFacts` from seed files);
* `StoreFacts` — the hub's own store: bodies, officers and certificates of the personnel store,
  PUBLISHED/SUPERSEDED items of the catalogue and the regulations index; loaded at once and kept
  for `ttl_s` seconds (the guards are synchronous; the provider does the I/O before them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.catalogue import USABLE
from subgraphs.cases.domain.catalogue import EnforcementItem
from subgraphs.cases.domain.config import DeadlineConfig
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.facts import (
    BodyFact,
    CertificateFact,
    CertificateStatus,
    OfficerFact,
    StaticFacts,
)
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.items import to_domain_item
from subgraphs.cases.regulations import RegulationIndex, load_index
from subgraphs.cases.rows import CatalogueItemRow
from subgraphs.personnel.store import BodyRow, CertificateRow, OfficerRow


class FactsProvider(Protocol):
    async def guard_context(self) -> GuardContext: ...


@dataclass(frozen=True)
class FixedFacts:
    ctx: GuardContext

    async def guard_context(self) -> GuardContext:
        return self.ctx


@dataclass(frozen=True)
class StoreFactsData:
    """Personnel, bodies and items as `StaticFacts`, plus the regulations index."""

    facts: StaticFacts
    regulations: RegulationIndex

    def context(self, calendar: WorkingCalendar, config: DeadlineConfig) -> GuardContext:
        return GuardContext(calendar=calendar, config=config, personnel=self.facts, catalogue=self.facts,
                            bodies=self.facts, regulations=self.regulations)


def certificate_status(raw: str) -> CertificateStatus:
    try:
        return CertificateStatus(raw)
    except ValueError:
        return CertificateStatus.CANCELLED  # an unknown status never makes an officer qualified


async def load_store_facts(engine: AsyncEngine) -> StoreFactsData:
    async with engine.connect() as conn:
        bodies = (await conn.execute(select(BodyRow.uscc, BodyRow.name, BodyRow.item_codes))).all()
        officers = (await conn.execute(select(
            OfficerRow.id, OfficerRow.name, OfficerRow.body_uscc, OfficerRow.has_legal_qualification,
            OfficerRow.is_legal_reviewer))).all()
        certs = (await conn.execute(select(
            CertificateRow.cert_no, CertificateRow.officer_id, CertificateRow.status, CertificateRow.valid_from,
            CertificateRow.valid_to, CertificateRow.area, CertificateRow.categories, CertificateRow.vanished_at,
        ).order_by(CertificateRow.cert_no))).all()
        items = (await conn.execute(select(CatalogueItemRow.payload, CatalogueItemRow.action_type)
                                    .where(CatalogueItemRow.status.in_(USABLE)))).all()
    domain_items: dict[tuple[str, str], EnforcementItem] = {}
    execution_codes: set[str] = set()
    for payload, action_type in items:
        item = to_domain_item(payload)
        domain_items[(item.code, item.version)] = item
        if action_type == "COERCIVE_EXECUTION":
            execution_codes.add(item.code)
    certificates: dict[str, list[CertificateFact]] = {}
    for c in certs:
        status = CertificateStatus.CANCELLED if c.vanished_at is not None else certificate_status(c.status)
        certificates.setdefault(c.officer_id, []).append(CertificateFact(
            c.cert_no, c.officer_id, status, c.valid_from, c.valid_to, frozenset(c.area), frozenset(c.categories)))
    facts = StaticFacts(
        officers={o.id: OfficerFact(o.id, o.name, o.body_uscc, has_legal_qualification=o.has_legal_qualification,
                                    is_legal_reviewer=o.is_legal_reviewer) for o in officers},
        certificates={k: tuple(v) for k, v in certificates.items()},
        items=domain_items,
        bodies={b.uscc: BodyFact(b.uscc, b.name, frozenset(b.item_codes),
                                 has_execution_power=bool(execution_codes & set(b.item_codes)))
                for b in bodies},
    )
    return StoreFactsData(facts, await load_index(engine))


class StoreFacts:
    """Facts from the hub's store, reloaded at most every `ttl_s` seconds."""

    def __init__(self, engine: AsyncEngine, calendar: WorkingCalendar, config: DeadlineConfig, *,
                 ttl_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._calendar = calendar
        self._config = config
        self._ttl = ttl_s
        self._clock = clock
        self._cached: tuple[float, GuardContext] | None = None
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._cached = None

    async def guard_context(self) -> GuardContext:
        cached = self._cached
        if cached is not None and self._clock() - cached[0] < self._ttl:
            return cached[1]
        async with self._lock:
            cached = self._cached
            if cached is not None and self._clock() - cached[0] < self._ttl:
                return cached[1]
            data = await load_store_facts(self._engine)
            ctx = data.context(self._calendar, self._config)
            self._cached = (self._clock(), ctx)
            return ctx
