"""Query fields of the cases subgraph and the schema object."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from subgraphs.cases.access_rules import RULES
from subgraphs.cases.catalogue_graph import EnforcementItemVersion, catalogue_mutations, enforcement_items
from subgraphs.cases.chain import snapshot_sm3, verify_case_chain
from subgraphs.cases.codec import encode
from subgraphs.cases.context import CasesContext, inspection_in_scope
from subgraphs.cases.domain.enums import CaseState
from subgraphs.cases.inspections import INSPECTION, inspections_page
from subgraphs.cases.measures import MEASURE
from subgraphs.cases.mutations import build_mutation_type
from subgraphs.cases.purpose import PurposeCheck, case_purpose_binding
from subgraphs.cases.queries import CaseFilter, document, stored_events
from subgraphs.cases.record_mutations import record_mutations
from subgraphs.cases.record_types import CoerciveMeasureView, InspectionView
from subgraphs.cases.types import (
    SCALAR_MAP,
    EnforcementBodyRef,
    IntegrityCheck,
    LegalEntity,
    LicenceRef,
    Officer,
    PenaltyCase,
    Person,
    _page,
)
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size
from subgraphs.common.schema import SubgraphSchema


async def penalty_case(info: Info[CasesContext, None], id: strawberry.ID) -> PenaltyCase | None:
    return await PenaltyCase.resolve_reference(info, id)


async def penalty_cases(
    info: Info[CasesContext, None], body_uscc: str | None = None, status: CaseState | None = None,
    first: int | None = None, after: str | None = None,
) -> Page[PenaltyCase]:
    flt = CaseFilter(body_uscc=body_uscc.strip().upper() if body_uscc else None,
                     status=status.value if status is not None else None)
    return await _page(info, flt, first, after)


async def verify_document_seal(info: Info[CasesContext, None], document_id: strawberry.ID) -> IntegrityCheck:
    found = await document(info.context.res.engine, str(document_id))
    if found is None or await info.context.case_in_scope(found.case_id) is None:
        return IntegrityCheck(ok=False, reason=f"no document {document_id}")
    check = await info.context.res.files.verify_document(str(document_id))
    return IntegrityCheck(ok=check.ok, reason=check.reason)


async def verify_case_events(info: Info[CasesContext, None], case_id: strawberry.ID) -> IntegrityCheck:
    """Walk the case's SM3 event chain; name the first edited, deleted or reordered event."""
    record = await info.context.case_in_scope(str(case_id))
    if record is None:
        return IntegrityCheck(ok=False, reason=f"no case {case_id}")
    events = await stored_events(info.context.res.engine, record.case_id)
    fault = verify_case_chain(record.case_id, events, version=record.version, head_hash=record.head_hash,
                              snapshot_digest=snapshot_sm3(encode(record.snapshot)))
    if fault is None:
        return IntegrityCheck(ok=True, reason=f"{len(events)} events verified")
    return IntegrityCheck(ok=False, reason=str(fault), fault=fault.fault, seq=fault.seq)


async def coercive_measures(info: Info[CasesContext, None], case_id: strawberry.ID) -> list[CoerciveMeasureView]:
    if await info.context.case_in_scope(str(case_id)) is None:
        return []
    return [CoerciveMeasureView.from_stored(m) for m in await info.context.measures.load(str(case_id)) or []]


async def coercive_measure(info: Info[CasesContext, None], id: strawberry.ID) -> CoerciveMeasureView | None:
    found = await info.context.res.records.find(MEASURE, str(id))
    if found is None or await info.context.case_in_scope(found.snapshot.case_id) is None:
        return None
    return CoerciveMeasureView.from_stored(found)


async def inspection(info: Info[CasesContext, None], id: strawberry.ID) -> InspectionView | None:
    found = await info.context.res.records.find(INSPECTION, str(id))
    if found is None or not await inspection_in_scope(info.context, found.snapshot.body_id):
        return None
    return InspectionView.from_stored(found)


async def inspections(info: Info[CasesContext, None], body_uscc: str | None = None, first: int | None = None,
                      after: str | None = None) -> Page[InspectionView]:
    size = page_size(first)
    after_id = None
    if after is not None:
        key = decode_cursor(after).get("k")
        after_id = key if isinstance(key, str) else None
    body = body_uscc.strip().upper() if body_uscc else None
    found = await inspections_page(info.context.res.engine, body, after_id=after_id, limit=size + 1,
                                   scope=info.context.inspection_scope())
    more = len(found) > size
    found = found[:size]
    cursor = encode_cursor({"k": found[-1].record_id}) if more and found else None
    return Page(items=[InspectionView.from_stored(i) for i in found], next_cursor=cursor)


@strawberry.type
class Query:
    penalty_case: PenaltyCase | None = strawberry.field(resolver=penalty_case, description="A penalty case by id.")
    penalty_cases: Page[PenaltyCase] | None = strawberry.field(
        resolver=penalty_cases, description="Cases by body and/or status, in id order, with cursor paging.")
    verify_document_seal: IntegrityCheck = strawberry.field(
        resolver=verify_document_seal, description="Re-hash a document's file and check its SM2 seal.")
    verify_case_events: IntegrityCheck = strawberry.field(resolver=verify_case_events)
    coercive_measures: list[CoerciveMeasureView] = strawberry.field(
        resolver=coercive_measures, description="The coercive measures of a case, oldest first.")
    coercive_measure: CoerciveMeasureView | None = strawberry.field(resolver=coercive_measure)
    inspection: InspectionView | None = strawberry.field(resolver=inspection)
    inspections: Page[InspectionView] | None = strawberry.field(
        resolver=inspections, description="Inspections by body, in id order, with cursor paging.")
    enforcement_items: Page[EnforcementItemVersion] | None = strawberry.field(resolver=enforcement_items)
    case_purpose_binding: PurposeCheck = strawberry.field(
        resolver=case_purpose_binding,
        description="Is the caller's purpose bound to this case or inspection (the gateway's need-to-know check)?")


def build_schema() -> SubgraphSchema:
    return SubgraphSchema(
        subgraph="cases", access=RULES, query=Query,
        mutation=build_mutation_type({**record_mutations(), **catalogue_mutations()}),
        types=[PenaltyCase, Person, LegalEntity, Officer, EnforcementBodyRef, LicenceRef],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
    )
