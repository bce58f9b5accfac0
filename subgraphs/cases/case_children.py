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
from subgraphs.cases.event_fields import EventField, event_fields
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


@strawberry.type(description="当事人 — a party of a case.")
class CaseParty:
    party_type: e.PartyType = strawberry.field(
        description="当事人类别 — natural person, individual business or organisation")
    name: str = strawberry.federation.field(
        description="名称/姓名 — the party's name (personal data, masked by the gateway)", directives=[Sensitive(level="S2", mask="NAME")])
    person: _Person | None = strawberry.field(description="自然人 — the party in the population subgraph, by hash")
    entity: _LegalEntity | None = strawberry.field(description="法人 — the party in the legal-person subgraph")


@strawberry.type(description="处罚决定 — the penalty decision (or the on-the-spot decision of the simple procedure).")
class CaseDecision:
    doc_no: str = strawberry.field(description="决定书文号 — number of the decision document")
    decided_on: date = strawberry.field(description="决定日期 — the day of the decision")
    kinds: list[e.PenaltyKind] = strawberry.field(description="处罚种类 — the kinds of penalty decided (行政处罚法 第九条)")
    circumstance: e.CircumstanceLevel = strawberry.field(description="裁量情节 — the discretion band applied")
    fine_fen: Int64 = strawberry.field(description="罚款金额 — the fine, in 分 (fen)")
    confiscated_gains_fen: Int64 = strawberry.field(description="没收违法所得 — illegal gains confiscated, in 分 (fen)")
    confiscated_property_fen: Int64 = strawberry.field(
        description="没收非法财物 — value of illegal property confiscated, in 分 (fen)")
    signed_by: str = strawberry.field(description="签发人 — the head who signed the decision")
    sealed: bool = strawberry.field(description="加盖印章 — the decision bears the agency's seal (第五十九条)")
    basis_refs: list[str] = strawberry.field(description="法律依据 — references of the articles applied")


@strawberry.type(description="缴款 — payment of the fine, at the bank (罚缴分离, 第六十七条).")
class CasePayment:
    amount_due_fen: Int64 = strawberry.field(description="应缴金额 — amount to pay, in 分 (fen)")
    due: date = strawberry.field(description="缴款期限 — the last day to pay (15 days after service, 第六十七条)")
    paid_fen: Int64 = strawberry.field(description="已缴金额 — amount paid so far, in 分 (fen)")
    paid_on: date | None = strawberry.field(description="缴款日期 — the day payment was confirmed by the bank")
    on_spot: bool = strawberry.field(description="当场收缴 — collected on the spot (第六十八条、第六十九条)")
    cash_handed_on: date | None = strawberry.field(description="交至机关日 — on-the-spot cash handed to the agency (Art. 71)")
    cash_banked_on: date | None = strawberry.field(description="缴存银行日 — on-the-spot cash paid into the bank (Art. 71)")


@strawberry.type(description="强制执行 — enforcement: the route and, once done, the instant of execution.")
class CaseEnforcement:
    route: e.EnforcementRoute = strawberry.field(description="执行途径 — by the body's own power or through the court")
    started_on: date = strawberry.field(description="执行开始日 — the day execution was decided or applied for")
    executed_at: datetime | None = strawberry.field(description="执行完毕时间 — when execution was done; null until then")
    urgent: bool = strawberry.field(
        description="情况紧急 — an emergency allowed execution at night or on a holiday (行政强制法 第四十三条)")


@strawberry.type(description="法定期限 — a statutory deadline with what is needed to recompute it (DOMAIN.md §5.4).")
class CaseDeadline:
    kind: str = strawberry.field(description="期限类型 — which deadline (DECISION, SERVICE, PAYMENT, HEARING_REQUEST …)")
    basis: str = strawberry.field(description="法律依据 — the article that sets it")
    unit: str = strawberry.field(description="计算单位 — WORKING_DAYS, CALENDAR_DAYS, HOURS, MONTHS or YEARS")
    amount: int = strawberry.field(description="期限长度 — how many units")
    start: date = strawberry.field(description="起算日 — the day counting starts from")
    due: date = strawberry.field(
        description="届满日 — the last day (a holiday rolls to the next working day where the rule says so)")
    rolled: bool = strawberry.field(description="顺延 — the due day fell on a holiday and was moved")
    provisional: bool = strawberry.field(description="暂定 — computed on a provisional holiday calendar (the year's arrangement not yet published)")
    event_seq: int = strawberry.field(description="事件序号 — seq of the event that set it")

    @classmethod
    def from_view(cls, d: DeadlineView) -> CaseDeadline:
        return cls(kind=d.kind, basis=d.basis, unit=d.unit, amount=d.amount, start=d.start, due=d.due,
                   rolled=d.rolled, provisional=d.provisional, event_seq=d.event_seq)


