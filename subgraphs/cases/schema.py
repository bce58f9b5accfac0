"""Query fields of the cases subgraph and the schema object."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from subgraphs.cases.access_rules import RULES
from subgraphs.cases.archive_graph import CaseArchiveFile, case_archive
from subgraphs.cases.case_roles import CaseParticipation
from subgraphs.cases.catalogue_graph import EnforcementItemVersion, catalogue_mutations, enforcement_items
from subgraphs.cases.chain import snapshot_sm3, verify_case_chain
from subgraphs.cases.codec import encode
from subgraphs.cases.context import CasesContext, inspection_in_scope
from subgraphs.cases.domain.enums import CaseState
from subgraphs.cases.filter_inputs import (
    CaseFilterInput,
    CaseOrder,
    InspectionFilterInput,
    InspectionOrder,
    MeasureFilterInput,
    MeasureOrder,
    case_filter,
)
from subgraphs.cases.inspections import INSPECTION
from subgraphs.cases.live import Subscription
from subgraphs.cases.measures import MEASURE
from subgraphs.cases.mutations import build_mutation_type
from subgraphs.cases.purpose import PurposeCheck, case_purpose_binding
from subgraphs.cases.queries import document, stored_events
from subgraphs.cases.record_lists import inspection_page, measure_page
from subgraphs.cases.record_mutations import record_mutations
from subgraphs.cases.record_types import CoerciveMeasureView, InspectionView
from subgraphs.cases.repeat_parties import RepeatParty, repeat_parties
from subgraphs.cases.types import (
    SCALAR_MAP,
    EnforcementBodyRef,
    IntegrityCheck,
    LegalEntity,
    LicenceRef,
    Officer,
    PenaltyCase,
    Person,
    case_page,
)
from subgraphs.cases.upload_graph import (
    FileChunk,
    UploadSession,
    penalty_case_file,
    upload_mutations,
    upload_session,
)
from subgraphs.common.pagination import Page
from subgraphs.common.schema import SubgraphSchema

_ID = Annotated[strawberry.ID, strawberry.argument(description="标识 — the record's id")]
_CASE_ID = Annotated[strawberry.ID, strawberry.argument(description="案件标识 — the case's id")]


async def penalty_case(info: Info[CasesContext, None], id: _ID) -> PenaltyCase | None:
    return await PenaltyCase.resolve_reference(info, id)


async def penalty_cases(
    info: Info[CasesContext, None],
    filter: Annotated[CaseFilterInput | None, strawberry.argument(description="筛选 — conditions, all optional")] = None,
    order_by: Annotated[list[CaseOrder] | None, strawberry.argument(description="排序 — sort keys (default: id)")] = None,
    first: Annotated[int | None, strawberry.argument(description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(description="游标 — nextCursor of the previous page")] = None,
    body_uscc: Annotated[str | None, strawberry.argument(description="执法主体 — deprecated: filter.bodies")] = None,
    status: Annotated[CaseState | None, strawberry.argument(description="状态 — deprecated: filter.statuses")] = None,
) -> Page[PenaltyCase]:
    fixed: dict[str, str] = {}
    if body_uscc:
        fixed["body_uscc"] = body_uscc.strip().upper()
    if status is not None:
        fixed["status"] = status.value
    return await case_page(info, case_filter(filter, **fixed), first, after, order_by)


async def verify_document_seal(
    info: Info[CasesContext, None],
    document_id: Annotated[strawberry.ID, strawberry.argument(description="文书编号 — the document's id")],
) -> IntegrityCheck:
    found = await document(info.context.res.engine, str(document_id))
    if found is None or await info.context.case_to_read(found.case_id) is None:
        return IntegrityCheck(ok=False, reason=f"no document {document_id}")
    check = await info.context.res.files.verify_document(str(document_id))
    return IntegrityCheck(ok=check.ok, reason=check.reason)


async def verify_case_events(info: Info[CasesContext, None], case_id: _CASE_ID) -> IntegrityCheck:
    """Walk the case's SM3 event chain; name the first edited, deleted or reordered event."""
    record = await info.context.case_to_read(str(case_id))
    if record is None:
        return IntegrityCheck(ok=False, reason=f"no case {case_id}")
    events = await stored_events(info.context.res.engine, record.case_id)
    fault = verify_case_chain(record.case_id, events, version=record.version, head_hash=record.head_hash,
                              snapshot_digest=snapshot_sm3(encode(record.snapshot)))
    if fault is None:
        return IntegrityCheck(ok=True, reason=f"{len(events)} events verified")
    return IntegrityCheck(ok=False, reason=str(fault), fault=fault.fault, seq=fault.seq)


async def coercive_measures(info: Info[CasesContext, None], case_id: _CASE_ID) -> list[CoerciveMeasureView]:
    if await info.context.case_in_scope(str(case_id)) is None:
        return []
    return [CoerciveMeasureView.from_stored(m) for m in await info.context.measures.load(str(case_id)) or []]


async def coercive_measure(info: Info[CasesContext, None], id: _ID) -> CoerciveMeasureView | None:
    found = await info.context.res.records.find(MEASURE, str(id))
    if found is None or await info.context.case_in_scope(found.snapshot.case_id) is None:
        return None
    return CoerciveMeasureView.from_stored(found)


