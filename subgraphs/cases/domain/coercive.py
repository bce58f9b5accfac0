"""Coercive measures (行政强制措施: 查封/扣押/冻结) and their state machine (DOMAIN.md §6.1).

    ∅ ──ApproveMeasure──▶ APPROVED ──PutInForce──▶ IN_FORCE ──Extend──▶ EXTENDED
    ∅ ──ApplyEmergencyMeasure──▶ EMERGENCY_APPLIED ──ReportEmergency──▶ IN_FORCE | RELEASED
    IN_FORCE/EXTENDED ──Handle──▶ HANDLED     ──Release──▶ RELEASED     any ──TransferMeasure──▶ TRANSFERRED
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .clock import local_date, require_aware
from .common_guards import require_certified_officers
from .context import GuardContext
from .deadlines import (
    Deadline,
    emergency_report_deadline,
    freeze_decision_service_deadline,
    freeze_term,
    seal_seize_term,
)
from .enums import MEASURE_BASIS_LEVELS, BasisLevel, CoerciveKind
from .errors import DomainValueError, IllegalTransition
from .periods import DateRange
from .rules import check


class MeasureState(StrEnum):
    APPROVED = "APPROVED"
    EMERGENCY_APPLIED = "EMERGENCY_APPLIED"
    IN_FORCE = "IN_FORCE"
    EXTENDED = "EXTENDED"
    HANDLED = "HANDLED"
    RELEASED = "RELEASED"
    TRANSFERRED = "TRANSFERRED"


class HandlingKind(StrEnum):
    CONFISCATE = "CONFISCATE"
    DESTROY = "DESTROY"


@dataclass(frozen=True, slots=True)
class MeasureItem:
    name: str
    quantity: str
    related_to_case: bool = True
    daily_necessity: bool = False  # 生活必需品 (强制法 Art. 23 ¶1)
    sealed_by_other_organ: bool = False  # already sealed by another state organ (Art. 23 ¶2)


@dataclass(frozen=True, slots=True)
class CoerciveMeasure:
    measure_id: str
    case_id: str
    kind: CoerciveKind
    basis_level: BasisLevel
    basis_text: str
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    state: MeasureState
    emergency: bool = False
    approved_by: str | None = None
    started_at: datetime | None = None
    officer_ids: tuple[str, ...] = ()
    items: tuple[MeasureItem, ...] = ()
    extension_days: int = 0
    extensions: int = 0
    testing_periods: tuple[DateRange, ...] = ()
    decision_served_on: date | None = None
    handling: HandlingKind | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    term: Deadline | None = None
    version: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureCommand:
    at: datetime
    actor_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OnSiteFacts:
    """What 强制法 Art. 18(2)–(9) and Art. 24 require on site."""

    officer_ids: tuple[str, ...]
    items: tuple[MeasureItem, ...]
    party_present: bool
    witness_signed: bool = False
    on_site_record_signed: bool = True
    decision_and_list_delivered: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproveMeasure(MeasureCommand):
    measure_id: str
    case_id: str
    kind: CoerciveKind
    basis_level: BasisLevel
    basis_text: str
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    head_approved: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PutInForce(MeasureCommand):
    on_site: OnSiteFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyEmergencyMeasure(MeasureCommand):
    measure_id: str
    case_id: str
    kind: CoerciveKind
    basis_level: BasisLevel
    basis_text: str
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    on_site: OnSiteFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportEmergency(MeasureCommand):
    head_approves: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeFreezeDecision(MeasureCommand):
    """冻结决定书 delivered to the party."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Extend(MeasureCommand):
    days: int
    complex_case: bool
    head_approved: bool
    written_notice: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AddTestingPeriod(MeasureCommand):
    span: DateRange
    notified_in_writing: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Handle(MeasureCommand):
    handling: HandlingKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Release(MeasureCommand):
    ground: str  # 强制法 Art. 28 ground, e.g. "no violation", "term expired"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferMeasure(MeasureCommand):
    recipient: str


@dataclass(frozen=True, slots=True)
class MeasureTransition:
    before: CoerciveMeasure | None
    after: CoerciveMeasure
    summary: str
    deadlines: tuple[Deadline, ...] = ()


def _state(measure: CoerciveMeasure | None, cmd: MeasureCommand, *allowed: MeasureState) -> CoerciveMeasure:
    names = tuple(s.value for s in allowed)
    if measure is None:
        raise IllegalTransition(type(cmd).__name__, "<no measure>", names)
    if measure.state not in allowed:
        raise IllegalTransition(type(cmd).__name__, measure.state.value, names)
    return measure


def _bump(before: CoerciveMeasure | None, after: CoerciveMeasure, summary: str,
          deadlines: tuple[Deadline, ...] = ()) -> MeasureTransition:
    if before is not None:
        after = replace(after, version=before.version + 1)
    return MeasureTransition(before, after, summary, deadlines)


