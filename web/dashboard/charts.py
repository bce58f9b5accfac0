"""The dashboard's charts as plain data: what dashboard.js draws with ECharts, and the same figures as
tables (for screen readers and for anyone who prefers numbers). Each bar carries the address of the
list behind it, so a click on it opens that list.

A chart spec: ``{"title", "unit", "horizontal", "stack", "categories": [...], "series": [{"name",
"color", "data": [...], "links": [...]}]}`` — `links[i]` is where bar i goes (None: nowhere).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from typing import Any, Final

from web.dashboard.filters import LEVEL_NAMES, Filters
from web.formatting import wan_yuan

__all__ = ["PENALTY_KIND_NAMES", "SEVERITY_NAMES", "build_charts"]

PENALTY_KIND_NAMES: Final = {
    "WARNING": "警告", "PUBLIC_CRITICISM": "通报批评", "FINE": "罚款", "CONFISCATE_GAINS": "没收违法所得",
    "CONFISCATE_PROPERTY": "没收非法财物", "SUSPEND_LICENCE": "暂扣许可证件", "DOWNGRADE_QUALIFICATION": "降低资质等级",
    "REVOKE_LICENCE": "吊销许可证件", "RESTRICT_PRODUCTION": "限制开展生产经营活动", "ORDER_SUSPEND": "责令停产停业",
    "ORDER_CLOSE": "责令关闭", "RESTRICT_EMPLOYMENT": "限制从业", "DETENTION": "行政拘留", "NONE": "未作处罚决定",
}
SEVERITY_NAMES: Final = {"RED": "红色预警", "YELLOW": "黄色预警", "INFO": "提示"}
_SEVERITY_COLORS: Final = {"RED": "#c0392b", "YELLOW": "#d4a017", "INFO": "#2f6fb2"}
_MONTH_OUTSIDE: Final = {"NOT_FILED", "UNDECIDED"}
#: at most this many bodies in the on-time chart (the lowest rates first); the table lists them all
MAX_RATE_BARS: Final = 40


def _groups(rows: Iterable[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    return {str(r["key"]): r for r in rows or []}


def _month_span(month: str) -> tuple[str, str]:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{month}-01", f"{month}-{calendar.monthrange(year, mon)[1]:02d}"


def _months(filed: dict[str, Mapping[str, Any]], decided: dict[str, Mapping[str, Any]], flt: Filters) -> dict[str, Any]:
    months = sorted((set(filed) | set(decided)) - _MONTH_OUTSIDE)
    links = []
    for m in months:
        start, end = _month_span(m)
        links.append(flt.link("/cases", from_=start, to=end))
    return {"title": "案件数（按月）", "unit": "件", "categories": months, "series": [
        {"name": "立案", "color": "#2f6fb2", "data": [int(filed[m]["cases"]) if m in filed else 0 for m in months],
         "links": links},
        # the case list's period is of the filing date: a month's decided cases have no list of their own
        {"name": "作出决定", "color": "#2e8b57", "data": [int(decided[m]["cases"]) if m in decided else 0 for m in months],
         "links": [None for _ in months]},
    ], "notes": [f"尚未立案 {int(filed['NOT_FILED']['cases'])} 件" if "NOT_FILED" in filed else "",
                 f"尚未决定 {int(decided['UNDECIDED']['cases'])} 件" if "UNDECIDED" in decided else ""]}


def _items(items: dict[str, Mapping[str, Any]], flt: Filters, item_names: Mapping[str, str]) -> dict[str, Any]:
    order = sorted(items, key=lambda k: (-int(items[k]["cases"]), k))
    return {"title": "案件数（按执法事项）", "unit": "件", "horizontal": True,
            "categories": [item_names.get(k, k) for k in order], "codes": order, "series": [
        {"name": "案件数", "color": "#2f6fb2", "data": [int(items[k]["cases"]) for k in order],
         "links": [flt.link("/cases", item=k) for k in order]}]}


def _kinds(kinds: dict[str, Mapping[str, Any]]) -> dict[str, Any]:
    order = sorted(kinds, key=lambda k: (k == "NONE", -int(kinds[k]["cases"]), k))
    return {"title": "案件数（按处罚种类）", "unit": "件", "categories": [PENALTY_KIND_NAMES.get(k, k) for k in order],
            "series": [{"name": "案件数", "color": "#7b5ea7", "data": [int(kinds[k]["cases"]) for k in order],
                        "links": [None for _ in order]}]}


def _rates(rates: list[Mapping[str, Any]], names: Mapping[str, str], flt: Filters) -> dict[str, Any]:
    with_cases = [r for r in rates if int(r.get("cases") or 0) > 0]
    order = sorted(with_cases, key=lambda r: (float(r["decisionOnTimeRate"]), -int(r["cases"]), str(r["bodyId"])))
    shown = order[:MAX_RATE_BARS]
    return {"title": "按期决定率（按执法主体，由低到高）", "unit": "%", "horizontal": True, "max": 100,
            "label": True,
            "categories": [f'{names.get(str(r["bodyId"]), str(r["bodyId"]))}（{int(r["cases"])}件）' for r in shown],
            "series": [{"name": "按期决定率", "color": "#2e8b57",
                        "data": [round(float(r["decisionOnTimeRate"]) * 100, 1) for r in shown],
                        "links": [flt.link("/alerts", rule="S02", body=str(r["bodyId"]), region=None)
                                  for r in shown]}],
            "rows": [(names.get(str(r["bodyId"]), str(r["bodyId"])), int(r["cases"]), float(r["decisionOnTimeRate"]),
                      flt.link("/cases", body=str(r["bodyId"]), region=None)) for r in order]}


def _rules(rules: list[Mapping[str, Any]], flt: Filters) -> dict[str, Any]:
    ids = sorted({str(r["ruleId"]) for r in rules}, key=lambda r: (len(r.rstrip("abcdefgh")), r))
    severities = [s for s in SEVERITY_NAMES if any(r["severity"] == s for r in rules)]
    count = {(str(r["ruleId"]), str(r["severity"])): int(r["alerts"]) for r in rules}
    series = [{"name": SEVERITY_NAMES[s], "color": _SEVERITY_COLORS[s],
               "data": [count.get((rule, s), 0) for rule in ids],
               "links": [flt.link("/alerts", rule=rule, severity=s, from_=None, to=None) for rule in ids]}
              for s in severities]
    return {"title": "预警数（按监督规则、等级）", "unit": "条", "stack": True, "categories": ids, "series": series}


def _fines(levels: dict[str, Mapping[str, Any]], flt: Filters) -> dict[str, Any]:
    order = [k for k in (*LEVEL_NAMES, *sorted(set(levels) - set(LEVEL_NAMES))) if k in levels]
    return {"title": "罚款金额（按层级，万元）", "unit": "万元", "categories": [LEVEL_NAMES.get(k, "未登记主体") for k in order],
            "series": [{"name": "罚款金额", "color": "#b8860b",
                        "data": [wan_yuan(levels[k]["fineTotalFen"]) for k in order],
                        "links": [flt.here(level=k) if k in LEVEL_NAMES else None for k in order]}],
            "fen": [str(levels[k]["fineTotalFen"]) for k in order], "cases": [int(levels[k]["cases"]) for k in order]}


def build_charts(data: Mapping[str, Any], names: Mapping[str, str], flt: Filters,
                 item_names: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Every chart of the page from the figures query's answer (a missing part: an empty chart)."""
    charts = {
        "months": _months(_groups(data.get("filed")), _groups(data.get("decided")), flt),
        "items": _items(_groups(data.get("item")), flt, item_names or {}),
        "kinds": _kinds(_groups(data.get("kind"))),
        "rates": _rates(list(data.get("rates") or []), names, flt),
        "rules": _rules(list(data.get("rules") or []), flt),
        "fines": _fines(_groups(data.get("level")), flt),
    }
    for spec in charts.values():
        zero_is_a_figure = spec is charts["rates"]  # a body decided nothing on time: 0 %, still a bar
        spec["empty"] = not spec["categories"] or not (zero_is_a_figure or any(any(s["data"]) for s in spec["series"]))
    return charts
