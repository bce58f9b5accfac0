"""Graph types of coercive measures (§6.1) and inspections (§7), with their events and deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain.hashchain import canonical_json
from subgraphs.cases.aggregates import Stored
from subgraphs.cases.chain import StoredEvent, snapshot_sm3, verify_case_chain
from subgraphs.cases.codec import encode
from subgraphs.cases.context import CasesContext
from subgraphs.cases.domain.coercive import CoerciveMeasure, HandlingKind, MeasureState
from subgraphs.cases.domain.enums import BasisLevel, CoerciveKind
from subgraphs.cases.domain.inspection import CheckResult, Inspection, InspectionState
from subgraphs.cases.event_fields import EventField, event_fields
from subgraphs.cases.graph_enums import described
from subgraphs.cases.inspections import INSPECTION
from subgraphs.cases.measures import MEASURE, record_deadlines
from subgraphs.common.directives import Sensitive

_PenaltyCase = Annotated["PenaltyCase", strawberry.lazy("subgraphs.cases.types")]
_Body = Annotated["EnforcementBodyRef", strawberry.lazy("subgraphs.cases.types")]

if TYPE_CHECKING:
    from subgraphs.cases.types import EnforcementBodyRef, PenaltyCase


async def _case_of(case_id: str, info: Info[CasesContext, None]) -> PenaltyCase | None:
    from subgraphs.cases.types import PenaltyCase

    return await PenaltyCase.resolve_reference(info, strawberry.ID(case_id))


def _body_of(uscc: str) -> EnforcementBodyRef:
    from subgraphs.cases.types import EnforcementBodyRef

    return EnforcementBodyRef(uscc=uscc)


async def measure_case(root: CoerciveMeasureView, info: Info[CasesContext, None]) -> PenaltyCase | None:
    return await _case_of(str(root.case_id), info)


def measure_body(root: CoerciveMeasureView) -> EnforcementBodyRef:
    return _body_of(root.body_uscc)


def inspection_body(root: InspectionView) -> EnforcementBodyRef:
    return _body_of(root.body_uscc)


MeasureStateEnum = described(MeasureState, "MeasureState", "强制措施状态 — coercive-measure states (DOMAIN.md §6.1)")
HandlingKindEnum = described(HandlingKind, "HandlingKind", "处理决定 — how sealed or seized items are handled (第二十七条)")
InspectionStateEnum = described(InspectionState, "InspectionState", "检查状态 — inspection states (DOMAIN.md §7)")
CheckResultEnum = described(CheckResult, "CheckResult", "检查结果 — the result of an on-site inspection")


@strawberry.type(description="记录事件 — one event of a measure's or an inspection's own SM3 chain.")
class RecordEvent:
    seq: int = strawberry.field(description="序号 — position of the event in the record's chain, from 1")
    kind: str = strawberry.field(description="事件类型 — the command that made the event")
    actor_id: str = strawberry.field(description="操作人 — id of the officer or system that acted")
    at: str = strawberry.field(description="发生时间 — when it happened (ISO 8601 with offset)")
    from_state: str | None = strawberry.field(description="原状态 — the state before (null for the first event)")
    to_state: str = strawberry.field(description="新状态 — the state after")
    summary: str = strawberry.field(description="摘要 — what happened, in a line")
    payload: str = strawberry.federation.field(
        description="内容 — the command, as canonical JSON; it may name people (the inspected, the holder), so it is "
                    "hidden from callers who may not read them", directives=[Sensitive(level="S2", mask="HIDDEN")])
    fields: list[EventField] = strawberry.field(
        description="字段 — the recorded command field by field, readable; values that may identify a person withheld")
    prev_hash: str = strawberry.field(description="前一哈希 — SM3 hash of the previous event (the chain link)")
    hash: str = strawberry.field(description="哈希 — SM3 hash of this event")

    @classmethod
    def from_stored(cls, e: StoredEvent) -> RecordEvent:
        f = e.fields
        return cls(seq=e.seq, kind=f.kind, actor_id=f.actor_id, at=f.at, from_state=f.from_state, to_state=f.to_state,
                   summary=f.summary, payload=canonical_json(f.payload).decode(), fields=event_fields(f.payload),
                   prev_hash=e.prev_hash, hash=e.hash)


@strawberry.type(description="法定期限 — a deadline a measure's command set (term, 24-hour report, freeze decision service).")
class RecordDeadline:
    kind: str = strawberry.field(description="期限类型 — which deadline (SEAL_SEIZE_TERM, EMERGENCY_REPORT, FREEZE_DECISION_SERVICE …)")
    basis: str = strawberry.field(description="法律依据 — the article that sets it")
    unit: str = strawberry.field(description="计算单位 — WORKING_DAYS, CALENDAR_DAYS, HOURS, MONTHS or YEARS")
    amount: int = strawberry.field(description="期限长度 — how many units")
    start: date = strawberry.field(description="起算日 — the day counting starts from")
    due: date = strawberry.field(description="届满日 — the last day")
    due_at: str | None = strawberry.field(
        description="届满时刻 — the last instant, for hour-based deadlines (24-hour report)")
    event_seq: int = strawberry.field(description="事件序号 — seq of the event that set it")


@strawberry.type(description="查封/扣押/冻结清单 — an item sealed, seized or frozen.")
class MeasureItemView:
    name: str = strawberry.field(description="物品名称 — the item's name")
    quantity: str = strawberry.field(description="数量 — quantity, with its unit")


@strawberry.type(description="链校验 — result of walking a record's event chain.")
class ChainCheck:
    ok: bool = strawberry.field(description="通过 — true when the chain is intact")
    reason: str = strawberry.field(description="说明 — what was checked, or what is wrong")
    fault: str | None = strawberry.field(
        default=None, description="问题类型 — EDITED, DELETED, REORDERED …; null when ok")
    seq: int | None = strawberry.field(default=None, description="问题事件 — seq of the first bad event; null when ok")


async def _events(info: Info[CasesContext, None], kind: Any, record_id: str) -> list[StoredEvent]:
    events: list[StoredEvent] = await info.context.res.records.events(kind, record_id)
    return events


async def _verify(info: Info[CasesContext, None], kind: Any, record_id: str, version: int, head: str,
                  snapshot: Any) -> ChainCheck:
    events = await _events(info, kind, record_id)
    fault = verify_case_chain(record_id, events, version=version, head_hash=head,
                              snapshot_digest=snapshot_sm3(encode(snapshot)))
    if fault is None:
        return ChainCheck(ok=True, reason=f"{len(events)} events verified")
    return ChainCheck(ok=False, reason=str(fault), fault=fault.fault, seq=fault.seq)


async def measure_events(root: CoerciveMeasureView, info: Info[CasesContext, None]) -> list[RecordEvent]:
    return [RecordEvent.from_stored(e) for e in await _events(info, MEASURE, str(root.id))]


async def measure_deadlines(root: CoerciveMeasureView, info: Info[CasesContext, None]) -> list[RecordDeadline]:
    rows = await record_deadlines(info.context.res.engine, MEASURE.name, str(root.id))
    return [RecordDeadline(kind=r.kind, basis=r.basis, unit=r.unit, amount=r.amount, start=r.start, due=r.due,
                           due_at=r.due_at, event_seq=r.event_seq) for r in rows]


async def verify_measure(root: CoerciveMeasureView, info: Info[CasesContext, None]) -> ChainCheck:
    return await _verify(info, MEASURE, str(root.id), root.version, root.head_hash, root.snapshot)


async def inspection_events(root: InspectionView, info: Info[CasesContext, None]) -> list[RecordEvent]:
    return [RecordEvent.from_stored(e) for e in await _events(info, INSPECTION, str(root.id))]


async def verify_inspection(root: InspectionView, info: Info[CasesContext, None]) -> ChainCheck:
    return await _verify(info, INSPECTION, str(root.id), root.version, root.head_hash, root.snapshot)


@strawberry.type(name="CoerciveMeasure", description="行政强制措施 (查封/扣押/冻结) of a case (DOMAIN.md §6.1).")
class CoerciveMeasureView:
    id: strawberry.ID = strawberry.field(description="措施编号 — the measure's id (UUID v7)")
    case_id: strawberry.ID = strawberry.field(description="案件标识 — id of the case the measure belongs to")
    version: int = strawberry.field(description="版本 — optimistic-lock version: pass it as expectedVersion")
    head_hash: str = strawberry.field(description="链头哈希 — SM3 hash of the measure's latest event")
    kind: CoerciveKind = strawberry.field(description="措施种类 — the kind of measure: SEAL 查封, SEIZE 扣押, FREEZE 冻结 … (行政强制法 第九条)")
    state: MeasureState = strawberry.field(description="措施状态 — where the measure stands")
    emergency: bool = strawberry.field(description="当场实施 — applied on the spot in an emergency (第十九条)")
    basis_level: BasisLevel = strawberry.field(description="依据层级 — level of the norm that sets the measure (第十条)")
    basis_text: str = strawberry.field(description="法律依据 — the norm and article relied on")
    body_uscc: str = strawberry.field(description="执法主体代码 — USCC of the deciding body")
    item_code: str = strawberry.field(description="执法事项编码 — the enforcement item")
    item_version: str = strawberry.field(description="事项版本 — the catalogue version applied")
    region_code: str = strawberry.field(description="区划 — the region code of the case")
    approved_by: str | None = strawberry.field(description="批准人 — the head who approved it")
    started_at: datetime | None = strawberry.field(description="实施时间 — when the measure was put in force")
    officer_ids: list[str] = strawberry.field(
        description="执法人员 — ids of the officers who carried it out (at least two)")
    items: list[MeasureItemView] = strawberry.field(description="清单 — the items sealed, seized or frozen")
    extensions: int = strawberry.field(description="延长次数 — how many times the term was extended (at most once)")
    extension_days: int = strawberry.field(description="延长天数 — days added by the extension (at most 30)")
    decision_served_on: date | None = strawberry.field(
        description="冻结决定书送达日 — day the freeze decision reached the party (within 3 working days)")
    handling: HandlingKind | None = strawberry.field(description="处理决定 — confiscated or destroyed (第二十七条)")
    ended_on: date | None = strawberry.field(description="结束日期 — the day it was handled, released or transferred")
    end_reason: str | None = strawberry.field(
        description="结束原因 — the ground of release or the recipient of a transfer")
    term_due: date | None = strawberry.field(description="期限届满日 — the last day of the term (testing periods excluded)")
    snapshot: strawberry.Private[CoerciveMeasure]
    case: _PenaltyCase | None = strawberry.field(
        resolver=measure_case, description="案件 — the case the measure belongs to (null outside the caller's scope)")
    body: _Body | None = strawberry.field(resolver=measure_body, description="执法主体 — the body that decided the measure")
    events: list[RecordEvent] = strawberry.field(resolver=measure_events,
                                                 description="全过程记录 — the measure's own SM3-chained events")
    deadlines: list[RecordDeadline] = strawberry.field(
        description="期限 — the deadlines the measure's commands set", resolver=measure_deadlines)
    verify_events: ChainCheck = strawberry.field(
        resolver=verify_measure, description="校验 — walk the measure's event chain; name the first bad event")

    @classmethod
    def from_stored(cls, s: Stored[CoerciveMeasure]) -> CoerciveMeasureView:
        m = s.snapshot
        return cls(
            id=strawberry.ID(s.record_id), case_id=strawberry.ID(m.case_id), version=s.version, head_hash=s.head_hash,
            kind=m.kind, state=m.state, emergency=m.emergency, basis_level=m.basis_level, basis_text=m.basis_text,
            body_uscc=m.body_id, item_code=m.item_code, item_version=m.item_version, region_code=m.region_code,
            approved_by=m.approved_by, started_at=m.started_at, officer_ids=list(m.officer_ids),
            items=[MeasureItemView(name=i.name, quantity=i.quantity) for i in m.items], extensions=m.extensions,
            extension_days=m.extension_days, decision_served_on=m.decision_served_on, handling=m.handling,
            ended_on=m.ended_on, end_reason=m.end_reason, term_due=m.term.due if m.term else None, snapshot=m)



@strawberry.type(name="Inspection", description="行政检查 (DOMAIN.md §7).")
class InspectionView:
    id: strawberry.ID = strawberry.field(description="检查编号 — the inspection's id (UUID v7)")
    version: int = strawberry.field(description="版本 — optimistic-lock version: pass it as expectedVersion")
    head_hash: str = strawberry.field(description="链头哈希 — SM3 hash of the inspection's latest event")
    state: InspectionState = strawberry.field(description="检查状态 — where the inspection stands")
    body_uscc: str = strawberry.field(description="执法主体代码 — USCC of the inspecting body")
    item_code: str = strawberry.field(description="执法事项编码 — the enforcement item inspected for")
    item_version: str = strawberry.field(description="事项版本 — the catalogue version applied")
    region_code: str = strawberry.field(description="区划 — where the object is")
    object_name: str = strawberry.federation.field(
        description="检查对象 — name of the inspected object", directives=[Sensitive(level="S2", mask="NAME")])
    object_uscc: str | None = strawberry.field(
        description="对象信用代码 — the inspected organisation's USCC, when it has one")
    plan_id: str | None = strawberry.field(description="双随机一公开计划 — id of the random-inspection plan, if any")
    inspectors: list[str] = strawberry.field(description="检查人员 — ids of the inspecting officers")
    cert_nos: list[str] = strawberry.field(description="执法证号 — the certificates the inspectors showed")
    checked_at: datetime | None = strawberry.field(description="检查时间 — when the on-site check began")
    result: CheckResult | None = strawberry.field(description="检查结果 — the result recorded")
    record_doc_id: str | None = strawberry.field(description="检查笔录 — id of the inspection record document")
    submitted_at: datetime | None = strawberry.field(
        description="报送时间 — when the result was submitted (after the check)")
    rectification_due: date | None = strawberry.field(description="整改期限 — the day by which to rectify")
    clue_case_id: strawberry.ID | None = strawberry.field(
        description="案源 — id of the case clue the inspection created")
    published_on: date | None = strawberry.field(description="公示日期 — the day the result was published")
    snapshot: strawberry.Private[Inspection]
    body: _Body | None = strawberry.field(resolver=inspection_body, description="执法主体 — the inspecting body")
    events: list[RecordEvent] = strawberry.field(resolver=inspection_events,
                                                 description="全过程记录 — the inspection's own SM3-chained events")
    verify_events: ChainCheck = strawberry.field(
        resolver=verify_inspection, description="校验 — walk the inspection's event chain; name the first bad event")

    @classmethod
    def from_stored(cls, s: Stored[Inspection]) -> InspectionView:
        i = s.snapshot
        return cls(
            id=strawberry.ID(s.record_id), version=s.version, head_hash=s.head_hash, state=i.state,
            body_uscc=i.body_id, item_code=i.item_code, item_version=i.item_version, region_code=i.region_code,
            object_name=i.object_name, object_uscc=i.object_uscc, plan_id=i.plan_id, inspectors=list(i.inspectors), cert_nos=list(i.cert_nos),
            checked_at=i.checked_at, result=i.result, record_doc_id=i.record_doc_id, submitted_at=i.submitted_at,
            rectification_due=i.rectification_due,
            clue_case_id=strawberry.ID(i.clue_case_id) if i.clue_case_id else None, published_on=i.published_on,
            snapshot=i)
