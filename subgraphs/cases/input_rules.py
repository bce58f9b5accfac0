"""The one check of a mutation's input before anything is written: identifiers and dates.

Every mutation of the cases subgraph (case commands, coercive measures, inspections, documents and
evidence, the catalogue) hands its arguments to `check_arguments` first. It walks the input objects
by their graph type and field, applies the pure checks of `domain.input_checks`, then the orders a
command's dates must keep (violation ≤ discovery ≤ the act; notice ≤ hearing; start ≤ end), and
refuses the whole request with one BAD_USER_INPUT error when anything is wrong:

    extensions = {"code": "BAD_USER_INPUT", "field": "input.parties[0].uscc",
                  "problems": [{"field": ..., "message": ...}, ...]}

Messages name the field and the rule, never the value (an ID number must not reach a log line).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graphql import GraphQLError

from domain import input_checks as chk
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.common.errors import graphql_error


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    message: str


Check = Callable[[Any, "InputCheck"], str | None]


def _text(problem: Callable[[str], str | None]) -> Check:
    return lambda value, _ctx: problem(value) if isinstance(value, str) else "must be a string"


def _past_date(value: Any, ctx: InputCheck) -> str | None:
    return chk.past_date_problem(value, today=ctx.today)


def _future_date(value: Any, ctx: InputCheck) -> str | None:
    return chk.future_date_problem(value, today=ctx.today)


def _birth_date(value: Any, ctx: InputCheck) -> str | None:
    return chk.birth_date_problem(value, today=ctx.today)


def _instant(value: Any, ctx: InputCheck) -> str | None:
    return chk.instant_problem(value, now=ctx.now)


USCC = (_text(chk.uscc_problem), "统一社会信用代码")
REGION = (_text(chk.region_code_problem), "行政区划代码")
ITEM_CODE = (_text(chk.item_code_problem), "执法事项编码")
ITEM_VERSION = (_text(chk.item_version_problem), "事项版本")
ID_HASH = (_text(chk.id_number_hash_problem), "证件号码哈希")
PAST = (_past_date, "日期")
FUTURE = (_future_date, "日期")
BIRTH = (_birth_date, "出生日期")
INSTANT = (_instant, "时间")
#: checked by the type's own rule (`ORDERS`), which knows the document type
BY_TYPE_RULE = (lambda _value, _ctx: None, "")

#: (graph input type, field) → its check and the field's Chinese label. `at` is checked everywhere.
RULES: Mapping[tuple[str, str], tuple[Check, str]] = {
    **{(t, "body_id"): USCC for t in ("RegisterClueInput", "ClueInput", "PlanInspectionInput")},
    **{(t, "item_code"): ITEM_CODE for t in ("RegisterClueInput", "ClueInput", "PlanInspectionInput")},
    **{(t, "item_version"): ITEM_VERSION for t in ("RegisterClueInput", "ClueInput", "PlanInspectionInput")},
    **{(t, "region_code"): REGION for t in ("RegisterClueInput", "ClueInput", "PlanInspectionInput")},
    **{(t, "discovered_on"): PAST for t in ("RegisterClueInput", "ClueInput")},
    ("PlanInspectionInput", "object_uscc"): USCC,
    ("PartyInput", "uscc"): USCC,
    ("PartyInput", "id_number_hash"): ID_HASH,
    ("PartyInput", "birth_date"): BIRTH,
    ("PartyInput", "id_number"): BY_TYPE_RULE,
    ("ViolationInput", "start"): PAST,
    ("ViolationInput", "end"): PAST,
    ("ApproveDeferralInput", "applied_on"): PAST,
    ("ApproveDeferralInput", "new_due"): FUTURE,
    ("InstalmentInput", "due"): FUTURE,
    ("AttachEvidenceInput", "captured_at"): INSTANT,
    ("CloseInspectionInput", "rectification_due"): FUTURE,
    ("DateRangeInput", "start"): FUTURE,
    ("DateRangeInput", "end"): FUTURE,
    ("EvidenceRecordInput", "collected_on"): PAST,
    ("RecordInspectionFindingsInput", "submitted_at"): INSTANT,
    ("ScheduleHearingInput", "notice_served_on"): PAST,
    ("ScheduleHearingInput", "hearing_on"): FUTURE,
    ("StartPaymentInput", "decision_due"): FUTURE,
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _is_input(value: Any) -> bool:
    return hasattr(type(value), "__strawberry_definition__")


def _local(instant: datetime | None, ctx: InputCheck) -> date:
    if instant is None or instant.tzinfo is None:
        return ctx.today
    return instant.astimezone(CHINA_TZ).date()


class InputCheck:
    """Collects the problems of one request's arguments; `refuse` raises them as one error."""

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or datetime.now(CHINA_TZ)
        self.today = self.now.astimezone(CHINA_TZ).date()
        self.problems: list[FieldProblem] = []

    def add(self, path: str, label: str | None, reason: str) -> None:
        self.problems.append(FieldProblem(path, f"{path}{f' ({label})' if label else ''}: {reason}"))

    # -- walking ------------------------------------------------------------------------------

    def walk(self, value: Any, path: str, at: datetime | None = None) -> None:
        """Check an input object (or a list of them) at `path`; `at` is the act's instant."""
        if isinstance(value, list | tuple):
            for i, item in enumerate(value):
                self.walk(item, f"{path}[{i}]", at)
            return
        if not _is_input(value):
            return
        kind = type(value).__name__
        fields = vars(value)
        own_at = fields.get("at")
        if isinstance(own_at, datetime):
            at = own_at
        for name, item in fields.items():
            if item is None:
                continue
            where = f"{path}.{camel(name)}"
            rule = RULES.get((kind, name)) or (INSTANT if name == "at" else None)
            if rule is not None:
                check, label = rule
                reason = check(item, self)
                if reason is not None:
                    self.add(where, label, reason)
            elif isinstance(item, str):
                self.text(where, item)
            else:
                self.walk(item, where, at)
        ORDERS.get(kind, _no_order)(self, value, path, at)

    def text(self, path: str, value: str) -> None:
        """Free text (names, reasons, ids): no control characters."""
        if chk.has_control_characters(value):
            self.add(path, None, "contains control characters")

    def order(self, path: str, first: date | None, second: date | None, label: str, reason: str) -> None:
        """A problem at `path` unless `first` ≤ `second` (either missing: nothing to compare)."""
        if first is not None and second is not None and first > second:
            self.add(path, label, reason)

    # -- outcome ------------------------------------------------------------------------------

    def error(self) -> GraphQLError | None:
        if not self.problems:
            return None
        first = self.problems[0]
        message = "; ".join(p.message for p in self.problems[:5])
        return graphql_error("BAD_USER_INPUT", message, field=first.field,
                             problems=[{"field": p.field, "message": p.message} for p in self.problems])

    def refuse(self) -> None:
        """Raise the collected problems as one BAD_USER_INPUT error (nothing has been written)."""
        error = self.error()
        if error is not None:
            raise error


