"""Resources of the cases subgraph (built in the app's lifespan) and the per-request context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.batching import BatchLoader
from subgraphs.cases import queries
from subgraphs.cases.aggregates import RecordStore, Stored
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.devauth import DevUser
from subgraphs.cases.documents import CaseFiles
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.measures import measures_of
from subgraphs.cases.queries import DeadlineView, DocumentView, EventView, EvidenceView
from subgraphs.cases.service import CaseRecord, CaseService
from subgraphs.common.vault import PseudonymVault

BATCH = 500
V = TypeVar("V")


@dataclass(frozen=True)
class CasesResources:
    config: CasesConfig
    engine: AsyncEngine
    service: CaseService
    files: CaseFiles
    blobs: BlobStore
    vault: PseudonymVault
    records: RecordStore


def _loader(engine: AsyncEngine,
            fetch: Callable[[AsyncEngine, Sequence[str]], Awaitable[dict[str, list[V]]]]) -> BatchLoader[str, list[V]]:
    async def many(keys: list[str]) -> dict[str, list[V] | Exception]:
        found = await fetch(engine, keys)
        return {k: found.get(k, []) for k in keys}

    return BatchLoader(many, batch_limit=BATCH)


@dataclass
class CasesContext:
    res: CasesResources
    user: DevUser | None
    user_error: str | None
    case: BatchLoader[str, CaseRecord]
    events: BatchLoader[str, list[EventView]]
    deadlines: BatchLoader[str, list[DeadlineView]]
    documents: BatchLoader[str, list[DocumentView]]
    evidence: BatchLoader[str, list[EvidenceView]]
    licences: BatchLoader[str, list[tuple[str, str]]]
    measures: BatchLoader[str, list[Stored[CoerciveMeasure]]]

    @classmethod
    def build(cls, res: CasesResources, user: DevUser | None, user_error: str | None = None) -> CasesContext:
        engine = res.engine

        async def cases(keys: list[str]) -> dict[str, CaseRecord | Exception]:
            return dict(await queries.cases_by_id(engine, keys))

        return cls(res=res, user=user, user_error=user_error, case=BatchLoader(cases, batch_limit=BATCH),
                   events=_loader(engine, queries.events_of), deadlines=_loader(engine, queries.deadlines_of),
                   documents=_loader(engine, queries.documents_of), evidence=_loader(engine, queries.evidence_of),
                   licences=_loader(engine, queries.licences_of), measures=_loader(engine, measures_of))