async def inspection(info: Info[CasesContext, None], id: _ID) -> InspectionView | None:
    found = await info.context.res.records.find(INSPECTION, str(id))
    if found is None or not await inspection_in_scope(info.context, found.snapshot.body_id):
        return None
    return InspectionView.from_stored(found)


async def inspections(
    info: Info[CasesContext, None],
    filter: Annotated[InspectionFilterInput | None, strawberry.argument(description="筛选 — conditions")] = None,
    order_by: Annotated[list[InspectionOrder] | None, strawberry.argument(description="排序 — sort keys")] = None,
    first: Annotated[int | None, strawberry.argument(description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(description="游标 — nextCursor of the previous page")] = None,
    body_uscc: Annotated[str | None, strawberry.argument(description="执法主体 — deprecated: filter.bodies")] = None,
) -> Page[InspectionView]:
    return await inspection_page(info, filter, order_by, first, after,
                                 body_uscc=body_uscc.strip().upper() if body_uscc else None)


async def search_coercive_measures(
    info: Info[CasesContext, None],
    filter: Annotated[MeasureFilterInput | None, strawberry.argument(description="筛选 — conditions")] = None,
    order_by: Annotated[list[MeasureOrder] | None, strawberry.argument(description="排序 — sort keys")] = None,
    first: Annotated[int | None, strawberry.argument(description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(description="游标 — nextCursor of the previous page")] = None,
) -> Page[CoerciveMeasureView]:
    return await measure_page(info, filter, order_by, first, after)


@strawberry.type(description="查询 — reads of the cases subgraph: penalty cases, coercive measures, inspections, "
                             "the enforcement-item catalogue and integrity checks.")
class Query:
    penalty_case: PenaltyCase | None = strawberry.field(resolver=penalty_case, description="行政处罚案件 — a penalty case by id (null outside the caller's scope, unless a review campaign assigned the caller, a LEGAL_REVIEWER stating CASE_FILE_REVIEW, to review it).")
    penalty_cases: Page[PenaltyCase] | None = strawberry.field(
        resolver=penalty_cases,
        description="行政处罚案件 — cases by any combination of filters, in the order asked, a page at a time, with "
                    "the exact total.")
    verify_document_seal: IntegrityCheck | None = strawberry.field(
        resolver=verify_document_seal, description="验章 — re-hash a document's file and check its SM2 seal.")
    verify_case_events: IntegrityCheck | None = strawberry.field(
        resolver=verify_case_events,
        description="全过程记录校验 — walk the case's SM3 event chain; name the first edited, deleted or reordered "
                    "event.")
    case_archive: CaseArchiveFile | None = strawberry.field(
        resolver=case_archive,
        description="电子卷宗导出 — the case's signed archive file (the one `hub archive export` writes); null outside "
                    "the caller's scope; ARCHIVE_TOO_LARGE over the size limit.")
    penalty_case_file: FileChunk | None = strawberry.field(
        resolver=penalty_case_file,
        description="案件文件 — bytes of a document or evidence file attached to the case, a chunk at a time (null "
                    "outside the caller's scope; NOT_FOUND for a file not attached to the case).")
    upload_session: UploadSession | None = strawberry.field(
        resolver=upload_session,
        description="上传会话 — a resumable upload the caller started: how many bytes arrived (null: none).")
    coercive_measures: list[CoerciveMeasureView] | None = strawberry.field(
        resolver=coercive_measures, description="行政强制措施 — the coercive measures of a case, oldest first.")
    coercive_measure: CoerciveMeasureView | None = strawberry.field(
        resolver=coercive_measure, description="行政强制措施 — a coercive measure by id (null outside the caller's scope).")
    inspection: InspectionView | None = strawberry.field(
        resolver=inspection, description="行政检查 — an inspection by id (null outside the caller's scope).")
    inspections: Page[InspectionView] | None = strawberry.field(
        resolver=inspections, description="行政检查 — inspections by filter, a page at a time, with the exact total.")
    repeat_parties: Page[RepeatParty] | None = strawberry.field(
        resolver=repeat_parties,
        description="多次被处罚的当事人 — organisations party to at least minCases of the selected cases, with them.")
    search_coercive_measures: Page[CoerciveMeasureView] | None = strawberry.field(
        resolver=search_coercive_measures,
        description="行政强制措施 — coercive measures by filter (e.g. pastTermOn: 超期未解除), a page at a time.")
    enforcement_items: Page[EnforcementItemVersion] | None = strawberry.field(
        resolver=enforcement_items,
        description="执法事项目录 — catalogue versions in (code, version) order, optionally of one status, a page at a "
                    "time.")
    case_purpose_binding: PurposeCheck | None = strawberry.field(
        resolver=case_purpose_binding,
        description="用途核验 — is the caller's purpose bound to this case or inspection (the gateway's need-to-know "
                    "check)?")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(
        subgraph="cases", access=RULES, query=Query, subscription=Subscription,
        mutation=build_mutation_type({**record_mutations(), **catalogue_mutations(), **upload_mutations()}),
        types=[PenaltyCase, Person, LegalEntity, Officer, EnforcementBodyRef, LicenceRef, CaseParticipation, RepeatParty],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