# --- the orders a command's dates keep -------------------------------------------------------------


def _no_order(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    return None


def _clue(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    found: date | None = value.discovered_on
    violation = value.violation
    if violation is not None and found is not None:
        ctx.order(f"{path}.violation.start", violation.start, found, "违法行为开始日期",
                  "the violation starts after it was discovered")
        ctx.order(f"{path}.violation.end", violation.end, found, "违法行为结束日期",
                  "the violation ends after it was discovered")
    if at is not None:
        ctx.order(f"{path}.discoveredOn", found, _local(at, ctx), "发现日期",
                  "discovered after the clue is registered (at)")


def _violation(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    ctx.order(f"{path}.end", value.start, value.end, "违法行为结束日期", "the violation ends before it starts")


def _range(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    ctx.order(f"{path}.end", value.start, value.end, "结束日期", "the period ends before it starts")


def _hearing(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    ctx.order(f"{path}.hearingOn", value.notice_served_on, value.hearing_on, "听证日期",
              "the hearing is before its notice was served")
    if value.at is not None:
        ctx.order(f"{path}.noticeServedOn", value.notice_served_on, _local(value.at, ctx), "通知送达日期",
                  "the notice is served after the act (at)")


def _deferral(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    ctx.order(f"{path}.newDue", value.applied_on, value.new_due, "新的缴纳期限", "due before the application")
    for i, instalment in enumerate(value.instalments or []):
        ctx.order(f"{path}.instalments[{i}].due", value.applied_on, instalment.due, "到期日",
                  "an instalment is due before the application")


def _evidence(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    record = value.evidence
    if record is not None and value.at is not None:
        ctx.order(f"{path}.evidence.collectedOn", record.collected_on, _local(value.at, ctx), "收集日期",
                  "collected after the act (at)")


def _attached_evidence(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    captured, when = value.captured_at, value.at
    if isinstance(captured, datetime) and isinstance(when, datetime) and captured.tzinfo and when.tzinfo \
            and captured > when:
        ctx.add(f"{path}.capturedAt", "采集时间", "captured after the act (at)")


def _party(ctx: InputCheck, value: Any, path: str, at: datetime | None) -> None:
    number = value.id_number
    if number is None:
        return
    id_type = value.id_type.value if value.id_type is not None else None
    if id_type is None:
        return  # "idNumber needs its idType" is said where parties are converted
    reason = chk.id_number_problem(id_type, number, today=ctx.today)
    if reason is not None:
        ctx.add(f"{path}.idNumber", "证件号码", reason)
        return
    born = chk.id_number_birth_date(id_type, number)
    if born is not None and value.birth_date is not None and born != value.birth_date:
        ctx.add(f"{path}.birthDate", "出生日期", "differs from the birth date in the ID number")


ORDERS: Mapping[str, Callable[[InputCheck, Any, str, datetime | None], None]] = {
    "RegisterClueInput": _clue, "ClueInput": _clue, "ViolationInput": _violation, "DateRangeInput": _range,
    "ScheduleHearingInput": _hearing, "ApproveDeferralInput": _deferral, "RecordEvidenceInput": _evidence,
    "AttachEvidenceInput": _attached_evidence, "PartyInput": _party,
}

def check_arguments(arguments: Mapping[str, Any], *, now: datetime | None = None,
                    extra: Callable[[InputCheck], None] | None = None) -> None:
    """Check a mutation's arguments (graph names → values); raise BAD_USER_INPUT naming the fields.

    `extra` adds the checks of arguments that are not input objects (a catalogue code, a date).
    """
    ctx = InputCheck(now=now)
    for name, value in arguments.items():
        if value is None:
            continue
        if isinstance(value, str):
            ctx.text(name, value)
        else:
            ctx.walk(value, name)
    if extra is not None:
        extra(ctx)
    ctx.refuse()