@strawberry.type(description="全过程记录 — one entry of the full-process record, SM3-chained to the previous one.")
class CaseEvent:
    seq: int = strawberry.field(description="序号 — position of the event in the case's chain, from 1")
    global_seq: Int64 = strawberry.field(description="全局序号 — position among all stored events")
    kind: str = strawberry.field(description="事件类型 — the command or record that made the event")
    transition: str = strawberry.field(description="转换 — the transition number of DOMAIN.md §5.2 (T1 … T33, T7a, T7b, T22a)")
    actor_id: str = strawberry.field(description="操作人 — id of the officer or system that acted")
    at: str = strawberry.field(description="发生时间 — when it happened (ISO 8601 with offset)")
    from_state: str | None = strawberry.field(description="原状态 — the state before (null for the first event)")
    to_state: str = strawberry.field(description="新状态 — the state after")
    summary: str = strawberry.field(description="摘要 — what happened, in a line")
    payload: str = strawberry.federation.field(
        description="内容 — the command or record, as canonical JSON; it names the parties (names, birth dates), "
                    "so it is hidden from callers who may not read them", directives=[Sensitive(level="S2", mask="HIDDEN")])
    fields: list[EventField] = strawberry.field(
        description="字段 — the recorded command field by field, readable; values that may identify a person withheld")
    prev_hash: str = strawberry.field(description="前一哈希 — SM3 hash of the previous event (the chain link)")
    hash: str = strawberry.field(description="哈希 — SM3 hash of this event")

    @classmethod
    def from_view(cls, v: EventView) -> CaseEvent:
        return cls(seq=v.seq, global_seq=Int64(v.global_seq), kind=v.kind, transition=v.transition,
                   actor_id=v.actor_id, at=v.at, from_state=v.from_state, to_state=v.to_state, summary=v.summary,
                   payload=canonical_json(v.payload).decode(), fields=event_fields(v.payload), prev_hash=v.prev_hash,
                   hash=v.hash)


@strawberry.type(description="执法文书 — an enforcement document: a file by SM3, sealed (SM2) where required.")
class CaseDocument:
    id: strawberry.ID = strawberry.field(description="文书编号 — the document's id")
    doc_type: str = strawberry.field(description="文书类型 — kind of document (e.g. 处罚决定书)")
    doc_no: str | None = strawberry.field(description="文号 — the document number, if it has one")
    title: str = strawberry.field(description="标题 — the document's title")
    media_type: str = strawberry.field(description="文件类型 — media type of the file")
    sm3: str = strawberry.field(description="哈希值 — SM3 hash of the file")
    size: Int64 = strawberry.field(description="大小 — bytes of the file")
    sealed: bool = strawberry.field(description="电子印章 — signed with the agency's SM2 electronic seal")
    seal_key_id: str | None = strawberry.field(description="印章密钥 — id of the sealing key")
    signed_at: str | None = strawberry.field(description="签章时间 — when it was sealed (ISO 8601)")
    created_by: str = strawberry.field(description="上传人 — id of who attached it")
    created_at: datetime = strawberry.field(description="上传时间 — when it was attached")
    file_ref: str = strawberry.field(description="文件引用 — sm3:<hash>; download with GET /files/<hash>")

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
    collected_by_officers: list[_Officer] | None = strawberry.field(
        description="收集人 — the officers who collected it (personnel subgraph)")
    signed: bool | None = strawberry.field(description="签名确认 — confirmed by the party's signature")
    sm3: str | None = strawberry.field(description="哈希值 — the SM3 hash of the file as recorded")
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


@strawberry.type(description="涉及许可 — a licence the case suspends, revokes or refers to (CF_NR_ZKDX).")
class LicenceLink:
    licence: LicenceRef | None = strawberry.field(description="许可 — the licence acted on")
    action: str = strawberry.field(description="操作 — what the case does to it: SUSPEND, REVOKE, DOWNGRADE or REFERENCE")


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


