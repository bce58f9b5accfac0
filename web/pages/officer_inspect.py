"""移动执法 · 现场检查: an inspection on site from the phone, and a finding that opens a case in one step.

    GET  /m/inspections/new?uscc=    the object (registry data through the graph), the body's enforcement items,
                                     a partner officer of the same body, 已出示执法证件
    POST /m/inspections/new          planInspection → assignInspectors → startInspection, each with a key derived
                                     from the form's own key, so a double tap or a retried post plans once
    GET  /m/inspections/{id}         the inspection; on site: the findings per check item and the result
    POST /m/inspections/{id}         the 现场检查笔录 rendered as PDF (web.documents), stored by its SM3
                                     (uploadFile), recordInspectionFindings (recordDocId sm3:<hash>), then
                                     closeInspection — for 立案 first registerClue (source INSPECTION, the object as
                                     the party) and closeInspection(clueCaseId): the phone lands on the new case

Roles as the rest of the app (officer.OFFICERS). Everything goes through the gateway with the officer's own
token and purpose INSPECTION; a malformed USCC is refused beside the field before the graph is asked.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from datetime import datetime, timedelta
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.documents import inspection_record_pdf
from web.formatting import CHINA
from web.graph import InputRefused
from web.pagekit import checked_form, graph, render, require
from web.pages.officer import CASE_ID, OFFICERS
from web.pages.officer_inspect_terms import (
    FINDING_RESULTS,
    MAX_FINDINGS,
    RESULTS,
    STATES,
    findings_of,
    inspection_items,
)
from web.sessions import Session
from web.uscc import problem

__all__ = ["ROUTES"]

log = logging.getLogger("web.officer.inspect")

PURPOSE: Final = "INSPECTION"
_KEY: Final = re.compile(r"^[0-9a-f]{32}$")


def _now() -> datetime:
    return datetime.now(CHINA).replace(microsecond=0)


def _submitted_at(checked_at: object) -> datetime:
    """Now, and always after the check began (the rule wants the submission later than the check, and a
    quick officer may finish within the second the check was started)."""
    now = datetime.now(CHINA)
    try:
        checked = datetime.fromisoformat(str(checked_at))
    except ValueError:
        return now
    return max(now, checked + timedelta(seconds=1))


def _key(base: str, step: str) -> str:
    return "insp-" + hashlib.sha256(f"{base}|{step}".encode()).hexdigest()[:40]


async def _start_data(request: Request, session: Session, uscc: str) -> dict[str, Any]:
    result = await graph(request).run("officer-inspect-start", {"uscc": uscc, "body": session.user.body_uscc or ""},
                                      token=session.token, purpose=PURPOSE)
    body = result.data.get("enforcementBody") or {}
    officers = [o for o in (result.data.get("searchOfficers") or {}).get("items") or []
                if o.get("id") != session.user.subject]
    items = inspection_items(body.get("itemCodes") or [], (result.data.get("enforcementItems") or {}).get("items"))
    return {"entity": result.data.get("legalEntity"), "body": body, "partners": officers, "items": items,
            "warnings": result.warnings}


async def new_form(request: Request) -> Response:
    session = require(request, OFFICERS)
    uscc = request.query_params.get("uscc", "").strip().upper()[:40]
    wrong = problem(uscc) if uscc else "请输入统一社会信用代码"
    if wrong is not None:
        log.info("inspection: refused a malformed USCC before asking the graph (sub=%s)", session.user.subject)
        return render(request, "mobile/lookup.html", {"tab": "lookup", "uscc": uscc, "errors": {"uscc": wrong},
                                                      "entity": None, "asked": True, "warnings": [], "states": {}},
                      session=session)
    context = await _start_data(request, session, uscc)
    context.update(tab="lookup", uscc=uscc, key=uuid.uuid4().hex, errors={}, values={})
    return render(request, "mobile/inspect_new.html", context, session=session)


async def new_post(request: Request) -> Response:
    session = require(request, OFFICERS)
    form = await checked_form(request, session)
    uscc = str(form.get("uscc") or "").strip().upper()[:40]
    key = str(form.get("key") or "")
    values = {name: str(form.get(name) or "") for name in ("item", "partner", "certificates", "place")}
    errors: dict[str, str] = {}
    wrong = problem(uscc)
    if wrong is not None:
        raise HTTPException(400, wrong)
    context = await _start_data(request, session, uscc)
    item = next((i for i in context["items"] if i["code"] == values["item"]), None)
    if item is None:
        errors["item"] = "请选择本机关的检查事项"
    if not values["partner"] or values["partner"] not in {o["id"] for o in context["partners"]}:
        errors["partner"] = "现场检查应由两名以上执法人员进行，请选择同行执法人员（《行政处罚法》第四十二条）"
    if not values["certificates"]:
        errors["certificates"] = "执法人员应当主动向当事人出示执法证件（《行政处罚法》第五十五条）"
    if not _KEY.match(key):
        key = uuid.uuid4().hex
    entity = context["entity"] or {}
    if not errors and item is not None:
        try:
            inspection_id = await _plan_and_start(request, session, key, uscc, entity, item, values,
                                                  str((context["body"] or {}).get("regionCode") or
                                                      session.user.region_code or ""))
        except InputRefused as exc:
            errors[_field_of(exc)] = _say(exc)
        else:
            return RedirectResponse(f"/m/inspections/{inspection_id}", status_code=303)
    context.update(tab="lookup", uscc=uscc, key=key, errors=errors, values=values)
    return render(request, "mobile/inspect_new.html", context, session=session)


async def _plan_and_start(request: Request, session: Session, key: str, uscc: str, entity: dict[str, Any],
                          item: dict[str, Any], values: dict[str, str], region: str) -> str:
    run = graph(request).run
    plan = {"bodyId": session.user.body_uscc, "itemCode": item["code"], "itemVersion": str(item["version"]),
            "regionCode": region, "objectName": entity.get("name") or uscc, "objectUscc": uscc}
    planned = (await run("officer-inspect-plan", {"input": plan, "key": _key(key, "plan")}, token=session.token,
                         purpose=PURPOSE, allow_partial=False)).data["planInspection"]
    inspection_id, version, state = str(planned["id"]), int(planned["version"]), str(planned["state"])
    if state == "PLANNED":  # a retried post finds the inspection already further on and skips what is done
        out = (await run("officer-inspect-assign", {
            "id": inspection_id, "v": version, "key": _key(key, "assign"),
            "input": {"officerIds": [session.user.subject, values["partner"]]}}, token=session.token,
            purpose=PURPOSE, allow_partial=False)).data["assignInspectors"]
        version, state = int(out["version"]), str(out["state"])
    if state == "ASSIGNED":
        await run("officer-inspect-begin", {"id": inspection_id, "v": version, "key": _key(key, "begin"),
                                            "input": {"certificatesShown": True}},
                  token=session.token, purpose=PURPOSE, allow_partial=False)
    log.info("inspection %s started on site by %s", inspection_id, session.user.subject)
    return inspection_id


def _field_of(exc: InputRefused) -> str:
    return "partner" if exc.rule == "inspection.two_certified_officers" else "form"


def _say(exc: InputRefused) -> str:
    article = exc.article or ""
    return f"{exc.message}{'（' + article + '）' if article and article not in exc.message else ''}"


async def _inspection(request: Request, session: Session, inspection_id: str) -> dict[str, Any] | None:
    if not CASE_ID.match(inspection_id):
        raise HTTPException(404)
    result = await graph(request).run("officer-inspect-view", {"id": inspection_id}, token=session.token,
                                      purpose=PURPOSE)
    found: dict[str, Any] | None = result.data.get("inspection")
    return found


async def view(request: Request) -> Response:
    session = require(request, OFFICERS)
    inspection = await _inspection(request, session, str(request.path_params["id"]))
    if inspection is None:
        raise HTTPException(404)
    return render(request, "mobile/inspect.html", _view_context(inspection, {}, {}), session=session)


def _view_context(inspection: dict[str, Any], values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    rows = values.get("findings") or [{"item": "", "result": "", "note": ""} for _ in range(3)]
    return {"tab": "work", "i": inspection, "state": STATES.get(str(inspection.get("state")), inspection.get("state")),
            "results": RESULTS, "finding_results": FINDING_RESULTS, "rows": rows, "values": values,
            "errors": errors, "max_rows": MAX_FINDINGS, "key": values.get("key") or uuid.uuid4().hex,
            "today": _now().date().isoformat()}


async def finish(request: Request) -> Response:
    session = require(request, OFFICERS)
    form = await checked_form(request, session)
    inspection = await _inspection(request, session, str(request.path_params["id"]))
    if inspection is None:
        raise HTTPException(404)
    findings, errors = findings_of(form)
    result = str(form.get("result") or "")
    due = str(form.get("rectification_due") or "")
    key = str(form.get("key") or "")
    key = key if _KEY.match(key) else uuid.uuid4().hex
    if result not in RESULTS:
        errors["result"] = "请选择检查结论"
    if result == "RECTIFY" and not due:
        errors["rectification_due"] = "责令整改须写明整改期限"
    if inspection.get("state") not in ("ON_SITE", "RESULT_RECORDED"):
        errors["form"] = f"本次检查当前状态为{STATES.get(str(inspection.get('state')), '')}，不能再记录结果"
    values = {"findings": findings or None, "result": result, "rectification_due": due, "key": key,
              "place": str(form.get("place") or "")[:100]}
    if errors:
        return render(request, "mobile/inspect.html", _view_context(inspection, values, errors), session=session)
    try:
        target = await _record_and_close(request, session, inspection, findings, values)
    except InputRefused as exc:
        log.info("inspection %s: the graph refused the result (%s)", inspection["id"], exc.code)
        return render(request, "mobile/inspect.html", _view_context(inspection, values, {"form": _say(exc)}),
                      session=session)
    return RedirectResponse(target, status_code=303)


async def _record_and_close(request: Request, session: Session, inspection: dict[str, Any],
                            findings: list[dict[str, str]], values: dict[str, Any]) -> str:
    run = graph(request).run
    iid, version, key = str(inspection["id"]), int(inspection["version"]), str(values["key"])
    if inspection.get("state") == "ON_SITE":
        record = inspection_record_pdf(
            {**inspection, "startedAt": inspection.get("checkedAt"), "bodyName": (inspection.get("body") or {}).get("name"),
             "place": values["place"], "result": RESULTS[values["result"]]},
            [{**f, "result": FINDING_RESULTS.get(f["result"], f["result"])} for f in findings],
            [str(o) for o in inspection.get("inspectors") or []])
        stored = (await run("officer-inspect-upload", {"content": base64.b64encode(record).decode()},
                            token=session.token, purpose=PURPOSE, allow_partial=False)).data["uploadFile"]
        out = (await run("officer-inspect-findings", {"id": iid, "v": version, "key": _key(key, "findings"), "input": {
            "result": values["result"], "recordDocId": stored["fileRef"],
            "submittedAt": _submitted_at(inspection.get("checkedAt")).isoformat()}},
            token=session.token, purpose=PURPOSE, allow_partial=False)).data["recordInspectionFindings"]
        version = int(out["version"])
        log.info("inspection %s: result %s, record %s", iid, values["result"], stored["sm3"][:12])
    close: dict[str, Any] = {}
    if values["result"] == "RECTIFY":
        close["rectificationDue"] = values["rectification_due"]
    case_id = None
    if values["result"] == "FILE_CASE":
        case_id = await _open_case(request, session, inspection, key)
        close["clueCaseId"] = case_id
    await run("officer-inspect-close", {"id": iid, "v": version, "key": _key(key, "close"), "input": close or None},
              token=session.token, purpose=PURPOSE, allow_partial=False)
    return f"/m/cases/{case_id}" if case_id else f"/m/inspections/{iid}"


async def _open_case(request: Request, session: Session, inspection: dict[str, Any], key: str) -> str:
    today = _now().date().isoformat()
    checked = str(inspection.get("checkedAt") or today)[:10]
    party: dict[str, Any] = {"partyType": "ORGANISATION", "name": inspection.get("objectName") or ""}
    if inspection.get("objectUscc"):
        party["uscc"] = inspection["objectUscc"]
    clue = {"bodyId": inspection["bodyUscc"], "itemCode": inspection["itemCode"],
            "itemVersion": str(inspection["itemVersion"]), "regionCode": inspection["regionCode"],
            "source": "INSPECTION", "parties": [party], "violation": {"start": checked}, "discoveredOn": checked}
    case = (await graph(request).run("officer-inspect-clue", {"input": clue, "key": _key(key, "clue")},
                                     token=session.token, purpose="CASE_HANDLING",
                                     allow_partial=False)).data["registerClue"]
    log.info("inspection %s opened case %s", inspection["id"], case["id"])
    return str(case["id"])


ROUTES = [
    Route("/m/inspections/new", new_form, methods=["GET"]),
    Route("/m/inspections/new", new_post, methods=["POST"]),
    Route("/m/inspections/{id}", view, methods=["GET"]),
    Route("/m/inspections/{id}", finish, methods=["POST"]),
]
