"""The workforce as a file: `/workforce/export.csv` and `/workforce/export.xlsx`, one row per body.

The same filters and figures as the page (`web.workforce_figures`). CSV is UTF-8 with a BOM, so that
Excel as set up in China opens the Chinese headers correctly; XLSX (openpyxl) has a sheet title, a
header row and column widths. The file name is Chinese (`filename*=UTF-8''…`) with an ASCII
fallback. Only body-level counts are written: no officer, and so no ID number, is in either file.
The routes are listed by `workforce.py`, ahead of `/workforce/<uscc>`.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from web.graph import Refused
from web.pagekit import render, require
from web.roles import SUPERVISION
from web.workforce_figures import (
    LEVELS,
    STATUS_NAMES,
    BodyFigures,
    Overview,
    overview,
    page_words,
    parse_filters,
    region_name,
)

__all__ = ["COLUMNS", "EXPORT_ROUTES", "ROUTES", "rows_of"]

log = logging.getLogger("web.workforce")

#: (header, width in characters, value of a body's row)
COLUMNS: Final[tuple[tuple[str, int, Callable[[BodyFigures], Any]], ...]] = (
    ("统一社会信用代码", 22, lambda r: r.uscc),
    ("执法主体", 36, lambda r: r.name),
    ("主体层级", 14, lambda r: LEVELS.get(r.level, r.level)),
    ("行政区划", 10, lambda r: region_name(r.region)),
    ("在岗执法人员", 12, lambda r: r.officers),
    ("法制审核人员", 12, lambda r: r.legal_reviewers),
    ("具备法律职业资格的法制审核人员", 18, lambda r: r.qualified_legal_reviewers),
    *((f"{name}人数", 10, (lambda s: lambda r: r.by_status.get(s, 0))(status)) for status, name in STATUS_NAMES.items()),
    ("其他状态人数", 12, lambda r: r.other_status),
    ("30日内到期执法证", 14, lambda r: r.expiring[30]),
    ("60日内到期执法证", 14, lambda r: r.expiring[60]),
    ("90日内到期执法证", 14, lambda r: r.expiring[90]),
    ("一年内零执法人员", 14, lambda r: r.inactive),
    ("参训人数", 10, lambda r: r.trained),
    ("平均培训学时", 12, lambda r: r.average_hours if r.average_hours is not None else ""),
    ("培训未达标人数", 14, lambda r: r.below_target),
)
SHEET_TITLE: Final = "执法队伍统计"


def rows_of(figures: Overview) -> list[list[Any]]:
    return [[value(r) for _, _, value in COLUMNS] for r in figures.rows]


def _disposition(figures: Overview, ext: str) -> str:
    stem = f"{figures.as_of.isoformat()}_{figures.training_year}"
    chinese = f"执法队伍统计_{stem}.{ext}"
    return f"attachment; filename=\"workforce_{stem}.{ext}\"; filename*=UTF-8''{quote(chinese)}"


def _csv(figures: Overview) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for h, _, _ in COLUMNS])
    writer.writerows(rows_of(figures))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(figures: Overview) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append([h for h, _, _ in COLUMNS])
    for row in rows_of(figures):
        sheet.append(row)
    head = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1D4F91")
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = head, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = f"{SHEET_TITLE}（截至 {figures.as_of.isoformat()}，培训年度 {figures.training_year}）"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _export(request: Request, ext: str) -> Response:
    session = require(request, SUPERVISION)
    filters = parse_filters(request.query_params)
    if filters.errors:  # the page shows the messages beside the fields; no file with other figures
        return render(request, "workforce/overview.html", {"filters": filters, "figures": None,
                                                           **page_words()},
                      status=400)
    try:
        figures = await overview(request, session, filters)
    except Refused:
        if session.user.body_uscc and "SUPERVISOR" not in session.user.roles:
            return RedirectResponse(f"/workforce/{session.user.body_uscc}", status_code=303)
        raise
    log.info("workforce export %s: %d bodies for sub=%s", ext, len(figures.rows), session.user.subject)
    if ext == "csv":
        return Response(_csv(figures), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": _disposition(figures, ext), "cache-control": "no-store"})
    return Response(_xlsx(figures), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": _disposition(figures, ext), "cache-control": "no-store"})


async def export_csv(request: Request) -> Response:
    return await _export(request, "csv")


async def export_xlsx(request: Request) -> Response:
    return await _export(request, "xlsx")


EXPORT_ROUTES: list[BaseRoute] = [
    Route("/workforce/export.csv", export_csv, methods=["GET"]),
    Route("/workforce/export.xlsx", export_xlsx, methods=["GET"]),
]
#: empty: `workforce.py` lists EXPORT_ROUTES before its `/workforce/{uscc}` route
ROUTES: list[BaseRoute] = []
