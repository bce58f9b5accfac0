"""监督工作台 — the dashboard (SUPERVISOR, BODY_HEAD): headline figures, the three-level tree, charts.

Everything comes from the gateway with the user's token and the purpose SUPERVISION: the body
register (`dashboard-bodies`) and, under the filter of the GET form, the figures (`dashboard-figures`).
The graph scopes the rows — a body head's figures are the own body's — and the page says whose
figures they are. A bad filter field gets its message beside it and the page shows the unfiltered
figures; so does a filter the graph refuses (its message beside the field it names).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.dashboard.charts import build_charts
from web.dashboard.filters import (
    LEVEL_NAMES,
    Filters,
    parse_filters,
    refusal_field,
    region_name,
    region_prefix,
)
from web.dashboard.tree import build_tree
from web.graph import InputRefused, Result
from web.pagekit import graph, render, require
from web.roles import SUPERVISION
from web.sessions import Session

log = logging.getLogger("web.dashboard")

PURPOSE: Final = "SUPERVISION"
MAX_BODY_PAGES: Final = 20  # 20 000 bodies: far more than a city has; the loop is bounded


async def _bodies(request: Request, session: Session) -> tuple[dict[str, dict[str, Any]], list[str]]:
    bodies: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    after: str | None = None
    for _ in range(MAX_BODY_PAGES):
        result = await graph(request).run("dashboard-bodies", {"after": after}, token=session.token, purpose=PURPOSE)
        warnings += result.warnings
        page = result.data.get("searchEnforcementBodies") or {}
        for body in page.get("items") or []:
            bodies[str(body["uscc"])] = body
        after = page.get("nextCursor")
        if not after:
            break
    return bodies, warnings


def _input_error(result: Result) -> tuple[str, str | None] | None:
    """The first refusal of an entered value among a partial answer's errors (message, field)."""
    for error in result.errors:
        ext = error.get("extensions") if isinstance(error.get("extensions"), dict) else {}
        if ext and ext.get("code") == "BAD_USER_INPUT":
            field = ext.get("field")
            return str(error.get("message", "")), field if isinstance(field, str) else None
    return None


async def _item_names(request: Request, session: Session) -> tuple[dict[str, str], list[str]]:
    """Item code -> name (of its latest version); an item the catalogue does not answer keeps its code."""
    names: dict[str, tuple[int, str]] = {}
    warnings: list[str] = []
    after: str | None = None
    for _ in range(MAX_BODY_PAGES):
        result = await graph(request).run("dashboard-items", {"after": after}, token=session.token, purpose=PURPOSE)
        warnings += result.warnings
        page = result.data.get("enforcementItems") or {}
        for item in page.get("items") or []:
            version = int(item.get("version") or 0)
            if version >= names.get(str(item["code"]), (-1, ""))[0]:
                names[str(item["code"])] = (version, str(item.get("name") or item["code"]))
        after = page.get("nextCursor")
        if not after:
            break
    return {code: name for code, (_, name) in names.items()}, warnings


async def _figures(request: Request, session: Session, flt: Filters) -> Result:
    """The figures under the filter; a filter the graph refuses goes beside its field, figures unfiltered."""
    variables = {"filter": flt.graph_filter()}
    try:
        result = await graph(request).run("dashboard-figures", variables, token=session.token, purpose=PURPOSE)
        refusal = _input_error(result) if variables["filter"] is not None else None
    except InputRefused as refused:
        if variables["filter"] is None:
            raise
        refusal = (refused.message, refused.field)
    if refusal is None:
        return result
    # say a period over ten years: the graph's message beside the field it names, then no filter
    message, field = refusal
    log.info("dashboard filter refused by the graph (%s)", field)
    flt.errors[refusal_field(field)] = f"统一数据服务未接受此条件：{message}"
    flt.refused = True
    return await graph(request).run("dashboard-figures", {"filter": None}, token=session.token, purpose=PURPOSE)


def _headline(data: Mapping[str, Any]) -> dict[str, Any]:
    status = data.get("status") or []
    rules = data.get("rules") or []
    rates = data.get("rates") or []
    rated = sum(int(r["cases"]) for r in rates)
    on_time = sum(float(r["decisionOnTimeRate"]) * int(r["cases"]) for r in rates)
    return {
        "cases": sum(int(g["cases"]) for g in status),
        "decided": sum(int(g["decided"]) for g in status),
        # the case list takes several states: those the decided cases are in
        "decided_states": ",".join(sorted(str(g["key"]) for g in status if int(g["decided"]) > 0)),
        "fines_fen": sum(int(g["fineTotalFen"]) for g in status),
        "on_time_rate": on_time / rated if rated else None,
        "alerts": sum(int(r["alerts"]) for r in rules),
        "red_alerts": sum(int(r["alerts"]) for r in rules if r["severity"] == "RED"),
    }


