"""案件查询: the case list with filters, a case's drill-down with its full-process record, and the
electronic case file (电子卷宗) as a download.

    GET /cases                    SUPERVISOR, BODY_HEAD, LEGAL_REVIEWER, AUDITOR: filters (body, region,
                                  status, item, from, to, q), sortable columns, cursor pages (after=)
    GET /cases/{id}               the case: header, parties as the graph masks them, officers, deadlines,
                                  documents, evidence, measures, alerts, timeline + chain verification
    GET /cases/{id}/archive.zip   the signed archive from the graph's `caseArchive` (attachment)

Every figure comes from the gateway (`web/operations/cases-*.graphql`) with the user's token; the
graph's row scope decides which cases a user sees (a case outside it is "not found" to the graph,
so the page says so). The purpose stated is the user's: SUPERVISION for supervisors and body heads,
CASE_FILE_REVIEW bound to `case:<id>` for legal reviewers, none for auditors (they read masked).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections.abc import Coroutine
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.graph import GraphError, GraphUnavailable, InputRefused, Result
from web.pagekit import graph, render, require
from web.pages import cases_filters as filters
from web.pages import cases_terms as terms
from web.pages import cases_view as view
from web.sessions import Session

__all__ = ["ROUTES"]

log = logging.getLogger("web.cases")

READERS: Final = frozenset({"SUPERVISOR", "BODY_HEAD", "LEGAL_REVIEWER", "AUDITOR"})
PAGE_SIZE: Final = 20
_CASE_ID: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
_CURSOR: Final = re.compile(r"^[0-9A-Za-z_=-]{1,400}$")


def _case_id(request: Request) -> str:
    case_id = str(request.path_params["case_id"])
    if not _CASE_ID.match(case_id):
        raise HTTPException(404)
    return case_id


async def case_list(request: Request) -> Response:
    session = require(request, READERS)
    query = filters.parse(request.query_params)
    after = request.query_params.get("after") or None
    if after is not None and not _CURSOR.match(after):
        query.errors["after"] = "翻页参数无效，已回到第一页"
        after = None
    names = asyncio.create_task(_item_names(request, session.token, session.user.has_any(view.CATALOGUE_READERS)))
    try:
        result, after = await _list_page(request, session, query, after)
        items = await names
    finally:
        names.cancel()  # a no-op once done; stops the lookup when the list failed
    if query.errors:
        log.info("case list: refused filter values for %s (sub=%s)", ",".join(sorted(query.errors)),
                 session.user.subject)
    page = result.data.get("penaltyCases") or {"items": [], "total": 0, "nextCursor": None}
    rows = [{**c, "status_name": terms.name(terms.STATES, c.get("status")),
             "item_name": items.get(str(c.get("itemCode"))),
             "procedure_name": terms.name(terms.PROCEDURES, c.get("procedure"))} for c in page.get("items") or []]
    return render(request, "cases/list.html", {
        "query": query, "rows": rows, "total": page.get("total"), "next_cursor": page.get("nextCursor"),
        "after": after, "states": terms.STATES, "warnings": result.warnings, "sorts": filters.SORTS,
    }, session=session)


async def _list_page(request: Request, session: Session, query: filters.CaseQuery,
                     after: str | None) -> tuple[Result, str | None]:
    """One page of the list; a value the graph refuses is named in `query.errors` and the page asked
    again without it (the cursor or order dropped, or that condition left out)."""
    variables = {"filter": query.filter or None, "orderBy": query.order_by, "first": PAGE_SIZE, "after": after}
    purpose = "SUPERVISION" if session.user.has_any(view.SUPERVISING) else None  # the list names no person
    try:
        result = await graph(request).run("cases-list", variables, token=session.token, purpose=purpose)
        refused = _refused(result)
    except InputRefused as exc:
        refused = (exc.field, exc.message, exc.code)
    if refused is None:
        return result, after
    graph_field, message, code = refused
    # an argument the graph does not name is the cursor when one was sent (the filter was checked here)
    field = _form_field(graph_field) if graph_field else ("after" if after else "filter")
    query.errors[field] = message if field != "after" else "翻页参数无效，已回到第一页"
    log.info("case list: the graph refused %s (%s)", graph_field or "a filter", code)
    _drop(query, field)
    if field == "sort":
        query.sort = filters.DEFAULT_SORT
    variables.update(filter=query.filter or None, after=None, orderBy=query.order_by)
    return await graph(request).run("cases-list", variables, token=session.token, purpose=purpose), None


_GRAPH_FIELDS: Final = {"filter": "filter", "filter.bodies": "body", "filter.region": "region", "filter.statuses": "status",
                        "filter.items": "item", "filter.filed": "from", "filter.caseNo": "q", "after": "after",
                        "orderBy": "sort"}
_FILTER_KEYS: Final = {"body": "bodies", "region": "region", "status": "statuses", "item": "items", "from": "filed",
                       "to": "filed", "q": "caseNo"}


async def _item_names(request: Request, token: str, wanted: bool) -> dict[str, str]:
    """The catalogue's item names, or none (the pages show codes) when the role may not read it or it fails."""
    if not wanted:
        return {}
    try:
        result = await graph(request).run("cases-items", {}, token=token)
    except GraphError as exc:  # never fails the page: the codes are shown instead
        log.info("case pages: item names unavailable (%s)", exc.code)
        return {}
    return view.item_names(result.data)


