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


MeasureStateEnum = strawberry.enum(MeasureState, name="MeasureState", description="Coercive-measure states (§6.1)")
HandlingKindEnum = strawberry.enum(HandlingKind, name="HandlingKind")
InspectionStateEnum = strawberry.enum(InspectionState, name="InspectionState", description="Inspection states (§7)")
CheckResultEnum = strawberry.enum(CheckResult, name="CheckResult", description="检查结果")


@strawberry.type(description="One event of a measure's or an inspection's own SM3 chain.")
class RecordEvent:
    seq: int
    kind: str
    actor_id: str
    at: str
    from_state: str | None
    to_state: str
    summary: str
    payload: str = strawberry.field(description="the command, as canonical JSON")
    prev_hash: str
    hash: str

    @classmethod
    def from_stored(cls, e: StoredEvent) -> RecordEvent:
        f = e.fields
        return cls(seq=e.seq, kind=f.kind, actor_id=f.actor_id, at=f.at, from_state=f.from_state, to_state=f.to_state,
                   summary=f.summary, payload=canonical_json(f.payload).decode(), prev_hash=e.prev_hash, hash=e.hash)


@strawberry.type(description="A deadline a measure's command set (term, 24-hour report, freeze decision service).")
class RecordDeadline:
    kind: str
    basis: str
    unit: str
    amount: int
    start: date
    due: date
    due_at: str | None
    event_seq: int


@strawberry.type(description="An item sealed, seized or frozen (查封/扣押/冻结清单).")
class MeasureItemView:
    name: str
    quantity: str


@strawberry.type(description="Result of walking a record's event chain.")
class ChainCheck:
    ok: bool
    reason: str
    fault: str | None = None
    seq: int | None = None


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
    id: strawberry.ID
    case_id: strawberry.ID
    version: int = strawberry.field(description="optimistic-lock version: pass it as expectedVersion")
    head_hash: str
    kind: CoerciveKind
    state: MeasureState
    emergency: bool
    basis_level: BasisLevel
    basis_text: str
    body_uscc: str
    item_code: str
    item_version: str
    region_code: str
    approved_by: str | None
    started_at: datetime | None
    officer_ids: list[str]
    items: list[MeasureItemView]
    extensions: int
    extension_days: int
    decision_served_on: date | None
    handling: HandlingKind | None
    ended_on: date | None
    end_reason: str | None
    term_due: date | None = strawberry.field(description="期限届满日 — the last day of the term (testing periods excluded)")
    snapshot: strawberry.Private[CoerciveMeasure]
    case: _PenaltyCase | None = strawberry.field(
        resolver=measure_case, description="案件 — the case the measure belongs to (null outside the caller's scope)")
    body: _Body = strawberry.field(resolver=measure_body, description="执法主体 — the body that decided the measure")
    events: list[RecordEvent] = strawberry.field(resolver=measure_events,
                                                 description="the measure's own SM3-chained events")
    deadlines: list[RecordDeadline] = strawberry.field(resolver=measure_deadlines)
    verify_events: ChainCheck = strawberry.field(
        resolver=verify_measure, description="walk the measure's event chain; name the first bad event")

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
    id: strawberry.ID
    version: int = strawberry.field(description="optimistic-lock version: pass it as expectedVersion")
    head_hash: str
    state: InspectionState
    body_uscc: str
    item_code: str
    item_version: str
    region_code: str
    object_name: str = strawberry.federation.field(directives=[Sensitive(level="S2", mask="NAME")])
    plan_id: str | None
    inspectors: list[str]
    cert_nos: list[str]
    checked_at: datetime | None
    result: CheckResult | None
    record_doc_id: str | None
    submitted_at: datetime | None
    rectification_due: date | None
    clue_case_id: strawberry.ID | None
    published_on: date | None
    snapshot: strawberry.Private[Inspection]
    body: _Body = strawberry.field(resolver=inspection_body, description="执法主体 — the inspecting body")
    events: list[RecordEvent] = strawberry.field(resolver=inspection_events,
                                                 description="the inspection's own SM3-chained events")
    verify_events: ChainCheck = strawberry.field(
        resolver=verify_inspection, description="walk the inspection's event chain; name the first bad event")

    @classmethod
    def from_stored(cls, s: Stored[Inspection]) -> InspectionView:
        i = s.snapshot
        return cls(
            id=strawberry.ID(s.record_id), version=s.version, head_hash=s.head_hash, state=i.state,
            body_uscc=i.body_id, item_code=i.item_code, item_version=i.item_version, region_code=i.region_code,
            object_name=i.object_name, plan_id=i.plan_id, inspectors=list(i.inspectors), cert_nos=list(i.cert_nos),
            checked_at=i.checked_at, result=i.result, record_doc_id=i.record_doc_id, submitted_at=i.submitted_at,
            rectification_due=i.rectification_due,
            clue_case_id=strawberry.ID(i.clue_case_id) if i.clue_case_id else None, published_on=i.published_on,
            snapshot=i)
