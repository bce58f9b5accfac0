"""Administrative inspections (行政检查) and their state machine (DOMAIN.md §7).

    ∅ ─Plan─▶ PLANNED ─Assign─▶ ASSIGNED ─StartOnSite─▶ ON_SITE ─RecordResult─▶ RESULT_RECORDED
    RESULT_RECORDED ─Resolve─▶ CLOSED_NO_ISSUE | RECTIFICATION_ORDERED | CLUE_CREATED
    RECTIFICATION_ORDERED ─Recheck─▶ RECHECKED
    CLOSED_NO_ISSUE | RECHECKED | CLUE_CREATED ─Publish─▶ PUBLISHED
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.identifiers import Severity, validate_uscc

from .clock import local_date, require_aware
from .common_guards import require_certified_officers
from .context import GuardContext
from .errors import DomainValueError, IllegalTransition
from .rules import check


class InspectionState(StrEnum):
    PLANNED = "PLANNED"
    ASSIGNED = "ASSIGNED"
    ON_SITE = "ON_SITE"
    RESULT_RECORDED = "RESULT_RECORDED"
    CLOSED_NO_ISSUE = "CLOSED_NO_ISSUE"
    RECTIFICATION_ORDERED = "RECTIFICATION_ORDERED"
    RECHECKED = "RECHECKED"
    CLUE_CREATED = "CLUE_CREATED"
    PUBLISHED = "PUBLISHED"


class CheckResult(StrEnum):
    NO_ISSUE = "NO_ISSUE"  # 未发现问题
    RECTIFY = "RECTIFY"  # 发现问题责令整改
    FILE_CASE = "FILE_CASE"  # 发现问题立案查处
    OBJECT_NOT_FOUND = "OBJECT_NOT_FOUND"  # 未找到检查对象


_RESOLUTION = {
    CheckResult.NO_ISSUE: InspectionState.CLOSED_NO_ISSUE,
    CheckResult.OBJECT_NOT_FOUND: InspectionState.CLOSED_NO_ISSUE,
    CheckResult.RECTIFY: InspectionState.RECTIFICATION_ORDERED,
    CheckResult.FILE_CASE: InspectionState.CLUE_CREATED,
}


@dataclass(frozen=True, slots=True)
class Inspection:
    inspection_id: str
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    object_name: str
    state: InspectionState
    plan_id: str | None = None
    object_uscc: str | None = None  # the inspected enterprise's unified social credit code (S33 counts by it)
    inspectors: tuple[str, ...] = ()
    cert_nos: tuple[str, ...] = ()
    checked_at: datetime | None = None
    result: CheckResult | None = None
    record_doc_id: str | None = None
    submitted_at: datetime | None = None
    rectification_due: date | None = None
    clue_case_id: str | None = None
    published_on: date | None = None
    version: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class InspectionCommand:
    at: datetime
    actor_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanInspection(InspectionCommand):
    inspection_id: str
    body_id: str
    item_code: str
    item_version: str
    region_code: str
    object_name: str
    plan_id: str | None = None
    object_uscc: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignInspectors(InspectionCommand):
    officer_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StartOnSite(InspectionCommand):
    certificates_shown: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordResult(InspectionCommand):
    result: CheckResult
    record_doc_id: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolve(InspectionCommand):
    rectification_due: date | None = None
    clue_case_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Recheck(InspectionCommand):
    rectified: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishInspection(InspectionCommand):
    """抽查结果公示."""


@dataclass(frozen=True, slots=True)
class InspectionTransition:
    before: Inspection | None
    after: Inspection
    summary: str


def _state(insp: Inspection | None, cmd: InspectionCommand, *allowed: InspectionState) -> Inspection:
    names = tuple(s.value for s in allowed)
    if insp is None:
        raise IllegalTransition(type(cmd).__name__, "<no inspection>", names)
    if insp.state not in allowed:
        raise IllegalTransition(type(cmd).__name__, insp.state.value, names)
    return insp


def _done(before: Inspection | None, after: Inspection, summary: str) -> InspectionTransition:
    if before is not None:
        after = replace(after, version=before.version + 1)
    return InspectionTransition(before, after, summary)


def plan(insp: Inspection | None, cmd: PlanInspection, ctx: GuardContext) -> InspectionTransition:
    if insp is not None:
        raise IllegalTransition("PlanInspection", insp.state.value, ("<no inspection>",))
    ctx.require_item(cmd.item_code, cmd.item_version)
    uscc = None
    if cmd.object_uscc is not None:
        checked = validate_uscc(cmd.object_uscc)
        if not checked.valid:
            raise DomainValueError(f"object_uscc {checked.value!r} is not a valid unified social credit code: "
                                   + "; ".join(p.message for p in checked.problems if p.severity is Severity.ERROR))
        uscc = checked.value
    after = Inspection(cmd.inspection_id, cmd.body_id, cmd.item_code, cmd.item_version, cmd.region_code,
                       cmd.object_name, InspectionState.PLANNED, plan_id=cmd.plan_id, object_uscc=uscc)
    return _done(None, after, "planned")


def assign(insp: Inspection | None, cmd: AssignInspectors, ctx: GuardContext) -> InspectionTransition:
    insp = _state(insp, cmd, InspectionState.PLANNED)
    return _done(insp, replace(insp, state=InspectionState.ASSIGNED, inspectors=cmd.officer_ids), "assigned")


def start_on_site(insp: Inspection | None, cmd: StartOnSite, ctx: GuardContext) -> InspectionTransition:
    insp = _state(insp, cmd, InspectionState.ASSIGNED)
    item = ctx.require_item(insp.item_code, insp.item_version)
    require_certified_officers(ctx, insp.inspectors, cmd.at, region=insp.region_code, item=item,
                               rule_id="inspection.two_certified_officers")
    check(cmd.certificates_shown, "inspection.certificates_shown", "inspectors must show their certificates")
    certs = tuple(
        cert.cert_no for o in insp.inspectors if (cert := ctx.personnel.certificate_at(o, cmd.at)) is not None
    )
    after = replace(insp, state=InspectionState.ON_SITE, checked_at=require_aware(cmd.at, "at"), cert_nos=certs)
    return _done(insp, after, "on site")


def record_result(insp: Inspection | None, cmd: RecordResult, ctx: GuardContext) -> InspectionTransition:
    insp = _state(insp, cmd, InspectionState.ON_SITE)
    check(bool(cmd.record_doc_id.strip()), "inspection.record_made", "an inspection record (检查笔录) is required")
    assert insp.checked_at is not None
    check(require_aware(cmd.submitted_at, "submitted_at") > insp.checked_at, "inspection.submitted_after_check",
          "the submission time must be later than the check time")
    after = replace(insp, state=InspectionState.RESULT_RECORDED, result=cmd.result, record_doc_id=cmd.record_doc_id,
                    submitted_at=cmd.submitted_at)
    return _done(insp, after, f"result {cmd.result.value}")


def resolve(insp: Inspection | None, cmd: Resolve, ctx: GuardContext) -> InspectionTransition:
    insp = _state(insp, cmd, InspectionState.RESULT_RECORDED)
    assert insp.result is not None
    target = _RESOLUTION[insp.result]
    if target is InspectionState.RECTIFICATION_ORDERED and cmd.rectification_due is None:
        raise DomainValueError("a rectification order needs its due date")
    if target is InspectionState.CLUE_CREATED and not cmd.clue_case_id:
        raise DomainValueError("a case clue needs the id of the case it opens (T1)")
    after = replace(insp, state=target, rectification_due=cmd.rectification_due, clue_case_id=cmd.clue_case_id)
    return _done(insp, after, target.value.lower())


def recheck(insp: Inspection | None, cmd: Recheck, ctx: GuardContext) -> InspectionTransition:
    insp = _state(insp, cmd, InspectionState.RECTIFICATION_ORDERED)
    return _done(insp, replace(insp, state=InspectionState.RECHECKED),
                 "rechecked: rectified" if cmd.rectified else "rechecked: not rectified")


def publish(insp: Inspection | None, cmd: PublishInspection, ctx: GuardContext) -> InspectionTransition:
    insp = _state(insp, cmd, InspectionState.CLOSED_NO_ISSUE, InspectionState.RECHECKED,
                  InspectionState.CLUE_CREATED)
    return _done(insp, replace(insp, state=InspectionState.PUBLISHED, published_on=local_date(cmd.at)), "published")


_HANDLERS: dict[type, Callable[[Inspection | None, Any, GuardContext], InspectionTransition]] = {
    PlanInspection: plan,
    AssignInspectors: assign,
    StartOnSite: start_on_site,
    RecordResult: record_result,
    Resolve: resolve,
    Recheck: recheck,
    PublishInspection: publish,
}


def apply_inspection(insp: Inspection | None, cmd: InspectionCommand, ctx: GuardContext) -> InspectionTransition:
    """Apply a command to an inspection; raises `GuardFailed` or `IllegalTransition`."""
    handler = _HANDLERS.get(type(cmd))
    if handler is None:
        raise DomainValueError(f"unknown inspection command {type(cmd).__name__}")
    return handler(insp, cmd, ctx)