def _refused(result: Result) -> tuple[str | None, str, str] | None:
    """(argument, message, code) when the graph gave no page because it refused a value."""
    if result.data.get("penaltyCases") is not None:
        return None
    for error in result.errors:
        ext = error.get("extensions")
        if isinstance(ext, dict) and ext.get("code") == "BAD_USER_INPUT":
            argument = ext.get("argument") or ext.get("field")
            return (str(argument) if argument else None), str(error.get("message", "")), "BAD_USER_INPUT"
    return None


def _form_field(graph_field: str | None) -> str:
    return _GRAPH_FIELDS.get(graph_field or "", "filter")


def _drop(query: filters.CaseQuery, field: str) -> None:
    if field in ("after", "sort"):
        return  # the cursor or the order is dropped by the caller's retry (first page, default order)
    key = _FILTER_KEYS.get(field)
    if key is not None:
        query.filter.pop(key, None)
    else:  # a refusal the page cannot place: list without any filter rather than not at all
        query.filter.clear()


async def case_detail(request: Request) -> Response:
    session = require(request, READERS)
    case_id = _case_id(request)
    purpose = view.purpose_for(session.user, case_id)
    client = graph(request)

    async def ask(name: str) -> Result:
        return await client.run(name, {"id": case_id}, token=session.token, purpose=purpose.code,
                                purpose_ref=purpose.ref)

    with_people = session.user.has_any(view.PERSON_READERS)
    with_alerts = session.user.has_any(view.ALERT_READERS)
    result, people, alerts, items = await asyncio.gather(
        ask("cases-detail"), _maybe(with_people, ask("cases-people")), _maybe(with_alerts, ask("cases-alerts")),
        _item_names(request, session.token, session.user.has_any(view.CATALOGUE_READERS)))
    case = result.data.get("penaltyCase")
    if case is None:
        if result.errors:  # the graph did not answer for the case itself: say so, not "not found"
            raise GraphUnavailable("案件数据暂时无法获取：" + "；".join(result.warnings), code="PARTIAL")
        log.info("case page: %s not found or out of scope for sub=%s", case_id, session.user.subject)
        return render(request, "error.html", {"title": "案件不存在", "code": "404",
                                              "message": "未找到该案件，或该案件不在您的查看范围内。"},
                      status=404, session=session)
    warnings = list(result.warnings)
    for extra, key in ((people, "parties"), (alerts, "alerts")):
        if extra is not None:
            warnings.extend(_plain(w) for w in extra.warnings)
            found = extra.data.get("penaltyCase") or {}
            if found.get(key) is not None:
                case[key] = found[key]
    check = result.data.get("verifyCaseEvents")
    events = view.timeline(case, check)
    return render(request, "cases/detail.html", {
        "case": case, "purpose": purpose, "events": events, "chain": view.chain_verdict(check, len(events)),
        "deadlines": view.deadline_rows(case, view.today_china()), "officers": view.officer_rows(case),
        "masked": view.parties_masked(case), "warnings": warnings, "terms": terms,
        "alerts_shown": with_alerts,
        "item_name": items.get(f"{case['itemCode']}@{case['itemVersion']}") or items.get(str(case["itemCode"])),
    }, session=session)


#: a party's person record the population register does not have: the graph nulls it (the whole `person`)
_UNKNOWN_PERSON = "Cannot return null for non-nullable field Person."


def _plain(warning: str) -> str:
    """A partial answer's message as a supervisor reads it."""
    if warning.startswith(_UNKNOWN_PERSON):
        return "人口库未返回部分当事人的人员信息（该人员不在人口库中，或人口库暂时无法访问），其余信息不受影响"
    return warning


async def _maybe(wanted: bool, call: Coroutine[Any, Any, Result]) -> Result | None:
    if not wanted:
        call.close()  # never started: nothing asked of the graph
        return None
    return await call


async def case_archive(request: Request) -> Response:
    session = require(request, READERS)
    case_id = _case_id(request)
    purpose = view.purpose_for(session.user, case_id)
    result = await graph(request).run("cases-archive", {"id": case_id}, token=session.token, purpose=purpose.code,
                                      purpose_ref=purpose.ref, allow_partial=False)
    archive = result.data.get("caseArchive")
    if archive is None:
        return render(request, "error.html", {"title": "案件不存在", "code": "404",
                                              "message": "未找到该案件，或该案件不在您的查看范围内。"},
                      status=404, session=session)
    if archive.get("contentBase64") is None:  # withheld by the gateway: the file names people in clear
        log.info("case archive withheld: case=%s sub=%s purpose=%s", case_id, session.user.subject, purpose.code)
        return render(request, "refused.html", {
            "needed": [], "code": "WITHHELD",
            "reason": "电子卷宗含当事人个人信息，按您的角色与用途不能导出。如确需导出，请由办案机关或执法监督人员办理。"},
            status=403, session=session)
    try:
        body = base64.b64decode(str(archive["contentBase64"]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise GraphUnavailable("电子卷宗内容无法解码", code="BAD_ARCHIVE") from exc
    if len(body) != int(archive["sizeBytes"]):
        raise GraphUnavailable("电子卷宗大小与声明不符", code="BAD_ARCHIVE")
    log.info("case archive downloaded: case=%s sub=%s bytes=%d", case_id, session.user.subject, len(body))
    file_name = re.sub(r"[^0-9A-Za-z._-]", "_", str(archive.get("fileName") or f"{case_id}.zip"))
    return Response(body, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{file_name}"', "cache-control": "no-store",
        "x-content-sm3": str(archive.get("sm3", ""))})


ROUTES = [
    Route("/cases", case_list, methods=["GET"]),
    Route("/cases/{case_id}", case_detail, methods=["GET"]),
    Route("/cases/{case_id}/archive.zip", case_archive, methods=["GET"]),
]
