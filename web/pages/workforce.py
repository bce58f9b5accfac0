"""队伍管理: the workforce per body (`/workforce`) and one body's officers (`/workforce/<uscc>`).

SUPERVISOR and BODY_HEAD. The overview's figures need the supervision scopes (`statistics:read` or
`supervision:read`); a body head the graph refuses them to is taken to the own body's page, which
reads the personnel register (open to every signed-in role) and adds the per-officer training hours
and case activity where the graph gives them. Filters are GET parameters; a value that is not valid
gets a message beside its field and is left out. The CSV/XLSX exports (`workforce_export`) are
routed here, ahead of `/workforce/<uscc>`, so that `export.csv` is never taken for a USCC.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.graph import InputRefused, Refused, Result
from web.pagekit import graph, render, require
from web.pages.workforce_export import EXPORT_ROUTES
from web.roles import SUPERVISION
from web.sessions import Session
from web.workforce_figures import (
    PURPOSE,
    USCC_PATTERN,
    WINDOWS,
    Filters,
    china_today,
    overview,
    page_words,
    parse_filters,
)

log = logging.getLogger("web.workforce")

CERT_TYPES = {"GD_ADMIN": "广东省行政执法证", "NATIONAL_SECTOR": "国务院部门行政执法证", "SUPERVISION": "行政执法监督证"}
CERT_STATUS = {"ACTIVE": "有效", "EXPIRED": "过期", "SUSPENDED": "暂扣", "REVOKED": "吊销", "CANCELLED": "注销",
               "LOST": "挂失"}
_REFUSED = frozenset({"UNAUTHORIZED_FIELD_OR_TYPE", "FORBIDDEN"})
HIGHLIGHT_DAYS = 90


def _graph_field(exc: InputRefused) -> str:
    """The filter a refused value belongs to (the graph names the argument in its message)."""
    text = f"{exc.field or ''} {exc.message}"
    return "trainingYear" if "trainingYear" in text or "year" in text.lower() else "asOf"


async def workforce(request: Request) -> Response:
    session = require(request, SUPERVISION)
    filters = parse_filters(request.query_params)
    try:
        figures = await overview(request, session, filters)
    except Refused:
        if session.user.body_uscc and "SUPERVISOR" not in session.user.roles:
            return RedirectResponse(f"/workforce/{session.user.body_uscc}", status_code=303)
        raise
    except InputRefused as exc:
        filters.errors[_graph_field(exc)] = exc.message
        log.info("workforce filters refused by the graph: %s", exc.code)
        return render(request, "workforce/overview.html", {"filters": filters, "figures": None, **page_words()},
                      status=400)
    status = 400 if filters.errors else 200
    return render(request, "workforce/overview.html", {"filters": filters, "figures": figures, **page_words()},
                  status=status)


@dataclass
class CertificateView:
    cert_no: str
    kind: str
    valid_to: str
    status: str
    days_left: int | None  # days until validTo for an ACTIVE certificate ending within the highlight window


@dataclass
class OfficerView:
    id: str
    name: str
    post: str
    status: str
    legal_reviewer: bool
    qualified: bool
    certificates: list[CertificateView] = field(default_factory=list)
    activity: dict[str, Any] | None = None

    @property
    def expiring_soon(self) -> bool:
        return any(c.days_left is not None for c in self.certificates)


def _certificate(raw: dict[str, Any], as_of: date) -> CertificateView:
    ends = date.fromisoformat(str(raw["validTo"]))
    days = (ends - as_of).days
    soon = raw.get("status") == "ACTIVE" and 0 <= days <= HIGHLIGHT_DAYS
    return CertificateView(cert_no=str(raw["certNo"]), kind=CERT_TYPES.get(str(raw["certType"]), str(raw["certType"])),
                           valid_to=ends.isoformat(), status=CERT_STATUS.get(str(raw["status"]), str(raw["status"])),
                           days_left=days if soon else None)


async def _activity(request: Request, session: Session, uscc: str, filters: Filters
                    ) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    """Per-officer training hours and case activity, or None with why (a role the graph refuses them to)."""
    variables = {"bodyId": uscc, **filters.variables()}
    try:
        result: Result = await graph(request).run("workforce-officer-activity", variables, token=session.token,
                                                  purpose=PURPOSE)
    except Refused:
        return None, "培训学时与办案情况仅向执法监督人员提供。"
    rows = result.data.get("supervisionOfficerActivity")
    if rows is None:
        codes = {str((e.get("extensions") or {}).get("code", "")) for e in result.errors}
        return None, "培训学时与办案情况仅向执法监督人员提供。" if codes & _REFUSED else "培训学时与办案情况暂时无法获取。"
    return {str(r["officerId"]): r for r in rows}, None


async def body(request: Request) -> Response:
    uscc = request.path_params["uscc"]
    session = require(request, SUPERVISION)
    if not USCC_PATTERN.fullmatch(uscc):
        raise HTTPException(404)
    filters = parse_filters(request.query_params)
    result = await graph(request).run("workforce-body", {"uscc": uscc}, token=session.token, purpose=PURPOSE)
    found = result.data.get("enforcementBody")
    if not found:
        raise HTTPException(404)
    note: str | None = None
    activity: dict[str, dict[str, Any]] | None = None
    try:
        activity, note = await _activity(request, session, uscc, filters)
    except InputRefused as exc:
        filters.errors[_graph_field(exc)] = exc.message
    as_of = filters.as_of or china_today()
    officers = [OfficerView(id=str(o["id"]), name=str(o["name"]), post=str(o.get("post") or "—"),
                            status=str(o["status"]), legal_reviewer=bool(o.get("isLegalReviewer")),
                            qualified=bool(o.get("hasLegalQualification")),
                            certificates=[_certificate(c, as_of) for c in o.get("certificates") or []],
                            activity=activity.get(str(o["id"])) if activity is not None else None)
                for o in found.get("officers") or []]
    certs = [c for o in officers for c in o.certificates]
    summary = {
        "listed": len(officers),
        "active": sum(o.status == "ACTIVE" for o in officers),
        "reviewers": sum(o.legal_reviewer and o.status == "ACTIVE" for o in officers),
        "expiring": {d: sum(c.days_left is not None and c.days_left <= d for c in certs) for d in WINDOWS},
        "inactive": sum(bool(o.activity and o.activity.get("inactive")) for o in officers) if activity else None,
        "below": sum(bool(o.activity and o.activity.get("belowTrainingTarget")) for o in officers
                     if o.status == "ACTIVE") if activity else None,
    }
    year = filters.training_year or as_of.year - 1
    context = {"body": found, "officers": officers, "summary": summary, "filters": filters, "note": note,
               "as_of": as_of, "until": as_of + timedelta(days=HIGHLIGHT_DAYS), "training_year": year,
               "cert_count": len(certs), "graph_warnings": result.warnings, **page_words()}
    return render(request, "workforce/body.html", context, status=400 if filters.errors else 200)


ROUTES = [
    Route("/workforce", workforce, methods=["GET"]),
    *EXPORT_ROUTES,
    Route("/workforce/{uscc}", body, methods=["GET"]),
]
