"""The children of a penalty case in the graph: parties, decision, payment, enforcement, deadlines,
the full-process record, documents, evidence as recorded and licence links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from domain.hashchain import canonical_json
from subgraphs.cases.context import CasesContext
from subgraphs.cases.domain import enums as e
from subgraphs.cases.domain.records import EvidenceRecord
from subgraphs.cases.queries import DeadlineView, DocumentView, EventView, EvidenceView
from subgraphs.cases.record_types import CoerciveMeasureView
from subgraphs.cases.scalars import Int64
from subgraphs.common.directives import Sensitive

if TYPE_CHECKING:
    from subgraphs.cases.types import LegalEntity, Officer, PenaltyCase, Person

_Person = Annotated["Person", strawberry.lazy("subgraphs.cases.types")]
_LegalEntity = Annotated["LegalEntity", strawberry.lazy("subgraphs.cases.types")]
_Officer = Annotated["Officer", strawberry.lazy("subgraphs.cases.types")]


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"), resolvable=False)], name="Licence",
                            description="许可 — an administrative licence (home: licence).")
class LicenceRef:
    id: strawberry.ID = strawberry.field(description="许可编号 — the licence id in the licensing system")


@strawberry.type(description="当事人 of a case.")
class CaseParty:
    party_type: e.PartyType
    name: str = strawberry.federation.field(directives=[Sensitive(level="S2", mask="NAME")])
    person: _Person | None = strawberry.field(description="the party in the population subgraph, by hash")
    entity: _LegalEntity | None = strawberry.field(description="the party in the legal-person subgraph")


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


@strawberry.type(description="证据 — a piece of evidence as the case record holds it (who collected it, when, its SM3), "
                             "with its stored file's capture data when one was uploaded.")
class CaseEvidence:
    id: strawberry.ID = strawberry.field(description="证据编号 — the evidence id")
    kind: str = strawberry.field(description="证据种类 — kind (书证, 物证, 视听资料, 电子数据 …)")
    collected_on: date | None = strawberry.field(description="收集日期 — the day it was collected")
    collected_by_ids: list[str] = strawberry.field(description="收集人 — ids of the officers who collected it")
    collected_by_officers: list[_Officer] = strawberry.field(
        description="收集人 — the officers who collected it (personnel subgraph)")
    signed: bool | None = strawberry.field(description="签名确认 — confirmed by the party's signature")
    sm3: str | None = strawberry.field(description="SM3 — the hash of the file as recorded")
    title: str | None = strawberry.field(description="名称 — the file's title (null: no file uploaded)")
    media_type: str | None = strawberry.field(description="文件类型 — media type of the stored file")
    size: Int64 | None = strawberry.field(description="大小 — bytes of the stored file")
    captured_at: str | None = strawberry.field(description="采集时间 — instant of capture (ISO 8601 with offset)")
    device_id: str | None = strawberry.field(description="采集设备 — device (body camera, phone) that captured it")
    method: str | None = strawberry.field(description="采集方式 — how it was captured")
    collected_by: list[str] = strawberry.field(description="收集人 — the officer ids on the stored file (deprecated: "
                                                           "use collectedByIds)")


def evidence_as_recorded(records: Sequence[EvidenceRecord], files: Sequence[EvidenceView]) -> list[CaseEvidence]:
    """The case record's evidence, oldest first, each with its stored file when there is one; a
    stored file the record does not name (none should exist) is listed after them."""
    from subgraphs.cases.types import Officer

    by_id = {f.id: f for f in files}
    out: list[CaseEvidence] = []
    for r in records:
        f = by_id.pop(r.evidence_id, None)
        out.append(_evidence(r.evidence_id, r.kind.value, r.collected_on, list(r.collected_by), r.signed,
                             r.sm3 or (f.sm3 if f else None), f, Officer))
    for f in by_id.values():
        out.append(_evidence(f.id, f.kind, None, list(f.collected_by), None, f.sm3, f, Officer))
    return out


def _evidence(ev_id: str, kind: str, on: date | None, by: list[str], signed: bool | None, sm3: str | None,
              f: EvidenceView | None, officer: Any) -> CaseEvidence:
    return CaseEvidence(
        id=strawberry.ID(ev_id), kind=kind, collected_on=on, collected_by_ids=by,
        collected_by_officers=[officer(id=strawberry.ID(o)) for o in by], signed=signed, sm3=sm3,
        title=f.title if f else None, media_type=f.media_type if f else None,
        size=Int64(f.size) if f else None, captured_at=f.captured_at if f else None,
        device_id=f.device_id if f else None, method=f.method if f else None,
        collected_by=list(f.collected_by) if f else by)


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
    return evidence_as_recorded(root.snapshot.evidence, await info.context.evidence.load(str(root.id)) or [])


async def case_measures(root: PenaltyCase, info: Info[CasesContext, None]) -> list[CoerciveMeasureView]:
    return [CoerciveMeasureView.from_stored(m) for m in await info.context.measures.load(str(root.id)) or []]


async def case_licences(root: PenaltyCase, info: Info[CasesContext, None]) -> list[LicenceLink]:
    return [LicenceLink(licence=LicenceRef(id=strawberry.ID(lid)), action=action)
            for lid, action in await info.context.licences.load(str(root.id)) or []]


