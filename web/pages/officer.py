"""移动执法: the officer's phone app under /m/ — an installable shell, 我的任务, a case on the phone,
and 查询 (an entity by USCC on site).

    GET /m/                       OFFICER, LEGAL_REVIEWER, BODY_HEAD: the cases the officer takes part in
                                  (a head or a reviewer with none: the body's cases), each a card with the
                                  nearest open deadline — red when overdue, yellow within 3 days
    GET /m/cases/{id}             the case on a phone: header, parties, deadlines, the record, next steps
    GET /m/lookup?uscc=           the entity's registry data, licences and past cases (purpose INSPECTION);
                                  a malformed code or a wrong check digit is refused beside the field,
                                  without asking the graph
    GET /m/sw.js                  the service worker (scope /m/), served from web/static/mobile/
    GET /m/manifest.webmanifest   the web app manifest

Supervisors, auditors and the public are refused (the 403 page): the app is an officer's tool; the
console is theirs. Every figure comes from the gateway with the officer's own token.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from web.graph import GraphError, InputRefused
from web.pagekit import graph, render, require
from web.pages import cases_terms as terms
from web.pages import cases_view as view
from web.pages import officer_steps as steps
from web.pages.officer_forms import legal_steps
from web.pages.officer_inspect_terms import STATES as INSPECTION_STATES
from web.sessions import Session
from web.uscc import problem

__all__ = ["CASE_ID", "OFFICERS", "ROUTES"]

log = logging.getLogger("web.officer")

OFFICERS: Final = frozenset({"OFFICER", "LEGAL_REVIEWER", "BODY_HEAD"})
WORK_SIZE: Final = 100
STATIC: Final = Path(__file__).resolve().parents[1] / "static" / "mobile"
#: what a case or inspection id in a path may look like (anything else is a 404 without asking the graph)
CASE_ID: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")


async def _item_names(request: Request, session: Session) -> dict[str, str]:
    try:
        result = await graph(request).run("cases-items", {}, token=session.token)
    except GraphError as exc:  # the cards show the item codes instead
        log.info("officer app: item names unavailable (%s)", exc.code)
        return {}
    return view.item_names(result.data)


async def _my_cases(request: Request, session: Session) -> tuple[list[dict[str, Any]], list[str], bool]:
    """(cases, warnings, whether they are the body's rather than the officer's own)."""
    result = await graph(request).run("officer-work", {"id": session.user.subject, "first": WORK_SIZE},
                                      token=session.token, purpose="CASE_HANDLING")
    officer = result.data.get("officer") or {}
    cases = list((officer.get("cases") or {}).get("items") or [])
    body = session.user.body_uscc
    if cases or not body or not session.user.has_any({"BODY_HEAD", "LEGAL_REVIEWER"}):
        return cases, result.warnings, False
    result = await graph(request).run("officer-body-work", {"body": body, "first": WORK_SIZE},
                                      token=session.token, purpose="CASE_HANDLING")
    return list((result.data.get("penaltyCases") or {}).get("items") or []), result.warnings, True


async def _my_inspections(request: Request, session: Session) -> list[dict[str, Any]]:
    """The body's unfinished inspections the officer is one of the inspectors of (today's checks)."""
    if not session.user.body_uscc:
        return []
    try:
        result = await graph(request).run("officer-inspect-list", {"body": session.user.body_uscc},
                                          token=session.token, purpose="INSPECTION")
    except GraphError as exc:  # my work still shows the cases
        log.info("officer app: inspections unavailable (%s)", exc.code)
        return []
    mine = [i for i in (result.data.get("inspections") or {}).get("items") or []
            if session.user.subject in (i.get("inspectors") or []) or i.get("state") == "PLANNED"]
    return [{**i, "state_name": INSPECTION_STATES.get(str(i.get("state")), i.get("state"))} for i in mine]


async def my_work(request: Request) -> Response:
    session = require(request, OFFICERS)
    cases, warnings, of_body = await _my_cases(request, session)
    cards = steps.work_cards(cases, await _item_names(request, session), view.today_china())
    return render(request, "mobile/work.html", {
        "cards": cards, "warnings": warnings, "of_body": of_body, "tab": "work",
        "inspections": await _my_inspections(request, session),
        "overdue": sum(1 for c in cards if c["tone"] == "red"), "soon": sum(1 for c in cards if c["tone"] == "yellow"),
    }, session=session)


async def case_view(request: Request) -> Response:
    session = require(request, OFFICERS)
    case_id = str(request.path_params["case_id"])
    if not CASE_ID.match(case_id):
        raise HTTPException(404)
    result = await graph(request).run("officer-case", {"id": case_id}, token=session.token,
                                      purpose="CASE_HANDLING", purpose_ref=f"case:{case_id}")
    case = result.data.get("penaltyCase")
    if case is None:
        return render(request, "mobile/missing.html", {"case_id": case_id, "tab": "work"}, status=404,
                      session=session)
    today = view.today_china()
    items = await _item_names(request, session)
    return render(request, "mobile/case.html", {
        "case": case, "tab": "work", "warnings": result.warnings,
        "state": terms.name(terms.STATES, case.get("status")),
        "procedure": terms.name(terms.PROCEDURES, case.get("procedure")),
        "item": items.get(str(case.get("itemCode"))) or case.get("itemCode"),
        "deadlines": view.deadline_rows(case, today), "open": steps.open_deadlines(case, today),
        "timeline": view.timeline(case, None), "steps": steps.next_steps(case.get("status")),
        "officers": view.officer_rows(case), "days_text": steps.days_text,
        "legal": legal_steps(case.get("status"), session.user.roles),
    }, session=session)


async def lookup(request: Request) -> Response:
    session = require(request, OFFICERS)
    raw = request.query_params.get("uscc", "")
    uscc = raw.strip().upper()[:40]
    context: dict[str, Any] = {"tab": "lookup", "uscc": uscc, "errors": {}, "entity": None, "asked": bool(uscc),
                               "warnings": [], "states": terms.STATES}
    if not uscc:
        return render(request, "mobile/lookup.html", context, session=session)
    wrong = problem(uscc)
    if wrong is not None:
        log.info("officer lookup: refused a malformed USCC before asking the graph (sub=%s)", session.user.subject)
        context["errors"] = {"uscc": wrong}
        return render(request, "mobile/lookup.html", context, session=session)
    try:
        result = await graph(request).run("officer-lookup", {"uscc": uscc}, token=session.token, purpose="INSPECTION")
    except InputRefused as exc:
        context["errors"] = {"uscc": exc.message}
        return render(request, "mobile/lookup.html", context, session=session)
    context.update(entity=result.data.get("legalEntity"), warnings=result.warnings)
    return render(request, "mobile/lookup.html", context, session=session)


async def service_worker(_: Request) -> Response:
    return FileResponse(STATIC / "sw.js", media_type="text/javascript; charset=utf-8",
                        headers={"cache-control": "no-cache", "service-worker-allowed": "/m/"})


async def manifest(_: Request) -> Response:
    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json",
                        headers={"cache-control": "no-cache"})


ROUTES = [
    Route("/m/", my_work, methods=["GET"]),
    Route("/m/cases/{case_id}", case_view, methods=["GET"]),
    Route("/m/lookup", lookup, methods=["GET"]),
    Route("/m/sw.js", service_worker, methods=["GET"]),
    Route("/m/manifest.webmanifest", manifest, methods=["GET"]),
]