def _require_basis(ctx: GuardContext, kind: CoerciveKind, level: BasisLevel, body_id: str) -> None:
    check(level in MEASURE_BASIS_LEVELS[kind], "coercive.legal_basis",
          f"a {kind.value} measure cannot be set by a {level.value}")
    if kind is CoerciveKind.FREEZE:
        check(ctx.require_body(body_id).freeze_authorised, "coercive.freeze_authorised_by_law",
              f"body {body_id} is not authorised by law to freeze deposits")


def _require_on_site(ctx: GuardContext, measure: CoerciveMeasure, facts: OnSiteFacts, at: datetime) -> None:
    item = ctx.require_item(measure.item_code, measure.item_version)
    require_certified_officers(ctx, facts.officer_ids, at, region=measure.region_code, item=item,
                               rule_id="coercive.two_certified_officers")
    check((facts.party_present or facts.witness_signed) and facts.on_site_record_signed,
          "coercive.on_site_procedure", "the party must attend (or a witness sign) and the 现场笔录 be signed")
    bad = [i.name for i in facts.items if not i.related_to_case or i.daily_necessity]
    check(not bad, "coercive.items_related", f"items unrelated to the case or daily necessities: {bad}")
    if measure.kind in (CoerciveKind.SEAL, CoerciveKind.FREEZE):
        repeated = [i.name for i in facts.items if i.sealed_by_other_organ]
        check(not repeated, "coercive.no_repeated_sealing", f"already sealed/frozen by another organ: {repeated}")
    if measure.kind in (CoerciveKind.SEAL, CoerciveKind.SEIZE):
        check(facts.decision_and_list_delivered, "coercive.decision_and_list_delivered",
              "the decision and the item list (in duplicate) must be delivered on the spot")


def _term(ctx: GuardContext, measure: CoerciveMeasure) -> Deadline:
    assert measure.started_at is not None
    start = local_date(measure.started_at)
    if measure.kind is CoerciveKind.FREEZE:
        return freeze_term(ctx.calendar, ctx.config, frozen_on=start, extension_days=measure.extension_days)
    return seal_seize_term(ctx.calendar, ctx.config, started_on=start, extension_days=measure.extension_days,
                           testing_periods=measure.testing_periods)


def _new(cmd: ApproveMeasure | ApplyEmergencyMeasure, state: MeasureState, **extra: Any) -> CoerciveMeasure:
    return CoerciveMeasure(
        measure_id=cmd.measure_id, case_id=cmd.case_id, kind=cmd.kind, basis_level=cmd.basis_level,
        basis_text=cmd.basis_text, body_id=cmd.body_id, item_code=cmd.item_code, item_version=cmd.item_version,
        region_code=cmd.region_code, state=state, **extra,
    )


def approve(m: CoerciveMeasure | None, cmd: ApproveMeasure, ctx: GuardContext) -> MeasureTransition:
    if m is not None:
        raise IllegalTransition("ApproveMeasure", m.state.value, ("<no measure>",))
    check(cmd.head_approved, "coercive.head_approval", "the measure needs the agency head's prior approval")
    _require_basis(ctx, cmd.kind, cmd.basis_level, cmd.body_id)
    return _bump(None, _new(cmd, MeasureState.APPROVED, approved_by=cmd.actor_id), "measure approved")


def put_in_force(m: CoerciveMeasure | None, cmd: PutInForce, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.APPROVED)
    require_aware(cmd.at, "at")
    _require_on_site(ctx, m, cmd.on_site, cmd.at)
    after = replace(m, state=MeasureState.IN_FORCE, started_at=cmd.at, officer_ids=cmd.on_site.officer_ids,
                    items=cmd.on_site.items)
    deadlines = [_term(ctx, after)]
    if m.kind is CoerciveKind.FREEZE:
        deadlines.append(freeze_decision_service_deadline(ctx.calendar, ctx.config, frozen_on=local_date(cmd.at)))
    after = replace(after, term=deadlines[0])
    return _bump(m, after, f"in force until {deadlines[0].due}", tuple(deadlines))


def apply_emergency(m: CoerciveMeasure | None, cmd: ApplyEmergencyMeasure, ctx: GuardContext) -> MeasureTransition:
    if m is not None:
        raise IllegalTransition("ApplyEmergencyMeasure", m.state.value, ("<no measure>",))
    _require_basis(ctx, cmd.kind, cmd.basis_level, cmd.body_id)
    draft = _new(cmd, MeasureState.EMERGENCY_APPLIED, emergency=True, started_at=require_aware(cmd.at, "at"),
                 officer_ids=cmd.on_site.officer_ids, items=cmd.on_site.items)
    _require_on_site(ctx, draft, cmd.on_site, cmd.at)
    report = emergency_report_deadline(ctx.config, started_at=cmd.at)
    return _bump(None, replace(draft, term=_term(ctx, draft)), f"emergency measure; report by {report.due_at}",
                 (report,))


