"""What the alert pages show and accept: the list's filters and orders, labels, evidence as facts, actions.

The list's filters are GET parameters (`rule`, `severity`, `body`, `status`, `region`, `case` — the
dashboard links with these names), its order `sort` (rule, severity, due, detected) and `dir` (asc,
desc), its page the graph's cursor `after`. A value that is not of its form is not sent to the graph:
the page names the field and lists without that filter. Which lifecycle actions a user is offered
follows the supervision subgraph's rules (a SUPERVISOR over the body, never the body itself; OPEN
may be acknowledged, OPEN or ACKNOWLEDGED rectified or dismissed); the graph still decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode

from web.formatting import china_date, china_datetime, yuan
from web.pages.cases_terms import STATES as CASE_STATES
from web.sessions import User

__all__ = ["ACTIONS", "PAGE_SIZE", "REASON_MAX", "SEVERITY_NAMES", "STATUS_NAMES", "ListQuery", "allowed_actions",
           "evidence_facts", "history", "parse_instant", "parse_list"]

PAGE_SIZE: Final = 25
REASON_MAX: Final = 500

STATUS_NAMES: Final = {"OPEN": "待处理", "ACKNOWLEDGED": "已签收", "RECTIFIED": "已整改", "DISMISSED": "已驳回"}
SEVERITY_NAMES: Final = {"RED": "红色预警", "YELLOW": "黄色预警", "INFO": "提示"}
#: the list's sortable columns and the graph's AlertOrder for each
SORTS: Final = {"rule": "RULE", "severity": "SEVERITY", "due": "PERIOD_DUE", "detected": "DETECTED_AT"}
DEFAULT_SORT: Final = ("detected", "desc")

#: action (path segment) -> (button label, the operation it runs, statuses it applies to)
ACTIONS: Final = {
    "acknowledge": ("签收", "alerts-acknowledge", frozenset({"OPEN"})),
    "rectify": ("记录整改", "alerts-rectify", frozenset({"OPEN", "ACKNOWLEDGED"})),
    "dismiss": ("驳回", "alerts-dismiss", frozenset({"OPEN", "ACKNOWLEDGED"})),
}

_FORMS: Final = {
    "rule": (re.compile(r"S\d{2}[a-z]?"), "规则编号应形如 S02 或 S07b"),
    "severity": (re.compile("|".join(SEVERITY_NAMES)), "请选择预警等级"),
    "status": (re.compile("|".join(STATUS_NAMES)), "请选择处理状态"),
    "body": (re.compile(r"[0-9A-Z]{18}"), "执法主体应为 18 位统一社会信用代码"),
    "region": (re.compile(r"\d{6}(\d{3}){0,2}"), "区划代码应为 6、9 或 12 位数字"),
    "case": (re.compile(r"[A-Za-z0-9_-]{1,64}"), "案件标识只含字母、数字、- 和 _"),
}
_VARIABLE: Final = {"rule": "ruleId", "severity": "severity", "status": "status", "body": "bodyId",
                    "region": "regionCode", "case": "caseId"}


@dataclass
class ListQuery:
    """The list's request, checked: the filters, the order and the cursor."""

    filters: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    sort: str = DEFAULT_SORT[0]
    direction: str = DEFAULT_SORT[1]
    after: str | None = None

    def variables(self, *, first: int = PAGE_SIZE) -> dict[str, Any]:
        out: dict[str, Any] = {_VARIABLE[k]: v for k, v in self.filters.items()}
        out.update(orderBy=SORTS[self.sort], descending=self.direction == "desc", first=first)
        if self.after:
            out["after"] = self.after
        return out

    def filter_variables(self) -> dict[str, Any]:
        return {_VARIABLE[k]: v for k, v in self.filters.items()}

    def link(self, **changes: str | None) -> str:
        """This list's address with some parameters changed (None drops one); a new order starts at page 1."""
        params: dict[str, str | None] = {**self.filters, "sort": self.sort, "dir": self.direction}
        params.update(changes)
        return "/alerts?" + urlencode({k: v for k, v in params.items() if v})

    def sort_link(self, column: str) -> str:
        direction = "asc" if self.sort == column and self.direction == "desc" else "desc"
        if self.sort != column and column in ("rule", "due"):
            direction = "asc"
        return self.link(sort=column, dir=direction, after=None)

    def aria_sort(self, column: str) -> str | None:
        if column != self.sort:
            return None
        return "descending" if self.direction == "desc" else "ascending"


