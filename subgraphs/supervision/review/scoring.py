"""Scores and grades of a reviewed case file (DOMAIN.md §9, [P] scheme).

Parts A–G have fixed maxima (100 in all); deductions floor each part at 0. Vetoes V1–V8 make a
file 不合格 whatever its score. The automatic part comes from the rule engine's findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from subgraphs.supervision.model import Finding, Severity


class Grade(StrEnum):
    EXCELLENT = "优秀"
    GOOD = "良好"
    PASS = "合格"
    FAIL = "不合格"


PARTS: dict[str, int] = {"A": 10, "B": 25, "C": 15, "D": 20, "E": 10, "F": 5, "G": 15}
PART_NAMES: dict[str, str] = {"A": "主体与权限", "B": "事实与证据", "C": "适用法律", "D": "程序", "E": "裁量",
                              "F": "执行", "G": "文书与卷宗"}
VETOES = ("V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8")

#: veto item ← rules whose breach is that veto (V7, V8 are manual)
VETO_RULES: dict[str, frozenset[str]] = {
    "V1": frozenset({"S28"}), "V2": frozenset({"S04", "S05"}), "V3": frozenset({"S16"}),
    "V4": frozenset({"S15"}), "V5": frozenset({"S08", "S09", "S10"}), "V6": frozenset({"S12"}),
}

#: rule → (part, points deducted) for the automatic parts of A–G
DEDUCTIONS: dict[str, tuple[str, int]] = {
    "S06": ("A", 5), "S28": ("A", 10), "S04": ("A", 5), "S05": ("A", 5),
    "S25": ("B", 5), "S31": ("B", 5),
    "S15": ("C", 10),
    "S01": ("D", 3), "S02": ("D", 5), "S03": ("D", 3), "S08": ("D", 5), "S08b": ("D", 5), "S09": ("D", 5),
    "S10": ("D", 5), "S11": ("D", 3), "S11b": ("D", 3), "S12": ("D", 5), "S13": ("D", 5), "S21": ("D", 3),
    "S22": ("D", 3), "S26": ("D", 3),
    "S14": ("E", 10), "S27": ("E", 5),
    "S19": ("F", 3), "S19b": ("F", 2), "S20": ("F", 2),
    "S30": ("G", 5), "S24": ("G", 2), "S32": ("G", 3),
}


def automatic(findings: Iterable[Finding]) -> tuple[list[str], dict[str, int]]:
    """(vetoes, deductions per part) pre-filled from breach findings (RED); warnings do not count."""
    rules = {f.rule_id for f in findings if f.severity is Severity.RED}
    vetoes = sorted(v for v, rs in VETO_RULES.items() if rules & rs)
    deductions: dict[str, int] = {}
    for rule in sorted(rules):
        if rule in DEDUCTIONS:
            part, points = DEDUCTIONS[rule]
            deductions[part] = deductions.get(part, 0) + points
    return vetoes, deductions


def total(deductions: Mapping[str, int]) -> int:
    """100 minus the deductions, each part floored at 0."""
    return sum(max(0, maximum - max(0, deductions.get(part, 0))) for part, maximum in PARTS.items())


def grade(score: int, vetoes: Iterable[str]) -> Grade:
    """优秀 ≥ 90 and no veto; 良好 80–89; 合格 60–79; 不合格 < 60 or any veto."""
    if any(True for _ in vetoes) or score < 60:
        return Grade.FAIL
    if score >= 90:
        return Grade.EXCELLENT
    if score >= 80:
        return Grade.GOOD
    return Grade.PASS


def merge_deductions(*parts: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in parts:
        for k, v in p.items():
            if k not in PARTS:
                raise ValueError(f"unknown part {k!r}")
            out[k] = out.get(k, 0) + v
    return out
