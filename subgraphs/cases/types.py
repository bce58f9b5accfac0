"""Graph types of the cases subgraph: `PenaltyCase` and the entities it links, both ways.

FEDERATION_NOTE: `Person`, `LegalEntity`, `Officer` and `EnforcementBody` are resolvable here only
to contribute their cases (and a body's inspections and coercive measures); their own fields live
in their home subgraphs. Party names are personal data and carry `@sensitive` for the gateway's
masking; the raw ID number of a party is never stored or served, only its hash (the `Person` key).
Every list takes the same `filter` / `orderBy` / `first` / `after` and answers an exact `total`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.entities import IdType
from subgraphs.cases import graph_enums  # noqa: F401  (registers the domain enums with the graph first)
from subgraphs.cases.case_children import (
    CaseDeadline,
    CaseDecision,
    CaseDocument,
    CaseEnforcement,
    CaseEvent,
    CaseEvidence,
    CaseParty,
    CasePayment,
    LicenceLink,
    LicenceRef,
    case_deadlines,
    case_documents,
    case_events,
    case_evidence,
    case_licences,
    case_measures,
)
from subgraphs.cases.case_roles import (
    CaseAct,
    CaseAssignment,
    CaseHearing,
    CaseParticipation,
    acts_of,
    assignments_of,
)
from subgraphs.cases.context import CasesContext
from subgraphs.cases.domain import enums as e
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.filter_inputs import (
    CaseFilterInput,
    CaseOrder,
    InspectionFilterInput,
    InspectionOrder,
    MeasureFilterInput,
    MeasureOrder,
    bad_input,
    case_filter,
    position,
    sort_keys,
)
from subgraphs.cases.listing import CaseFilter, ListInputError
from subgraphs.cases.queries import case_order, cases_listed
from subgraphs.cases.record_lists import inspection_page, measure_page
from subgraphs.cases.record_types import CoerciveMeasureView, InspectionView
from subgraphs.cases.scalars import SCALAR_MAP, Int64
from subgraphs.cases.service import CaseRecord
from subgraphs.common.pagination import Page, encode_cursor, page_size
from subgraphs.common.types import GraphIdType

__all__ = ["SCALAR_MAP", "CaseEvidence", "Int64", "LicenceLink", "LicenceRef"]





# --- the entities a case links to, with their cases ---------------------------------------------

_FILTER = "筛选 — conditions on the cases (all optional)"
_ORDER = "排序 — sort keys, first one first (default: by id)"
_FIRST = "每页条数 — page size, 1–1000 (default 20)"
_AFTER = "游标 — the nextCursor of the previous page"


async def case_page(info: Info[CasesContext, None], flt: CaseFilter, first: int | None, after: str | None,
                    order: list[CaseOrder] | None = None) -> Page[PenaltyCase]:
    """A page of the cases `flt` selects within the caller's scope, in `order`, with the exact total."""
    size = page_size(first)
    try:
        listed = await cases_listed(info.context.res.engine, flt, case_order(sort_keys(order)),
                                    after=position(after), limit=size, scope=info.context.case_scope())
    except ListInputError as exc:
        raise bad_input(exc) from exc
    cursor = encode_cursor(listed.next_position) if listed.next_position is not None else None
    return Page(items=[PenaltyCase.from_record(r) for r in listed.items], next_cursor=cursor, total=listed.total)


async def person_cases(root: Person, info: Info[CasesContext, None],
                       filter: Annotated[CaseFilterInput | None, strawberry.argument(description=_FILTER)] = None,
                       order_by: Annotated[list[CaseOrder] | None, strawberry.argument(description=_ORDER)] = None,
                       first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
                       after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None) -> Page[PenaltyCase]:
    flt = case_filter(filter, party_id_type=root.id_type.value, party_id_hash=root.id_number_hash)
    return await case_page(info, flt, first, after, order_by)


async def entity_cases(root: LegalEntity, info: Info[CasesContext, None],
                       filter: Annotated[CaseFilterInput | None, strawberry.argument(description=_FILTER)] = None,
                       order_by: Annotated[list[CaseOrder] | None, strawberry.argument(description=_ORDER)] = None,
                       first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
                       after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None) -> Page[PenaltyCase]:
    return await case_page(info, case_filter(filter, party_uscc=root.uscc.strip().upper()), first, after, order_by)


