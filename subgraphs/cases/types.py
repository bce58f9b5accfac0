"""Graph types of the cases subgraph: `PenaltyCase` and its children, and the entity stubs it uses.

FEDERATION_NOTE: `Person`, `LegalEntity` and `Officer` are resolvable here only to contribute
`cases` / `penalties`; `EnforcementBody` and `Licence` are references (`resolvable: false`).
Party names are personal data and carry `@sensitive` for the gateway's masking; the raw ID
number of a party is never stored or served, only its hash (the `Person` key).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NewType

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from domain.entities import IdType
from domain.hashchain import canonical_json
from subgraphs.cases.context import CasesContext
from subgraphs.cases.domain import enums as e
from subgraphs.cases.queries import (
    CaseFilter,
    DeadlineView,
    DocumentView,
    EventView,
    EvidenceView,
    cases_count,
    cases_page,
)
from subgraphs.cases.record_types import CoerciveMeasureView
from subgraphs.cases.service import CaseRecord
from subgraphs.common.directives import Sensitive
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size
from subgraphs.common.types import GraphIdType

#: 64-bit integers (amounts in 分); registered with the schema through `SCALAR_MAP`
Int64 = NewType("Int64", int)
SCALAR_MAP: dict[object, Any] = {
    Int64: strawberry.scalar(name="Int64", serialize=int, parse_value=int,
                             description="A 64-bit integer (amounts in 分)."),
}

CaseStateEnum = strawberry.enum(e.CaseState, name="CaseState", description="Penalty-case states (DOMAIN.md §5.1)")
ProcedureEnum = strawberry.enum(e.Procedure, name="Procedure")
PartyTypeEnum = strawberry.enum(e.PartyType, name="PartyType")
PenaltyKindEnum = strawberry.enum(e.PenaltyKind, name="PenaltyKind")
CircumstanceEnum = strawberry.enum(e.CircumstanceLevel, name="CircumstanceLevel")
CaseSourceEnum = strawberry.enum(e.CaseSource, name="CaseSource")
BasisLevelEnum = strawberry.enum(e.BasisLevel, name="BasisLevel")
EvidenceKindEnum = strawberry.enum(e.EvidenceKind, name="EvidenceKind")
ServiceMethodEnum = strawberry.enum(e.ServiceMethod, name="ServiceMethod")
NoPenaltyGroundEnum = strawberry.enum(e.NoPenaltyGround, name="NoPenaltyGround")
ReviewOpinionEnum = strawberry.enum(e.ReviewOpinion, name="ReviewOpinion")
RemedyKindEnum = strawberry.enum(e.RemedyKind, name="RemedyKind")
RemedyOutcomeEnum = strawberry.enum(e.RemedyOutcome, name="RemedyOutcome")
EnforcementRouteEnum = strawberry.enum(e.EnforcementRoute, name="EnforcementRoute")
TerminationGroundEnum = strawberry.enum(e.TerminationGround, name="TerminationGround")
CoerciveKindEnum = strawberry.enum(e.CoerciveKind, name="CoerciveKind")


# --- entity stubs ----------------------------------------------------------------------------


@strawberry.federation.type(keys=[Key(fields=FieldSet("uscc"), resolvable=False)], name="EnforcementBody")
class EnforcementBodyRef:
    uscc: str


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)], name="Licence")
class LicenceRef:
    id: strawberry.ID


async def _page(info: Info[CasesContext, None], flt: CaseFilter, first: int | None, after: str | None,
                ) -> Page[PenaltyCase]:
    size = page_size(first)
    after_id = None
    if after is not None:
        key = decode_cursor(after).get("k")
        after_id = key if isinstance(key, str) else None
    scope = info.context.case_scope()
    records = await cases_page(info.context.res.engine, flt, after_id=after_id, limit=size + 1, scope=scope)
    more = len(records) > size
    records = records[:size]
    cursor = encode_cursor({"k": records[-1].case_id}) if more and records else None
    total = await cases_count(info.context.res.engine, flt, scope=scope) if more or after_id is not None \
        else len(records)
    return Page(items=[PenaltyCase.from_record(r) for r in records], next_cursor=cursor, total=total)


async def person_cases(root: Person, info: Info[CasesContext, None], first: int | None = None,
                       after: str | None = None) -> Page[PenaltyCase]:
    return await _page(info, CaseFilter(party_id_type=root.id_type.value, party_id_hash=root.id_number_hash),
                       first, after)


async def entity_penalties(root: LegalEntity, info: Info[CasesContext, None], first: int | None = None,
                           after: str | None = None) -> Page[PenaltyCase]:
    return await _page(info, CaseFilter(party_uscc=root.uscc.strip().upper()), first, after)


async def officer_cases(root: Officer, info: Info[CasesContext, None], first: int | None = None,
                        after: str | None = None) -> Page[PenaltyCase]:
    return await _page(info, CaseFilter(officer_id=str(root.id)), first, after)


@strawberry.federation.type(keys=["idType idNumberHash"], description="A natural person (home: population).")
class Person:
    id_type: GraphIdType
    id_number_hash: str
    cases: Page[PenaltyCase] = strawberry.field(resolver=person_cases,
                                                description="Penalty cases in which this person is a party.")

    @classmethod
    def resolve_reference(cls, **representation: object) -> Person:
        return cls(id_type=IdType(str(representation["idType"])), id_number_hash=str(representation["idNumberHash"]))


@strawberry.federation.type(keys=["uscc"], description="A legal entity (home: legal_person).")
class LegalEntity:
    uscc: str
    penalties: Page[PenaltyCase] = strawberry.field(resolver=entity_penalties,
                                                    description="Penalty cases in which this entity is a party.")

    @classmethod
    def resolve_reference(cls, uscc: str) -> LegalEntity:
        return cls(uscc=uscc)


@strawberry.federation.type(keys=["id"], description="An enforcement officer (home: personnel).")
class Officer:
    id: strawberry.ID
    cases: Page[PenaltyCase] = strawberry.field(resolver=officer_cases,
                                                description="Cases this officer investigated, verified, reviewed or chaired.")

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Officer:
        return cls(id=id)


# --- the case and its children ---------------------------------------------------------------


@strawberry.type(description="当事人 of a case.")
class CaseParty:
    party_type: e.PartyType
    name: str = strawberry.federation.field(directives=[Sensitive(level="S2", mask="NAME")])
    person: Person | None = strawberry.field(description="the party in the population subgraph, by hash")
    entity: LegalEntity | None = strawberry.field(description="the party in the legal-person subgraph")


@strawberry.type(description="处罚决定 (or the on-the-spot decision of the simple procedure).")
class CaseDecision:
    doc_no: str
    decided_on: date
    kinds: list[e.PenaltyKind]
    circumstance: e.CircumstanceLevel
    fine_fen: Int64
    confiscated_gains_fen: Int64
    confiscated_property_fen: Int64
    signed_by: str
    sealed: bool
    basis_refs: list[str]


@strawberry.type(description="缴款 (罚缴分离).")
class CasePayment:
    amount_due_fen: Int64
    due: date
    paid_fen: Int64
    paid_on: date | None
    on_spot: bool
    cash_handed_on: date | None = strawberry.field(description="on-the-spot cash handed to the agency (Art. 71)")
    cash_banked_on: date | None = strawberry.field(description="on-the-spot cash paid into the bank (Art. 71)")


@strawberry.type(description="强制执行: the route and, once done, the instant of execution.")
class CaseEnforcement:
    route: e.EnforcementRoute
    started_on: date
    executed_at: datetime | None
    urgent: bool


@strawberry.type(description="A statutory deadline with what is needed to recompute it (DOMAIN.md §5.4).")
class CaseDeadline:
    kind: str
    basis: str
    unit: str
    amount: int
    start: date
    due: date
    rolled: bool
    provisional: bool
    event_seq: int

    @classmethod
    def from_view(cls, d: DeadlineView) -> CaseDeadline:
        return cls(kind=d.kind, basis=d.basis, unit=d.unit, amount=d.amount, start=d.start, due=d.due,
                   rolled=d.rolled, provisional=d.provisional, event_seq=d.event_seq)


@strawberry.type(description="One entry of the full-process record (全过程记录), SM3-chained to the previous one.")
class CaseEvent:
    seq: int
    global_seq: Int64
    kind: str
    transition: str
    actor_id: str
    at: str
    from_state: str | None
    to_state: str
    summary: str
    payload: str = strawberry.field(description="the command or record, as canonical JSON")
    prev_hash: str
    hash: str

    @classmethod
    def from_view(cls, v: EventView) -> CaseEvent:
        return cls(seq=v.seq, global_seq=Int64(v.global_seq), kind=v.kind, transition=v.transition,
                   actor_id=v.actor_id, at=v.at, from_state=v.from_state, to_state=v.to_state, summary=v.summary,
                   payload=canonical_json(v.payload).decode(), prev_hash=v.prev_hash, hash=v.hash)


@strawberry.type(description="执法文书: a file by SM3, sealed (SM2) where required.")
class CaseDocument:
    id: strawberry.ID
    doc_type: str
    doc_no: str | None
    title: str
    media_type: str
    sm3: str
    size: Int64
    sealed: bool
    seal_key_id: str | None
    signed_at: str | None
    created_by: str
    created_at: datetime
    file_ref: str = strawberry.field(description="sm3:<hash>; download with GET /files/<hash>")

    @classmethod
    def from_view(cls, d: DocumentView) -> CaseDocument:
        return cls(id=strawberry.ID(d.id), doc_type=d.doc_type, doc_no=d.doc_no, title=d.title,
                   media_type=d.media_type, sm3=d.sm3, size=Int64(d.size), sealed=d.seal_signature is not None,
                   seal_key_id=d.seal_key_id, signed_at=d.signed_at, created_by=d.created_by,
                   created_at=d.created_at, file_ref=f"sm3:{d.sm3}")


@strawberry.type(description="证据: a file by SM3 with its capture record.")
class CaseEvidence:
    id: strawberry.ID
    kind: str
    title: str
    media_type: str
    sm3: str
    size: Int64
    captured_at: str
    device_id: str | None
    method: str | None
    collected_by: list[str]

    @classmethod
    def from_view(cls, v: EvidenceView) -> CaseEvidence:
        return cls(id=strawberry.ID(v.id), kind=v.kind, title=v.title, media_type=v.media_type, sm3=v.sm3,
                   size=Int64(v.size), captured_at=v.captured_at, device_id=v.device_id, method=v.method,
                   collected_by=list(v.collected_by))


@strawberry.type(description="A licence the case suspends, revokes or refers to (CF_NR_ZKDX).")
class LicenceLink:
    licence: LicenceRef
    action: str


async def case_deadlines(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CaseDeadline]:
    return [CaseDeadline.from_view(d) for d in await info.context.deadlines.load(str(root.id)) or []]


async def case_events(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CaseEvent]:
    return [CaseEvent.from_view(v) for v in await info.context.events.load(str(root.id)) or []]


async def case_documents(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CaseDocument]:
    return [CaseDocument.from_view(d) for d in await info.context.documents.load(str(root.id)) or []]


async def case_evidence(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CaseEvidence]:
    return [CaseEvidence.from_view(v) for v in await info.context.evidence.load(str(root.id)) or []]


async def case_measures(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CoerciveMeasureView]:
    return [CoerciveMeasureView.from_stored(m) for m in await info.context.measures.load(str(root.id)) or []]


async def case_licences(root: PenaltyCase, info: Info[CasesContext, None]) -> list[LicenceLink]:
    return [LicenceLink(licence=LicenceRef(id=strawberry.ID(lid)), action=action)
            for lid, action in await info.context.licences.load(str(root.id)) or []]


@strawberry.federation.type(keys=["id"], description="A penalty case (行政处罚案件, DOMAIN.md §4.10, §5).")
class PenaltyCase:
    id: strawberry.ID
    case_no: str = strawberry.field(description="案件编号")
    version: int = strawberry.field(description="optimistic-lock version: pass it as expectedVersion")
    status: e.CaseState
    procedure: e.Procedure | None
    source: e.CaseSource
    body: EnforcementBodyRef
    body_uscc: str
    item_code: str
    item_version: str
    region_code: str
    clue_received_on: date
    discovered_on: date
    filed_on: date | None
    decided_on: date | None
    simple_filed_on: date | None = strawberry.field(description="简易程序备案: on-the-spot decision filed with the agency")
    fine_fen: Int64 | None
    head_hash: str = strawberry.field(description="SM3 hash of the latest event of the case")
    parties: list[CaseParty]
    officers: list[Officer] = strawberry.field(description="investigating officers")
    decision: CaseDecision | None
    payment: CasePayment | None
    enforcement: CaseEnforcement | None
    deadlines: list[CaseDeadline] = strawberry.field(resolver=case_deadlines)
    events: list[CaseEvent] = strawberry.field(resolver=case_events)
    documents: list[CaseDocument] = strawberry.field(resolver=case_documents)
    evidence: list[CaseEvidence] = strawberry.field(resolver=case_evidence)
    licences: list[LicenceLink] = strawberry.field(resolver=case_licences)
    coercive_measures: list[CoerciveMeasureView] = strawberry.field(
        resolver=case_measures, description="查封/扣押/冻结 measures of the case, oldest first")

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
        )

    @classmethod
    async def resolve_reference(cls, info: Info[CasesContext, None], id: strawberry.ID) -> PenaltyCase | None:
        """The case, if the caller's scope includes it (else null, as if there were none)."""
        record = await info.context.case_in_scope(str(id))
        return None if record is None else cls.from_record(record)


@strawberry.type(description="A file stored by its SM3 hash.")
class UploadedFile:
    sm3: str
    size: Int64
    file_ref: str


@strawberry.type(description="Result of checking a document's seal or a case's event chain.")
class IntegrityCheck:
    ok: bool
    reason: str
    fault: str | None = None
    seq: int | None = None

