"""The workforce (队伍管理) figures the page and its exports share: filters, graph calls, one row per body.

Every figure comes from the graph: `supervisionWorkforce` (staff, legal reviewers, training, officers
by status, inactive officers), `supervisionExpiringCertificates` for 30/60/90 days (per body) and the
personnel subgraph's bodies (names, levels, regions). The console only joins them by USCC, narrows
them by the filters (level, region, body) and adds them up for the totals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import urlencode

from starlette.requests import Request

from web.formatting import CHINA
from web.graph import Refused
from web.pagekit import graph
from web.sessions import Session

__all__ = ["LEVELS", "PURPOSE", "REGIONS", "STATUS_NAMES", "TRAINING_TARGET_HOURS", "USCC_PATTERN", "WINDOWS",
           "BodyFigures", "Filters", "Overview", "china_today", "overview", "page_words", "parse_filters", "region_name"]

WINDOWS: Final = (30, 60, 90)
TRAINING_TARGET_HOURS: Final = 60  # 学时 per officer and year (the graph's belowTrainingTarget uses the same)
LEVELS: Final = {"PROVINCE": "省级", "CITY": "市级", "COUNTY": "县（区）级", "TOWN": "乡镇（街道）级"}
#: GB/T 2260 names of the city's regions (other codes are shown as they are)
REGIONS: Final = {"445100": "潮州市", "445102": "湘桥区", "445103": "潮安区", "445122": "饶平县"}
STATUS_NAMES: Final = {"ACTIVE": "在岗", "TRANSFERRED": "调离", "RETIRED": "退休"}
PURPOSE: Final = "SUPERVISION"
MAX_BODY_PAGES: Final = 50  # x 1000 bodies: far above any city's register
USCC_PATTERN: Final = re.compile(r"[0-9A-Z]{18}")
_REGION: Final = re.compile(r"[0-9]{6}")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR: Final = re.compile(r"[0-9]{4}")
_REFUSED_CODES: Final = frozenset({"UNAUTHORIZED_FIELD_OR_TYPE", "FORBIDDEN"})


def region_name(code: str | None) -> str:
    return REGIONS.get(code or "", code or "—")


def region_prefix(code: str) -> str:
    """Bodies "in this region or below it": 445100 covers every code starting 4451 (as the graph's filter)."""
    prefix = code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix


def page_words() -> dict[str, Any]:
    """The words and limits the workforce templates show."""
    return {"levels": LEVELS, "status_names": STATUS_NAMES, "windows": WINDOWS, "region_name": region_name,
            "target_hours": TRAINING_TARGET_HOURS}


def china_today() -> date:
    return datetime.now(CHINA).date()


@dataclass
class Filters:
    """The page's GET filters, as entered (`values`) and as read; `errors` names the fields refused."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    level: str | None = None
    region: str | None = None
    body: str | None = None
    as_of: date | None = None
    training_year: int | None = None

    def variables(self) -> dict[str, Any]:
        return {"asOf": self.as_of.isoformat() if self.as_of else None, "trainingYear": self.training_year}

    def query(self, *, keep: tuple[str, ...] = ("level", "region", "body", "asOf", "trainingYear")) -> str:
        """The filters as a query string (for export links and links to a body), valid values only."""
        pairs = [(k, v) for k, v in self.values.items() if k in keep and v and k not in self.errors]
        return urlencode(pairs)


def parse_filters(params: Mapping[str, str], *, today: date | None = None) -> Filters:
    """Read the filters; a value that is not valid gets a message for its field and is not used."""
    today = today or china_today()
    values = {k: (params.get(k) or "").strip() for k in ("level", "region", "body", "asOf", "trainingYear")}
    out = Filters(values=values)
    if values["level"]:
        if values["level"] in LEVELS:
            out.level = values["level"]
        else:
            out.errors["level"] = "请选择列表中的主体层级"
    if values["region"]:
        if _REGION.fullmatch(values["region"]):
            out.region = values["region"]
        else:
            out.errors["region"] = "行政区划代码应为 6 位数字，如 445102"
    if values["body"]:
        if USCC_PATTERN.fullmatch(values["body"]):
            out.body = values["body"]
        else:
            out.errors["body"] = "统一社会信用代码应为 18 位数字或大写字母"
    if values["asOf"]:
        try:
            if not _DATE.fullmatch(values["asOf"]):
                raise ValueError(values["asOf"])
            out.as_of = date.fromisoformat(values["asOf"])
        except ValueError:
            out.errors["asOf"] = "请输入有效的日期，格式如 2026-10-30"
    last = (out.as_of or today).year
    if values["trainingYear"]:
        year = int(values["trainingYear"]) if _YEAR.fullmatch(values["trainingYear"]) else None
        if year is None or not 2000 <= year <= last:
            out.errors["trainingYear"] = f"培训年度应为 2000 至 {last} 年之间的年份"
        else:
            out.training_year = year
    return out


@dataclass
class BodyFigures:
    """One body's row: the graph's figures for it, joined by USCC (the totals row has uscc "")."""

    uscc: str
    name: str
    level: str
    region: str
    officers: int = 0
    legal_reviewers: int = 0
    qualified_legal_reviewers: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    expiring: dict[int, int] = field(default_factory=lambda: dict.fromkeys(WINDOWS, 0))
    inactive: int = 0
    trained: int = 0
    average_hours: float | None = None
    below_target: int = 0

    @property
    def other_status(self) -> int:
        return sum(n for s, n in self.by_status.items() if s not in STATUS_NAMES)


@dataclass
class Overview:
    rows: list[BodyFigures]
    totals: BodyFigures
    training_year: int
    as_of: date
    bodies: list[dict[str, Any]]  # every body of the register the user may see (for the filter lists)
    warnings: list[str]

    @property
    def regions(self) -> list[tuple[str, str]]:
        codes = sorted({str(b["regionCode"]) for b in self.bodies})
        return [(c, region_name(c)) for c in codes]


async def register(request: Request, session: Session) -> tuple[list[dict[str, Any]], list[str]]:
    """Every enforcement body (USCC, names, level, region), page by page (bounded)."""
    bodies: list[dict[str, Any]] = []
    warnings: list[str] = []
    after: str | None = None
    for _ in range(MAX_BODY_PAGES):
        result = await graph(request).run("workforce-bodies", {"after": after}, token=session.token, purpose=PURPOSE)
        warnings += result.warnings
        page = result.data.get("searchEnforcementBodies") or {}
        bodies += page.get("items") or []
        after = page.get("nextCursor")
        if not after:
            break
    return bodies, warnings


def _matches(body: dict[str, Any] | None, level: str, filters: Filters) -> bool:
    region = str(body.get("regionCode") or "") if body else ""
    if filters.body and (body is None or body.get("uscc") != filters.body):
        return False
    if filters.level and level != filters.level:
        return False
    return not filters.region or region.startswith(region_prefix(filters.region))


def _totals(rows: list[BodyFigures]) -> BodyFigures:
    total = BodyFigures(uscc="", name="合计", level="", region="")
    hours = 0.0
    for r in rows:
        total.officers += r.officers
        total.legal_reviewers += r.legal_reviewers
        total.qualified_legal_reviewers += r.qualified_legal_reviewers
        for status, n in r.by_status.items():
            total.by_status[status] = total.by_status.get(status, 0) + n
        for d in WINDOWS:
            total.expiring[d] += r.expiring[d]
        total.inactive += r.inactive
        total.trained += r.trained
        total.below_target += r.below_target
        hours += (r.average_hours or 0.0) * r.trained
    total.average_hours = round(hours / total.trained, 2) if total.trained else None
    return total


async def overview(request: Request, session: Session, filters: Filters) -> Overview:
    """The workforce per body under the filters, with totals (raises the graph's typed errors)."""
    result = await graph(request).run("workforce-overview", filters.variables(), token=session.token, purpose=PURPOSE)
    bodies, warnings = await register(request, session)
    data = result.data
    if data.get("supervisionWorkforce") is None:
        refusals = [e for e in result.errors if (e.get("extensions") or {}).get("code") in _REFUSED_CODES]
        if refusals:  # the figures need a supervision scope the user's roles do not grant
            raise Refused(str(refusals[0].get("message", "无权访问")), code=str(refusals[0]["extensions"]["code"]))
    workforce = data.get("supervisionWorkforce") or {}
    by_uscc = {str(b["uscc"]): b for b in bodies}
    expiring: dict[int, dict[str, int]] = {
        d: {str(c["bodyId"]): int(c["count"]) for c in data.get(f"within{d}") or []} for d in WINDOWS}
    inactive = {str(c["bodyId"]): int(c["count"]) for c in workforce.get("inactiveOfficers") or []}
    today = filters.as_of or china_today()
    year = filters.training_year or today.year - 1
    rows: list[BodyFigures] = []
    for staff in workforce.get("byBody") or []:
        uscc, level = str(staff["bodyId"]), str(staff["level"])
        body = by_uscc.get(uscc)
        if not _matches(body, level, filters):
            continue
        year = int(staff.get("trainingYear") or year)
        rows.append(BodyFigures(
            uscc=uscc, name=str(body["name"]) if body else uscc, level=level,
            region=str(body.get("regionCode") or "") if body else "",
            officers=int(staff["officers"]), legal_reviewers=int(staff["legalReviewers"]),
            qualified_legal_reviewers=int(staff["qualifiedLegalReviewers"]),
            by_status={str(s["status"]): int(s["count"]) for s in staff.get("byStatus") or []},
            expiring={d: expiring[d].get(uscc, 0) for d in WINDOWS}, inactive=inactive.get(uscc, 0),
            trained=int(staff["trainedOfficers"]), average_hours=staff.get("averageTrainingHours"),
            below_target=int(staff["belowTrainingTarget"])))
    order = list(LEVELS)
    rows.sort(key=lambda r: (order.index(r.level) if r.level in order else len(order), r.region, r.uscc))
    return Overview(rows=rows, totals=_totals(rows), training_year=year, as_of=today, bodies=bodies,
                    warnings=result.warnings + warnings)