async def officer_cases(root: Officer, info: Info[CasesContext, None],
                        filter: Annotated[CaseFilterInput | None, strawberry.argument(description=_FILTER)] = None,
                        order_by: Annotated[list[CaseOrder] | None, strawberry.argument(description=_ORDER)] = None,
                        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
                        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
                        ) -> Page[PenaltyCase]:
    return await case_page(info, case_filter(filter, officer_id=str(root.id)), first, after, order_by)


async def officer_participations(
    root: Officer, info: Info[CasesContext, None],
    filter: Annotated[CaseFilterInput | None, strawberry.argument(description=_FILTER)] = None,
    order_by: Annotated[list[CaseOrder] | None, strawberry.argument(description=_ORDER)] = None,
    first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
) -> Page[CaseParticipation]:
    page = await officer_cases(root, info, filter, order_by, first, after)
    officer = str(root.id)
    items = []
    for case in page.items:
        measures = [m.snapshot for m in await info.context.measures.load(str(case.id)) or []]
        roles = [CaseAssignment.of(a) for a in assignments_of(case.snapshot) if a.officer_id == officer]
        acts = [CaseAct.of(a) for a in acts_of(case.snapshot, measures) if officer in a.officer_ids]
        items.append(CaseParticipation(case=case, roles=roles, acts=acts))
    return Page(items=items, next_cursor=page.next_cursor, total=page.total)


async def body_cases(root: EnforcementBodyRef, info: Info[CasesContext, None],
                     filter: Annotated[CaseFilterInput | None, strawberry.argument(description=_FILTER)] = None,
                     order_by: Annotated[list[CaseOrder] | None, strawberry.argument(description=_ORDER)] = None,
                     first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
                     after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None) -> Page[PenaltyCase]:
    return await case_page(info, case_filter(filter, body_uscc=root.uscc.strip().upper()), first, after, order_by)


async def body_inspections(
    root: EnforcementBodyRef, info: Info[CasesContext, None],
    filter: Annotated[InspectionFilterInput | None, strawberry.argument(description="筛选 — conditions")] = None,
    order_by: Annotated[list[InspectionOrder] | None, strawberry.argument(description=_ORDER)] = None,
    first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
) -> Page[InspectionView]:
    return await inspection_page(info, filter, order_by, first, after, body_uscc=root.uscc.strip().upper())


async def body_measures(
    root: EnforcementBodyRef, info: Info[CasesContext, None],
    filter: Annotated[MeasureFilterInput | None, strawberry.argument(description="筛选 — conditions")] = None,
    order_by: Annotated[list[MeasureOrder] | None, strawberry.argument(description=_ORDER)] = None,
    first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
    after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
) -> Page[CoerciveMeasureView]:
    return await measure_page(info, filter, order_by, first, after, body_uscc=root.uscc.strip().upper())


@strawberry.federation.type(keys=["uscc"], name="EnforcementBody",
                            description="执法主体 — an enforcement body (home: personnel); here its cases, "
                                        "inspections and coercive measures.")
class EnforcementBodyRef:
    uscc: str = strawberry.field(description="统一社会信用代码 — the body's USCC")
    cases: Page[PenaltyCase] | None = strawberry.field(resolver=body_cases, description="案件 — cases the body handles")
    inspections: Page[InspectionView] | None = strawberry.field(
        resolver=body_inspections, description="行政检查 — inspections the body carries out")
    coercive_measures: Page[CoerciveMeasureView] | None = strawberry.field(
        resolver=body_measures, description="行政强制措施 — coercive measures the body decided")

    @classmethod
    def resolve_reference(cls, uscc: str) -> EnforcementBodyRef:
        return cls(uscc=uscc)


@strawberry.federation.type(keys=["idType idNumberHash"],
                            description="自然人 — a natural person (home: population); here the cases they are party to.")
class Person:
    id_type: GraphIdType = strawberry.field(description="证件类型 — the kind of identity document")
    id_number_hash: str = strawberry.field(description="证件号码哈希 — HMAC-SM3 of the ID number (never the number)")
    cases: Page[PenaltyCase] | None = strawberry.field(resolver=person_cases,
                                                description="案件 — penalty cases in which this person is a party")

    @classmethod
    def resolve_reference(cls, **representation: object) -> Person:
        return cls(id_type=IdType(str(representation["idType"])), id_number_hash=str(representation["idNumberHash"]))


@strawberry.federation.type(keys=["uscc"],
                            description="法人和其他组织 — a legal entity (home: legal_person); here its cases.")