def parse_list(params: Any) -> ListQuery:
    query = ListQuery()
    for name, (pattern, message) in _FORMS.items():
        raw = str(params.get(name) or "").strip()
        if not raw:
            continue
        value = raw.upper() if name in ("severity", "status", "body") else raw
        if name == "rule":  # S07b: the letter after the number is lower case
            value = raw[:3].upper() + raw[3:].lower()
        if pattern.fullmatch(value):
            query.filters[name] = value
        else:
            query.errors[name] = message
    sort, direction = str(params.get("sort") or ""), str(params.get("dir") or "")
    if sort in SORTS:
        query.sort = sort
        query.direction = direction if direction in ("asc", "desc") else "asc"
    elif sort:
        query.errors["sort"] = "无法按该列排序"
    after = str(params.get("after") or "")
    query.after = after if 0 < len(after) <= 512 else None
    return query


def parse_instant(value: str | None) -> datetime | None:
    """An ISO instant (the `since` of the fresh-alerts check); None when it is not one."""
    if not value or len(value) > 40:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def allowed_actions(user: User, alert: dict[str, Any]) -> list[str]:
    """The lifecycle actions to offer `user` on `alert` (the graph checks them again)."""
    if "SUPERVISOR" not in user.roles or (user.body_uscc and user.body_uscc == alert.get("bodyId")):
        return []
    return [name for name, (_label, _op, statuses) in ACTIONS.items() if alert.get("status") in statuses]


_EVIDENCE_LABELS: Final = {
    "period_start": "期限起算日", "period_due": "期限届满日", "unit": "期限单位", "amount": "期限长度",
    "done_on": "实际完成日", "decided_on": "决定日期", "filed_on": "立案日期", "received_on": "受理日期",
    "notice_served_on": "告知书送达日", "statement_due": "陈述申辩截止日", "limitation_due": "追责时效届满日",
    "executed_at": "执行时间", "valid_to": "有效期至", "state": "案件状态", "step": "环节", "role": "角色",
    "acts": "执法行为", "missing": "缺少", "required": "应有", "minimum": "最低要求", "problem": "问题",
    "opinion": "意见", "item_code": "执法事项编码", "region_code": "区划代码", "domain": "执法领域",
    "major": "重大案件", "complex_case": "复杂案件", "has_period": "有期限", "extensions": "延期次数",
    "fine_fen": "罚款金额", "decided_fine_fen": "决定罚款金额", "notified_fine_fen": "告知罚款金额",
    "limit_fen": "金额上限", "threshold_fen": "金额标准", "cert_status": "执法证状态", "cert_no": "执法证号",
    "reviewer_id": "审核人员", "kinds_outside": "超出范围的处罚种类", "added_kinds": "新增处罚种类",
    "excluded": "已排除", "default": "默认值", "window_days": "统计窗口（天）",
    "inspections_in_window": "窗口内检查次数", "last_inspection_id": "最近一次检查",
}
_UNITS: Final = {"WORKING_DAYS": "工作日", "DAYS": "自然日", "CALENDAR_DAYS": "自然日", "MONTHS": "月", "YEARS": "年",
                 "HOURS": "小时"}

#: case states (the cases subgraph's CaseState) as the evidence's `state` shows them: the case pages' names
_CASE_STATES: Final = CASE_STATES


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{_label(k)}：{_value(k, v)}" for k, v in value.items())
    if key.endswith("_fen"):
        return yuan(value)
    if key == "unit":
        return _UNITS.get(str(value), str(value))
    if key == "state":
        return f"{_CASE_STATES.get(str(value), str(value))}（{value}）"
    if key.endswith(("_on", "_due", "_start", "_to")) and isinstance(value, str):
        return china_date(value)
    if key.endswith("_at") and isinstance(value, str):
        return china_datetime(value)
    return str(value)


def _label(key: str) -> str:
    return _EVIDENCE_LABELS.get(key, key.replace("_", " "))


def evidence_facts(evidence: Any) -> list[tuple[str, str]]:
    """The rule's evidence as (label, value) pairs for a definition list, in the rule's order."""
    if not isinstance(evidence, dict):
        return [("证据", _value("", evidence))] if evidence not in (None, "") else []
    return [(_label(str(k)), _value(str(k), v)) for k, v in evidence.items()]


def history(alert: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The alert's lifecycle as the graph gives it: (when, what, note), in time order."""
    steps: list[tuple[str, str, str]] = [(alert.get("detectedAt") or "", "首次发现", "监督规则发现此问题")]
    if alert.get("acknowledgedAt"):
        steps.append((alert["acknowledgedAt"], "已签收", "监督人员签收，待整改"))
    if alert.get("rectifiedAt"):
        steps.append((alert["rectifiedAt"], "已整改", "记录整改完成"))
    if alert.get("dismissedAt"):
        steps.append((alert["dismissedAt"], "已驳回", alert.get("dismissReason") or ""))
    if alert.get("lastSeenAt") and alert.get("lastSeenAt") != alert.get("detectedAt"):
        steps.append((alert["lastSeenAt"], "最近发现", "仍存在" if alert.get("active") else "最近一次核查已不再发现"))
    return sorted(steps, key=lambda s: parse_instant(s[0]) or datetime.min.replace(tzinfo=UTC))
