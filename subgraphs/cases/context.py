"""Resources of the cases subgraph (built in the app's lifespan) and the per-request context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.batching import BatchLoader
from subgraphs.cases import queries
from subgraphs.cases.access import CaseAccess, registered_region
from subgraphs.cases.aggregates import RecordStore, Stored
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.documents import CaseFiles
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.measures import measures_of
from subgraphs.cases.queries import DeadlineView, DocumentView, EventView, EvidenceView
from subgraphs.cases.review_read import assigned_reviewer, may_read_as_reviewer
from subgraphs.cases.rows import CaseRow, InspectionRow
from subgraphs.cases.service import CaseRecord, CaseService
from subgraphs.cases.uploads import UploadSessions
from subgraphs.common.vault import PseudonymVault

if TYPE_CHECKING:
    from subgraphs.cases.live import CaseChangeFeed

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
    uploads: UploadSessions
    #: the live feed of case changes (`live`); None when this app pushes none
    changes: CaseChangeFeed | None = None


def _loader(engine: AsyncEngine,
            fetch: Callable[[AsyncEngine, Sequence[str]], Awaitable[dict[str, list[V]]]]) -> BatchLoader[str, list[V]]:
    async def many(keys: list[str]) -> dict[str, list[V] | Exception]:
        found = await fetch(engine, keys)
        return {k: found.get(k, []) for k in keys}

    return BatchLoader(many, batch_limit=BATCH)


@dataclass
class CasesContext:
    """Per request: the caller's `access`, and loaders. `case` loads only cases in the caller's
    scope (what every read uses); `any_case` loads regardless of scope (only to tell a mutation's
    NOT_FOUND from FORBIDDEN). Child loaders are keyed by case id: reach them only from a case
    already loaded through `case`."""

    res: CasesResources
    access: CaseAccess
    case: BatchLoader[str, CaseRecord]
    any_case: BatchLoader[str, CaseRecord]
    events: BatchLoader[str, list[EventView]]
    deadlines: BatchLoader[str, list[DeadlineView]]
    documents: BatchLoader[str, list[DocumentView]]
    evidence: BatchLoader[str, list[EvidenceView]]
    licences: BatchLoader[str, list[tuple[str, str]]]
    measures: BatchLoader[str, list[Stored[CoerciveMeasure]]]

    @classmethod
    def build(cls, res: CasesResources, access: CaseAccess) -> CasesContext:
        engine = res.engine
        scope = access.condition(CaseRow.body_uscc, CaseRow.region_code)

        async def cases(keys: list[str]) -> dict[str, CaseRecord | Exception]:
            return dict(await queries.cases_by_id(engine, keys, scope))

        async def any_cases(keys: list[str]) -> dict[str, CaseRecord | Exception]:
            return dict(await queries.cases_by_id(engine, keys))

        return cls(res=res, access=access, case=BatchLoader(cases, batch_limit=BATCH),
                   any_case=BatchLoader(any_cases, batch_limit=BATCH),
                   events=_loader(engine, queries.events_of), deadlines=_loader(engine, queries.deadlines_of),
                   documents=_loader(engine, queries.documents_of), evidence=_loader(engine, queries.evidence_of),
                   licences=_loader(engine, queries.licences_of), measures=_loader(engine, measures_of))

    def refresh(self) -> None:
        """Fresh loaders (nothing cached): a subscription's context lives as long as its connection."""
        fresh = CasesContext.build(self.res, self.access)
        for name in ("case", "any_case", "events", "deadlines", "documents", "evidence", "licences", "measures"):
            setattr(self, name, getattr(fresh, name))

    def case_scope(self) -> ColumnElement[bool] | None:
        """SQL selecting the `penalty_case` rows in the caller's scope (None: unrestricted, DEV ONLY)."""
        return self.access.condition(CaseRow.body_uscc, CaseRow.region_code)

    def inspection_scope(self) -> ColumnElement[bool] | None:
        """SQL selecting the `inspection` rows in the caller's scope (None: unrestricted, DEV ONLY)."""
        return self.access.condition(InspectionRow.body_uscc)

    async def case_in_scope(self, case_id: str) -> CaseRecord | None:
        """The case if it exists and the caller may see it; None otherwise (never says which)."""
        return await self.case.load(case_id)

    async def case_to_read(self, case_id: str) -> CaseRecord | None:
        """The case for a read by id: in the caller's scope, or assigned to the caller for review
        (`subgraphs.cases.review_read`). Never for lists or changes: those use `case_in_scope`."""
        record = await self.case.load(case_id)
        if record is not None or not may_read_as_reviewer(self.access):
            return record
        assert self.access.actor_id is not None  # checked by may_read_as_reviewer
        if not await assigned_reviewer(self.res.engine, case_id, self.access.actor_id):
            return None
        return await self.any_case.load(case_id)


async def inspection_in_scope(ctx: CasesContext, body_uscc: str) -> bool:
    """May the caller see an inspection of this body (located where the body register says)?"""
    if ctx.access.scope is None:
        return True
    return ctx.access.sees(body_uscc, await registered_region(ctx.res.engine, body_uscc))