class LegalEntity:
    uscc: str = strawberry.field(description="统一社会信用代码 — the entity's USCC")
    cases: Page[PenaltyCase] | None = strawberry.field(resolver=entity_cases,
                                                description="案件 — penalty cases in which this entity is a party")
    penalties: Page[PenaltyCase] | None = strawberry.field(
        resolver=entity_cases, description="案件 — the same as `cases` (deprecated name)")

    @classmethod
    def resolve_reference(cls, uscc: str) -> LegalEntity:
        return cls(uscc=uscc)


@strawberry.federation.type(keys=["id"], description="执法人员 — an enforcement officer (home: personnel); here the "
                                                     "cases they took part in.")
class Officer:
    id: strawberry.ID = strawberry.field(description="执法人员编号 — the officer's id")
    cases: Page[PenaltyCase] | None = strawberry.field(
        resolver=officer_cases, description="案件 — cases the officer took part in, in any role")
    participations: Page[CaseParticipation] | None = strawberry.field(
        resolver=officer_participations,
        description="参与办案 — the same cases, each with this officer's roles (and their periods) and dated acts")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Officer:
        return cls(id=id)


async def case_assignments(root: PenaltyCase) -> list[CaseAssignment]:
    return [CaseAssignment.of(a) for a in assignments_of(root.snapshot)]


async def case_acts(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CaseAct]:
    measures = [m.snapshot for m in await info.context.measures.load(str(root.id)) or []]
    return [CaseAct.of(a) for a in acts_of(root.snapshot, measures)]


def _hearing(root: PenaltyCase) -> CaseHearing | None:
    return CaseHearing.of(root.snapshot)


