"""The case list's filters: GET parameters (the names the dashboard links with) -> a `CaseFilter`.

    body    USCC of the handling body           bodies: [body]
    region  region code (2, 4, 6, 9, 12 digits) region
    status  a CaseState (repeatable, or a1,a2)  statuses
    item    enforcement item code               items: [item]
    from/to filing dates, 2026-10-30            filed: {from, to}
    q       part of the case number             caseNo
    sort    a column key, "-" for descending    orderBy

A value that cannot be used is left out of the filter and reported for its field, so the page shows
the message beside the field and the list without that condition (never an error page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from starlette.datastructures import QueryParams
from starlette.routing import BaseRoute

from web.pages.cases_terms import STATES

ROUTES: list[BaseRoute] = []  # a helper of web/pages/cases.py: no pages of its own

_USCC: Final = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ITEM: Final = re.compile(r"^[0-9A-Z][0-9A-Z-]{2,39}$")
_REGION_LENGTHS: Final = (2, 4, 6, 9, 12)
MAX_TEXT: Final = 40

#: sortable columns: parameter value -> CaseOrderField
SORTS: Final = {"no": "CASE_NO", "body": "BODY", "item": "ITEM", "status": "STATUS", "filed": "FILED_ON",
                "decided": "DECIDED_ON", "fine": "FINE"}
DEFAULT_SORT: Final = "-filed"
FILTER_NAMES: Final = ("body", "region", "status", "item", "from", "to", "q")


@dataclass
class CaseQuery:
    """What the list asks the graph for, the values to show back in the form, and the refusals."""

    filter: dict[str, Any] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    sort: str = DEFAULT_SORT

    @property
    def order_by(self) -> list[dict[str, str]]:
        key = self.sort.lstrip("-")
        return [{"field": SORTS[key], "direction": "DESC" if self.sort.startswith("-") else "ASC"}]

    def link(self, **changes: str | None) -> str:
        """The list's address with these parameters changed (None removes one); the cursor is dropped."""
        params: list[tuple[str, str]] = [(k, v) for k, v in self.values.items() if v and k not in changes]
        params += [("status", s) for s in self.statuses if "status" not in changes]
        if "sort" not in changes and self.sort != DEFAULT_SORT:
            params.append(("sort", self.sort))
        params += [(k, v) for k, v in changes.items() if v]
        return "/cases" + ("?" + str(QueryParams(params)) if params else "")


def _text(params: QueryParams, name: str) -> str:
    return (params.get(name) or "").strip()


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse(params: QueryParams) -> CaseQuery:
    """The filter of the list's GET parameters; bad values land in `errors`, not in the filter."""
    out = CaseQuery()
    for name in FILTER_NAMES:
        if name != "status":
            out.values[name] = _text(params, name)[:200]
    body = out.values["body"].upper()
    if body:
        if _USCC.match(body):
            out.filter["bodies"] = [body]
            out.values["body"] = body
        else:
            out.errors["body"] = "统一社会信用代码应为 18 位数字或大写字母"
    region = out.values["region"]
    if region:
        if region.isdigit() and len(region) in _REGION_LENGTHS:
            out.filter["region"] = region
        else:
            out.errors["region"] = "行政区划代码应为 2、4、6、9 或 12 位数字"
    _statuses(params, out)
    item = out.values["item"].upper()
    if item:
        if _ITEM.match(item):
            out.filter["items"] = [item]
            out.values["item"] = item
        else:
            out.errors["item"] = "执法事项编码格式不正确（如 440000-CG-0006）"
    _filed(out)
    text = out.values["q"]
    if text:
        if 3 <= len(text) <= MAX_TEXT:
            out.filter["caseNo"] = text
        else:
            out.errors["q"] = f"请输入 3 至 {MAX_TEXT} 个字符的案件编号"
    sort = _text(params, "sort")
    if sort:
        if sort.lstrip("-") in SORTS and sort.count("-") <= 1:
            out.sort = sort
        else:
            out.errors["sort"] = "不支持的排序方式，已按立案日期排序"
    return out


def _statuses(params: QueryParams, out: CaseQuery) -> None:
    wanted = [s.strip().upper() for raw in params.getlist("status") for s in raw.split(",") if s.strip()]
    known = [s for s in dict.fromkeys(wanted) if s in STATES]
    if len(known) < len(wanted):
        out.errors["status"] = "案件状态不在可选范围内"
    if known:
        out.statuses = known
        out.filter["statuses"] = known


def _filed(out: CaseQuery) -> None:
    start, end = out.values["from"], out.values["to"]
    first, last = _day(start) if start else None, _day(end) if end else None
    if start and first is None:
        out.errors["from"] = "日期格式应为 2026-10-30"
    if end and last is None:
        out.errors["to"] = "日期格式应为 2026-10-30"
    if first is not None and last is not None and first > last:
        out.errors["to"] = "截止日期不能早于起始日期"
        last = None
    if first is not None or last is not None:
        out.filter["filed"] = {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None}