def _keeper(flt: Filters, session: Session) -> Callable[[Mapping[str, Any]], bool]:
    applied = flt.applied
    supervisor = session.user.has_any({"SUPERVISOR"})
    head_body = session.user.body_uscc if not supervisor else None
    # a supervisor sees the bodies of the own area (a county's supervisor: the county's), as the graph does
    area = region_prefix(session.user.region_code) if supervisor and session.user.region_code else None

    def keep(body: Mapping[str, Any]) -> bool:
        if head_body is not None and body.get("uscc") != head_body:
            return False
        if area is not None and not str(body.get("regionCode") or "").startswith(area):
            return False
        if applied.get("level") and body.get("level") != applied["level"]:
            return False
        if applied.get("region") and not str(body.get("regionCode") or "").startswith(region_prefix(applied["region"])):
            return False
        return not (applied.get("body") and body.get("uscc") != applied["body"])

    return keep


def _filter_text(flt: Filters, bodies: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The filter in force, in words (above the figures)."""
    applied = flt.applied
    parts = []
    if applied.get("level"):
        parts.append(LEVEL_NAMES[applied["level"]])
    if applied.get("region"):
        parts.append(region_name(applied["region"]))
    if applied.get("body"):
        parts.append(str(bodies[applied["body"]].get("name")))
    if applied.get("from") or applied.get("to"):
        parts.append(f"期间 {applied.get('from') or '…'} 至 {applied.get('to') or '…'}（案件按立案日期，按月决定数与处罚种类按决定日期，"
                     "预警按发现日期）")
    return parts


def _whose(session: Session, bodies: Mapping[str, Mapping[str, Any]]) -> str:
    user = session.user
    if user.has_any({"SUPERVISOR"}):
        return f"{region_name(user.region_code or '445100')}范围内各执法主体的数据"
    body = bodies.get(user.body_uscc or "")
    name = body.get("name") if body else (user.body_uscc or "本机关")
    return f"本机关（{name}）的数据：执法机关负责人仅能查看本机关的案件、预警与统计"


async def dashboard(request: Request) -> Response:
    session = require(request, SUPERVISION)
    (bodies, warnings), (items, item_warnings) = await asyncio.gather(_bodies(request, session),
                                                                      _item_names(request, session))
    warnings += item_warnings
    regions = {"445100"} | {str(b.get("regionCode")) for b in bodies.values() if b.get("regionCode")}
    flt = parse_filters(request.query_params, bodies, regions)
    if flt.errors:
        log.info("dashboard filter refused: %s", ",".join(sorted(flt.errors)))
    result = await _figures(request, session, flt)
    warnings += result.warnings
    data = result.data
    rates = {str(r["bodyId"]): r for r in data.get("rates") or []}
    tree = build_tree(bodies.values(), rates, keep=_keeper(flt, session))
    names = {k: str(b.get("shortName") or b.get("name") or k) for k, b in bodies.items()}
    charts = build_charts(data, names, flt, items)
    body_options = sorted(bodies.values(), key=lambda b: (list(LEVEL_NAMES).index(b["level"])
                                                          if b.get("level") in LEVEL_NAMES else 9,
                                                          str(b.get("regionCode")), str(b.get("name"))))
    warnings = list(dict.fromkeys(w for w in warnings if w))  # one line per distinct message
    return render(request, "dashboard/page.html", {
        "flt": flt, "headline": _headline(data), "tree": tree, "charts": charts, "warnings": warnings,
        "whose": _whose(session, bodies), "level_names": LEVEL_NAMES, "filter_text": _filter_text(flt, bodies),
        "regions": [(code, region_name(code)) for code in sorted(regions)],
        "body_options": body_options, "supervisor": session.user.has_any({"SUPERVISOR"}),
        "chart_data": {key: {k: v for k, v in spec.items() if k != "rows"} for key, spec in charts.items()},
    }, session=session)


ROUTES = [Route("/dashboard", dashboard, methods=["GET"])]