def report_emergency(m: CoerciveMeasure | None, cmd: ReportEmergency, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.EMERGENCY_APPLIED)
    assert m.started_at is not None
    report = emergency_report_deadline(ctx.config, started_at=m.started_at)
    check(report.is_met_at(require_aware(cmd.at, "at")), "coercive.emergency_report_24h",
          f"reported at {cmd.at.isoformat()}, after {report.due_at.isoformat() if report.due_at else ''}")
    if not cmd.head_approves:
        after = replace(m, state=MeasureState.RELEASED, ended_on=local_date(cmd.at),
                        end_reason="the agency head disapproved: released at once")
        return _bump(m, after, "disapproved and released")
    return _bump(m, replace(m, state=MeasureState.IN_FORCE, approved_by=cmd.actor_id), "emergency measure approved")


def serve_freeze_decision(m: CoerciveMeasure | None, cmd: ServeFreezeDecision, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.IN_FORCE, MeasureState.EXTENDED)
    if m.kind is not CoerciveKind.FREEZE or m.started_at is None:
        raise DomainValueError("a 冻结决定书 belongs to a freezing measure in force")
    day = local_date(cmd.at)
    due = freeze_decision_service_deadline(ctx.calendar, ctx.config, frozen_on=local_date(m.started_at))
    check(due.is_met_by(day), "coercive.freeze_decision_3wd", f"served {day}, after {due.due}")
    return _bump(m, replace(m, decision_served_on=day), "冻结决定书 served")


def extend(m: CoerciveMeasure | None, cmd: Extend, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.IN_FORCE, MeasureState.EXTENDED)
    limit_rule = ctx.config.freeze if m.kind is CoerciveKind.FREEZE else ctx.config.seal_seize
    max_extensions = ctx.config.seal_seize.max_extensions
    check(m.extensions < max_extensions, "coercive.extension_once", "the term was already extended once")
    check(0 < cmd.days <= limit_rule.max_extension_calendar_days, "coercive.extension_limit",
          f"an extension of {cmd.days} days exceeds {limit_rule.max_extension_calendar_days}")
    check(cmd.complex_case and cmd.head_approved and cmd.written_notice, "coercive.extension_justified",
          "an extension needs a complex case, the head's approval and written notice with reasons")
    after = replace(m, state=MeasureState.EXTENDED, extension_days=cmd.days, extensions=m.extensions + 1)
    term = _term(ctx, after)
    return _bump(m, replace(after, term=term), f"extended to {term.due}", (term,))


def add_testing_period(m: CoerciveMeasure | None, cmd: AddTestingPeriod, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.IN_FORCE, MeasureState.EXTENDED)
    check(cmd.notified_in_writing, "coercive.testing_notified", "testing periods must be notified in writing")
    if m.kind is CoerciveKind.FREEZE:
        raise DomainValueError("testing periods are excluded only from sealing and seizure terms")
    after = replace(m, testing_periods=(*m.testing_periods, cmd.span))
    term = _term(ctx, after)
    return _bump(m, replace(after, term=term), f"testing excluded; term ends {term.due}", (term,))


def handle(m: CoerciveMeasure | None, cmd: Handle, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.IN_FORCE, MeasureState.EXTENDED)
    term = _term(ctx, m)
    day = local_date(cmd.at)
    check(term.is_met_by(day), "coercive.handled_within_term", f"handled on {day}, after the term ended {term.due}")
    return _bump(m, replace(m, state=MeasureState.HANDLED, handling=cmd.handling, ended_on=day),
                 f"handled: {cmd.handling.value}")


def release(m: CoerciveMeasure | None, cmd: Release, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.IN_FORCE, MeasureState.EXTENDED)
    if not cmd.ground.strip():
        raise DomainValueError("a release names its Art. 28 ground")
    after = replace(m, state=MeasureState.RELEASED, ended_on=local_date(cmd.at), end_reason=cmd.ground)
    return _bump(m, after, f"released ({cmd.ground}); return the items at once")


def transfer(m: CoerciveMeasure | None, cmd: TransferMeasure, ctx: GuardContext) -> MeasureTransition:
    m = _state(m, cmd, MeasureState.APPROVED, MeasureState.EMERGENCY_APPLIED, MeasureState.IN_FORCE,
               MeasureState.EXTENDED)
    after = replace(m, state=MeasureState.TRANSFERRED, ended_on=local_date(cmd.at), end_reason=cmd.recipient)
    return _bump(m, after, f"transferred to {cmd.recipient}; the party is told in writing")


_HANDLERS: dict[type, Callable[[CoerciveMeasure | None, Any, GuardContext], MeasureTransition]] = {
    ApproveMeasure: approve,
    PutInForce: put_in_force,
    ApplyEmergencyMeasure: apply_emergency,
    ReportEmergency: report_emergency,
    ServeFreezeDecision: serve_freeze_decision,
    Extend: extend,
    AddTestingPeriod: add_testing_period,
    Handle: handle,
    Release: release,
    TransferMeasure: transfer,
}


def apply_measure(measure: CoerciveMeasure | None, cmd: MeasureCommand, ctx: GuardContext) -> MeasureTransition:
    """Apply a command to a coercive measure; raises `GuardFailed` or `IllegalTransition`."""
    handler = _HANDLERS.get(type(cmd))
    if handler is None:
        raise DomainValueError(f"unknown measure command {type(cmd).__name__}")
    return handler(measure, cmd, ctx)
