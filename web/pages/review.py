"""Case-file review (案卷评查): campaigns, the stratified sample, score sheets, grades, rectification.

    GET  /review                         SUPERVISOR: campaigns; LEGAL_REVIEWER: my assignments
    GET  /review/new, POST /review       SUPERVISOR: create a campaign (303 to its page)
    GET  /review/{campaign}              the sample by body, reviewers with recusal, status, grades
    GET  /review/{campaign}/{case}       the score sheet (automatic checks pre-filled)
    POST /review/{campaign}/{case}       LEGAL_REVIEWER: score as the signed-in reviewer
    POST /review/{campaign}/{case}/rectified   SUPERVISOR: a failed file's rectification is done

Supervisors read campaigns (`supervision:read`); reviewers hold only `cases:review` and read their own
assignments (`myReviewAssignments`). Grades are the graph's: the page never computes one. A refused
form comes back as the same page (200, so a browser logs no error) with the message beside the field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.formatting import CHINA
from web.graph import InputRefused
from web.pagekit import checked_form, graph, render, require
from web.review_forms import VETOES, campaign_form, score_form
from web.sessions import Session

SUPERVISOR = frozenset({"SUPERVISOR"})
REVIEWER = frozenset({"LEGAL_REVIEWER"})
EITHER = SUPERVISOR | REVIEWER
PURPOSE = "SUPERVISION"
REVIEW_PURPOSE = "CASE_FILE_REVIEW"
CAMPAIGN_FIELDS = ("name", "seed", "perBody", "reviewersPerCase", "dueOn", "bodyIds", "closedFrom", "closedTo")


def _today() -> Any:
    return datetime.now(CHINA).date()


def _is_supervisor(session: Session) -> bool:
    return session.user.has_any(SUPERVISOR)


async def _directory(request: Request, session: Session) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Body names by USCC and legal reviewers by officer id ({name, bodyUscc}); what the graph gives."""
    result = await graph(request).run("review-directory", token=session.token, purpose=PURPOSE)
    bodies = {b["uscc"]: b["name"] for b in ((result.data.get("searchEnforcementBodies") or {}).get("items") or [])}
    officers = {o["id"]: o for o in ((result.data.get("searchOfficers") or {}).get("items") or [])}
    return bodies, officers


def _summary(files: list[dict[str, Any]]) -> dict[str, int]:
    graded = [f for f in files if f.get("grade")]
    return {"files": len(files), "graded": len(graded), "failed": sum(f["grade"] == "不合格" for f in graded),
            "rectified": sum(1 for f in files if f.get("rectifiedAt"))}


async def index(request: Request) -> Response:
    session = require(request, EITHER)
    campaigns: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    warnings: list[str] = []
    if _is_supervisor(session):
        result = await graph(request).run("review-campaigns", token=session.token, purpose=PURPOSE)
        campaigns = [{**c, "summary": _summary(c.get("files") or [])} for c in result.data.get("reviewCampaigns") or []]
        warnings += result.warnings
    if session.user.has_any(REVIEWER):
        result = await graph(request).run("review-assignments", {"campaignId": None}, token=session.token,
                                          purpose=REVIEW_PURPOSE)
        assignments = result.data.get("myReviewAssignments") or []
        warnings += result.warnings
    bodies, _ = await _directory(request, session)
    return render(request, "review/index.html", {"campaigns": campaigns, "assignments": assignments,
                                                 "bodies": bodies, "warnings": warnings,
                                                 "supervisor": _is_supervisor(session)}, session=session)


def _new_page(request: Request, session: Session, bodies: dict[str, str], values: dict[str, Any],
              errors: dict[str, str], status: int = 200) -> Response:
    return render(request, "review/new.html", {"bodies": bodies, "values": values, "errors": errors,
                                               "key": str(uuid.uuid4()), "today": _today().isoformat()},
                  status=status, session=session)


async def new(request: Request) -> Response:
    session = require(request, SUPERVISOR)
    bodies, _ = await _directory(request, session)
    return _new_page(request, session, bodies, {"perBody": "3", "reviewersPerCase": "2", "bodyIds": []}, {})


async def create(request: Request) -> Response:
    session = require(request, SUPERVISOR)
    form = await checked_form(request, session)
    bodies, _ = await _directory(request, session)
    checked = campaign_form(form, today=_today(), known_bodies=set(bodies))
    if checked.errors:
        return _new_page(request, session, bodies, checked.values, checked.errors)
    key = form.get("idempotencyKey")
    variables = {**checked.variables, "key": key if isinstance(key, str) and 0 < len(key) <= 64 else None}
    try:
        result = await graph(request).run("review-create", variables, token=session.token, purpose=PURPOSE)
    except InputRefused as exc:
        name = exc.field if exc.field in CAMPAIGN_FIELDS else "_form"
        return _new_page(request, session, bodies, checked.values, {name: exc.message})
    campaign_id = result.data["createReviewCampaign"]["id"]
    return RedirectResponse(f"/review/{campaign_id}", status_code=303)