@strawberry.federation.type(keys=["id"], description="A penalty case (行政处罚案件, DOMAIN.md §4.10, §5).")
class PenaltyCase:
    id: strawberry.ID = strawberry.field(description="案件标识 — the case's id (UUID v7)")
    case_no: str = strawberry.field(description="案件编号 — the case number")
    version: int = strawberry.field(description="版本 — optimistic-lock version: pass it as expectedVersion")
    status: e.CaseState = strawberry.field(description="案件状态 — where the case stands")
    procedure: e.Procedure | None = strawberry.field(description="程序 — SIMPLE (简易) or ORDINARY (普通); null before filing")
    source: e.CaseSource = strawberry.field(description="案件来源 — how the case came in")
    body: EnforcementBodyRef | None = strawberry.field(description="执法主体 — the handling body")
    body_uscc: str = strawberry.field(description="执法主体代码 — the handling body's USCC")
    item_code: str = strawberry.field(description="执法事项编码 — the enforcement item")
    item_version: str = strawberry.field(description="事项版本 — the catalogue version the case applies")
    region_code: str = strawberry.field(description="区划 — where the violation took place")
    clue_received_on: date = strawberry.field(description="线索接收日期 — the day the clue came in")
    discovered_on: date = strawberry.field(description="发现日期 — the day the violation was found")
    filed_on: date | None = strawberry.field(description="立案日期 — the day the case was filed")
    decided_on: date | None = strawberry.field(description="决定日期 — the day of the decision (penalty or none)")
    closed_on: date | None = strawberry.field(description="结案日期 — the day the case was closed")
    simple_filed_on: date | None = strawberry.field(description="简易程序备案 — on-the-spot decision filed with the agency")
    fine_fen: Int64 | None = strawberry.field(description="罚款 — the fine decided, in 分")
    head_hash: str = strawberry.field(description="链头哈希 — SM3 hash of the latest event of the case")
    parties: list[CaseParty] = strawberry.field(description="当事人 — the parties")
    officers: list[Officer] | None = strawberry.field(description="承办人 — the investigating officers (all roles: assignments)")
    assignments: list[CaseAssignment] = strawberry.field(
        resolver=case_assignments,
        description="办案人员分工 — every officer's role (investigators, verifier, legal reviewer, hearing chair, "
                    "evidence collectors) with its period")
    acts: list[CaseAct] = strawberry.field(
        resolver=case_acts, description="执法行为 — the dated acts of officers (evidence, decisions, hearing, review, measures)")
    hearing: CaseHearing | None = strawberry.field(resolver=_hearing, description="听证 — the hearing, if one was asked")
    decision: CaseDecision | None = strawberry.field(description="处罚决定 — the decision")
    payment: CasePayment | None = strawberry.field(description="缴款 — payment of the fine")
    enforcement: CaseEnforcement | None = strawberry.field(description="强制执行 — enforcement of the decision")
    deadlines: list[CaseDeadline] = strawberry.field(resolver=case_deadlines, description="期限 — statutory deadlines")
    events: list[CaseEvent] = strawberry.field(resolver=case_events, description="全过程记录 — every step, SM3-chained")
    documents: list[CaseDocument] = strawberry.field(resolver=case_documents, description="执法文书 — the documents")
    evidence: list[CaseEvidence] = strawberry.field(
        resolver=case_evidence, description="证据 — the evidence as recorded: what, collected on, by whom, SM3")
    licences: list[LicenceLink] = strawberry.field(resolver=case_licences, description="涉及许可 — licences acted on")
    coercive_measures: list[CoerciveMeasureView] = strawberry.field(
        resolver=case_measures, description="行政强制措施 — 查封/扣押/冻结 measures of the case, oldest first")
    snapshot: strawberry.Private[CaseSnapshot]

    @classmethod
    def from_record(cls, record: CaseRecord) -> PenaltyCase:
        s = record.snapshot
        decided = s.decision.decided_on if s.decision else (s.no_penalty.decided_on if s.no_penalty else None)
        parties = [
            CaseParty(
                party_type=p.party_type, name=p.name,
                person=Person(id_type=IdType(p.id_type or IdType.RESIDENT_ID.value), id_number_hash=p.id_hash)
                if p.id_hash else None,
                entity=LegalEntity(uscc=p.uscc) if p.uscc else None,
            )
            for p in s.parties
        ]
        decision = None
        if s.decision is not None:
            d = s.decision
            decision = CaseDecision(
                doc_no=d.doc_no, decided_on=d.decided_on, kinds=sorted(d.proposal.kinds, key=lambda k: k.value),
                circumstance=d.proposal.circumstance, fine_fen=Int64(d.proposal.fine_fen),
                confiscated_gains_fen=Int64(d.proposal.confiscated_gains_fen),
                confiscated_property_fen=Int64(d.proposal.confiscated_property_fen), signed_by=d.signed_by,
                sealed=d.sealed, basis_refs=list(d.basis_refs))
        payment = None
        if s.payment is not None:
            p = s.payment
            payment = CasePayment(amount_due_fen=Int64(p.amount_due_fen), due=p.due, paid_fen=Int64(p.paid_fen),
                                  paid_on=p.paid_on, on_spot=p.on_spot, cash_handed_on=p.cash_handed_on,
                                  cash_banked_on=p.cash_banked_on)
        enforcement = None
        if s.enforcement is not None:
            enforcement = CaseEnforcement(route=s.enforcement.route, started_on=s.enforcement.started_on,
                                          executed_at=s.enforcement.executed_at, urgent=s.enforcement.urgent)
        return cls(
            id=strawberry.ID(record.case_id), case_no=record.case_no, version=record.version, status=s.state,
            procedure=s.procedure, source=s.source, body=EnforcementBodyRef(uscc=s.body_id), body_uscc=s.body_id,
            item_code=s.item_code, item_version=s.item_version, region_code=s.region_code,
            clue_received_on=s.clue_received_on, discovered_on=s.discovered_on, filed_on=s.filed_on,
            decided_on=decided, fine_fen=Int64(s.decision.proposal.fine_fen) if s.decision else None,
            head_hash=record.head_hash, parties=parties,
            officers=[Officer(id=strawberry.ID(o)) for o in s.investigators],
            decision=decision, payment=payment, enforcement=enforcement, simple_filed_on=s.simple_filed_on,
            closed_on=s.closure.closed_on if s.closure is not None else None, snapshot=s,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[CasesContext, None], id: strawberry.ID) -> PenaltyCase | None:
        """The case, if the caller's scope includes it or the caller reviews it (else null, as if there
        were none)."""
        record = await info.context.case_to_read(str(id))
        return None if record is None else cls.from_record(record)


@strawberry.type(description="已上传文件 — a file stored by its SM3 hash.")
class UploadedFile:
    sm3: str = strawberry.field(description="哈希值 — SM3 hash of the stored file: give it when attaching the file")
    size: Int64 = strawberry.field(description="大小 — bytes stored")
    file_ref: str = strawberry.field(description="文件引用 — sm3:<hash>; download with GET /files/<hash>")


@strawberry.type(description="完整性校验 — result of checking a document's seal or a case's event chain.")
class IntegrityCheck:
    ok: bool = strawberry.field(description="通过 — true when the seal or chain is intact")
    reason: str = strawberry.field(description="说明 — what was checked, or what is wrong")
    fault: str | None = strawberry.field(
        default=None, description="问题类型 — EDITED, DELETED, REORDERED …; null when ok")
    seq: int | None = strawberry.field(default=None, description="问题事件 — seq of the first bad event; null when ok")

