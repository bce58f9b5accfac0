"""The words and form rules of 现场检查 on the phone: states, results, the findings rows of the form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from starlette.datastructures import FormData
from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []  # a helper of web/pages/officer_inspect.py: no pages of its own

STATES: Final = {
    "PLANNED": "已计划", "ASSIGNED": "已指派", "ON_SITE": "现场检查中", "RESULT_RECORDED": "已记录结果",
    "CLOSED_NO_ISSUE": "已办结（未发现问题）", "RECTIFICATION_ORDERED": "已责令整改", "RECHECKED": "已复查",
    "CLUE_CREATED": "已转为案件线索", "PUBLISHED": "已公示",
}
#: the inspection's result (CheckResult), as the officer chooses it
RESULTS: Final = {"NO_ISSUE": "未发现问题", "RECTIFY": "责令整改", "FILE_CASE": "发现违法行为，立案调查"}
#: one check item's finding
FINDING_RESULTS: Final = {"PASS": "符合", "FAIL": "不符合", "NA": "不适用"}
MAX_FINDINGS: Final = 12
MAX_TEXT: Final = 200


def findings_of(form: FormData) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The rows the officer filled (item, result, note), and the problems beside them (`finding-<n>`)."""
    rows: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for n in range(MAX_FINDINGS):
        item = str(form.get(f"item-{n}") or "").strip()[:MAX_TEXT]
        result = str(form.get(f"finding-{n}") or "")
        note = str(form.get(f"note-{n}") or "").strip()[:MAX_TEXT]
        if not item and not note and not result:
            continue
        if not item:
            errors[f"finding-{n}"] = "请填写检查内容"
        elif result not in FINDING_RESULTS:
            errors[f"finding-{n}"] = "请选择该项的检查结果"
        rows.append({"item": item, "result": result, "note": note})
    if not rows:
        errors["finding-0"] = "至少记录一项检查内容及其结果"
    return rows, errors


def inspection_items(codes: Iterable[str], catalogue: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The body's items the catalogue knows, newest published version each, checks first, by name."""
    wanted = set(codes)
    newest: dict[str, dict[str, Any]] = {}
    for item in catalogue or []:
        code = str(item.get("code"))
        if code not in wanted or str(item.get("status") or "PUBLISHED") != "PUBLISHED":
            continue
        if code not in newest or int(item.get("version") or 0) > int(newest[code].get("version") or 0):
            newest[code] = item
    return sorted(newest.values(), key=lambda i: (str(i.get("actionType")) != "INSPECTION", str(i.get("name"))))
