"""The case-file review forms (案卷评查): reading and checking a new campaign and a score sheet.

The console checks what it can before asking the graph (required name, whole numbers in range, real
days), so a mistake is shown beside its field at once; the graph checks everything again and its
BAD_USER_INPUT, naming the argument, is shown beside the same field (the form's field names are the
graph's argument names). Nothing here talks to the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from starlette.datastructures import FormData

__all__ = ["PARTS", "VETOES", "CampaignForm", "ScoreForm", "campaign_form", "score_form"]

MAX_PER_BODY: Final = 1000
MAX_INT: Final = 2**31 - 1  # GraphQL Int
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_INTEGER: Final = re.compile(r"[+-]?\d{1,12}")

#: the score sheet's parts and their points (DOMAIN.md §9); the graph's sheet is what a page shows
PARTS: Final = {"A": 10, "B": 25, "C": 15, "D": 20, "E": 10, "F": 5, "G": 15}
#: veto items (否决项): any one makes the file 不合格 (DOMAIN.md §9)
VETOES: Final = {
    "V1": "执法主体不适格",
    "V2": "执法人员无证或不足两人",
    "V3": "超过追责时效",
    "V4": "无法律依据或依据已失效",
    "V5": "未告知权利或剥夺陈述申辩、听证权利",
    "V6": "应当法制审核而未审核",
    "V7": "涉嫌犯罪应移送而未移送",
    "V8": "主要事实不清、证据不足",
}


@dataclass
class CampaignForm:
    """The posted values (as typed, for re-showing) and, when valid, the graph's variables."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScoreForm:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    deductions: list[dict[str, Any]] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _whole(raw: str, label: str, low: int, high: int) -> tuple[int | None, str | None]:
    if not _INTEGER.fullmatch(raw):
        return None, f"{label}须为整数"
    number = int(raw)
    if not low <= number <= high:
        return None, f"{label}须在 {low}–{high} 之间"
    return number, None


def _day(raw: str, label: str) -> tuple[date | None, str | None]:
    if not raw:
        return None, None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, f"{label}须为有效日期，格式如 2026-10-30"


def campaign_form(form: FormData, *, today: date, known_bodies: set[str]) -> CampaignForm:
    """A new campaign: name, seed, sample size per body, reviewers per file, due day, bodies, period."""
    bodies = [b for b in form.getlist("bodyIds") if isinstance(b, str) and b]
    values: dict[str, Any] = {k: _text(form, k) for k in ("name", "seed", "perBody", "reviewersPerCase", "dueOn",
                                                             "closedFrom", "closedTo")}
    values["bodyIds"] = bodies
    out = CampaignForm(values=values)
    name = values["name"]
    if not name:
        out.errors["name"] = "请填写评查活动名称"
    elif len(name) > 200 or _CONTROL.search(name):
        out.errors["name"] = "名称不超过 200 字，且不含控制字符"
    seed, problem = _whole(values["seed"], "随机种子", 0, MAX_INT) if values["seed"] else (None, "请填写随机种子")
    if problem:
        out.errors["seed"] = problem
    per_body, problem = _whole(values["perBody"], "每主体抽取数", 1, MAX_PER_BODY)
    if problem:
        out.errors["perBody"] = problem
    reviewers, problem = _whole(values["reviewersPerCase"] or "2", "每卷评查人数", 2, 5)
    if problem:
        out.errors["reviewersPerCase"] = problem
    due, problem = _day(values["dueOn"], "完成期限")
    if problem is None and due is not None and due < today:
        problem = "完成期限不能早于今天"
    if problem:
        out.errors["dueOn"] = problem
    closed_from, problem = _day(values["closedFrom"], "结案起始日")
    if problem:
        out.errors["closedFrom"] = problem
    closed_to, problem = _day(values["closedTo"], "结案截止日")
    if problem is None and closed_from and closed_to and closed_to < closed_from:
        problem = "结案截止日不能早于起始日"
    if problem:
        out.errors["closedTo"] = problem
    unknown = [b for b in bodies if b not in known_bodies]
    if unknown or len(bodies) > 500:
        out.errors["bodyIds"] = "请从列表中选择执法主体"
    if not out.errors:
        out.variables = {"name": name, "seed": seed, "perBody": per_body, "reviewersPerCase": reviewers,
                         "dueOn": due.isoformat() if due else None, "bodyIds": sorted(bodies) or None,
                         "closedFrom": closed_from.isoformat() if closed_from else None,
                         "closedTo": closed_to.isoformat() if closed_to else None}
    return out


def score_form(form: FormData, maxima: dict[str, int]) -> ScoreForm:
    """A reviewer's manual deductions per part (0 to the part's points; blank is 0) and veto items."""
    values: dict[str, Any] = {f"d_{p}": _text(form, f"d_{p}") for p in maxima}
    vetoes = sorted({v for v in form.getlist("vetoes") if isinstance(v, str)})
    values["vetoes"] = vetoes
    out = ScoreForm(values=values)
    for part, maximum in maxima.items():
        raw = values[f"d_{part}"]
        if not raw:
            continue
        points, problem = _whole(raw, f"{part} 部分扣分", 0, maximum)
        if problem:
            out.errors[f"d_{part}"] = problem
        elif points:
            out.deductions.append({"part": part, "points": points})
    if any(v not in VETOES for v in vetoes):
        out.errors["vetoes"] = "否决项须从列表中选择"
    out.vetoes = vetoes
    return out