def _by_body(files: list[dict[str, Any]], bodies: dict[str, str], officers: dict[str, dict[str, str]]
             ) -> list[dict[str, Any]]:
    """The sample per body: its files and the legal reviewers recused because they belong to it."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        groups.setdefault(f["bodyId"], []).append(f)
    return [{"uscc": uscc, "name": bodies.get(uscc, uscc), "files": group,
             "recused": sorted(o["name"] for o in officers.values() if o["bodyUscc"] == uscc)}
            for uscc, group in sorted(groups.items(), key=lambda kv: bodies.get(kv[0], kv[0]))]


async def campaign(request: Request) -> Response:
    session = require(request, EITHER)
    campaign_id = request.path_params["campaign"]
    bodies, officers = await _directory(request, session)
    if not _is_supervisor(session):
        result = await graph(request).run("review-assignments", {"campaignId": campaign_id}, token=session.token,
                                          purpose=REVIEW_PURPOSE)
        mine = result.data.get("myReviewAssignments") or []
        if not mine:
            raise HTTPException(404)
        return render(request, "review/mine.html", {"assignments": mine, "bodies": bodies, "officers": officers,
                                                    "name": mine[0]["campaignName"], "warnings": result.warnings},
                      session=session)
    result = await graph(request).run("review-campaign", {"id": campaign_id}, token=session.token, purpose=PURPOSE)
    found = next((c for c in result.data.get("reviewCampaigns") or [] if c["id"] == campaign_id), None)
    if found is None:
        raise HTTPException(404)
    files = result.data.get("reviewCampaignFiles") or []
    return render(request, "review/campaign.html", {
        "campaign": found, "summary": _summary(files), "groups": _by_body(files, bodies, officers),
        "bodies": bodies, "officers": officers, "warnings": result.warnings}, session=session)


async def _file_for(request: Request, session: Session, campaign_id: str, case_id: str
                    ) -> tuple[dict[str, Any], dict[str, Any] | None, list[str]]:
    """(the file, the caller's assignment or None, warnings): a reviewer sees only assigned files."""
    if session.user.has_any(REVIEWER):
        result = await graph(request).run("review-assignments", {"campaignId": campaign_id}, token=session.token,
                                          purpose=REVIEW_PURPOSE)
        mine = next((a for a in result.data.get("myReviewAssignments") or [] if a["file"]["caseId"] == case_id), None)
        if mine is not None:
            return mine["file"], mine, result.warnings
    if not _is_supervisor(session):
        raise HTTPException(404)
    result = await graph(request).run("review-campaign", {"id": campaign_id}, token=session.token, purpose=PURPOSE)
    file = next((f for f in result.data.get("reviewCampaignFiles") or [] if f["caseId"] == case_id), None)
    if file is None:
        raise HTTPException(404)
    return file, None, result.warnings


async def _sheet_page(request: Request, session: Session, *, values: dict[str, Any] | None = None,
                      errors: dict[str, str] | None = None, status: int = 200) -> Response:
    campaign_id, case_id = request.path_params["campaign"], request.path_params["case"]
    file, mine, warnings = await _file_for(request, session, campaign_id, case_id)
    purpose, ref = (REVIEW_PURPOSE, f"case:{case_id}") if mine is not None else (PURPOSE, None)
    case = (await graph(request).run("review-case", {"id": case_id}, token=session.token, purpose=purpose,
                                     purpose_ref=ref)).data.get("penaltyCase")
    bodies, officers = await _directory(request, session)
    return render(request, "review/sheet.html", {
        "file": file, "mine": mine, "case": case, "bodies": bodies, "officers": officers, "vetoes": VETOES,
        "values": values or {"vetoes": []}, "errors": errors or {}, "key": str(uuid.uuid4()),
        "campaign_id": campaign_id, "scored_now": request.query_params.get("scored") == "1",
        "supervisor": _is_supervisor(session), "warnings": warnings}, status=status, session=session)


async def sheet(request: Request) -> Response:
    return await _sheet_page(request, require(request, EITHER))


async def score(request: Request) -> Response:
    session = require(request, REVIEWER)
    form = await checked_form(request, session)
    campaign_id, case_id = request.path_params["campaign"], request.path_params["case"]
    file, mine, _ = await _file_for(request, session, campaign_id, case_id)
    if mine is None:
        raise HTTPException(404)
    checked = score_form(form, {item["part"]: item["maxPoints"] for item in file["sheet"]})
    if checked.errors:
        return await _sheet_page(request, session, values=checked.values, errors=checked.errors)
    key = form.get("idempotencyKey")
    try:
        await graph(request).run("review-score", {
            "campaignId": campaign_id, "caseId": case_id, "deductions": checked.deductions, "vetoes": checked.vetoes,
            "key": key if isinstance(key, str) and 0 < len(key) <= 64 else None}, token=session.token,
            purpose=REVIEW_PURPOSE, purpose_ref=f"case:{case_id}")
    except InputRefused as exc:
        return await _sheet_page(request, session, values=checked.values, errors={"_form": exc.message})
    return RedirectResponse(f"/review/{campaign_id}/{case_id}?scored=1", status_code=303)


async def rectified(request: Request) -> Response:
    session = require(request, SUPERVISOR)
    form = await checked_form(request, session)
    campaign_id, case_id = request.path_params["campaign"], request.path_params["case"]
    key = form.get("idempotencyKey")
    try:
        await graph(request).run("review-rectify", {
            "campaignId": campaign_id, "caseId": case_id,
            "key": key if isinstance(key, str) and 0 < len(key) <= 64 else None}, token=session.token, purpose=PURPOSE)
    except InputRefused as exc:
        return await _sheet_page(request, session, errors={"_form": exc.message})
    return RedirectResponse(f"/review/{campaign_id}/{case_id}", status_code=303)


ROUTES = [
    Route("/review", index, methods=["GET"]),
    Route("/review", create, methods=["POST"]),
    Route("/review/new", new, methods=["GET"]),
    Route("/review/{campaign}", campaign, methods=["GET"]),
    Route("/review/{campaign}/{case}", sheet, methods=["GET"]),
    Route("/review/{campaign}/{case}", score, methods=["POST"]),
    Route("/review/{campaign}/{case}/rectified", rectified, methods=["POST"]),
]
