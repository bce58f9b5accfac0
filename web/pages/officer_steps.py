"""The officer app's words: the next legal steps of a case in each state, and the cards of 我的任务.

The steps are plain guidance from the state (DOMAIN.md §5, 《行政处罚法》 articles); the app takes no
step yet. `work_cards` turns the graph's cases into cards with the nearest open deadline of each.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from starlette.routing import BaseRoute

from web.pages.cases_terms import DEADLINE_MET_BY, STATES, name
from web.pages.cases_view import deadline_rows

ROUTES: list[BaseRoute] = []  # a helper of web/pages/officer.py: no pages of its own

#: 下一步 — what the law asks next in each state
NEXT_STEPS: Final = {
    "CLUE": ("指派核查人员对案源进行核查", "自发现线索之日起 15 个工作日内决定是否立案（第五十四条）"),
    "CLUE_VERIFYING": ("完成核查并提出是否立案的意见", "报执法机关负责人批准立案或者不予立案"),
    "SIMPLE_DECIDED": ("当场交付行政处罚决定书", "报所属行政机关备案（第五十二条）"),
    "FILED": ("指定两名以上具有执法证件的执法人员调查取证（第四十二条）",),
    "INVESTIGATING": ("全面、客观、公正地调查，收集证据（第五十四条）", "出示执法证件，制作笔录", "调查终结后提交审查"),
    "INVESTIGATION_CONCLUDED": ("提交执法机关负责人审查（第五十七条）",),
    "UNDER_REVIEW": ("负责人审查调查结果", "拟处罚的，告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证权利（第四十四条）"),
    "NOTIFIED": ("听取当事人陈述、申辩，对其提出的事实、理由和证据进行复核（第四十五条）", "当事人要求听证的，组织听证（第六十三条）"),
    "HEARING_PENDING": ("举行听证七日前通知当事人听证的时间、地点（第六十四条）",),
    "HEARING_HELD": ("根据听证笔录作出决定（第六十五条）",),
    "LEGAL_REVIEW": ("等待法制审核意见（第五十八条）",),
    "COLLECTIVE_DISCUSSION": ("执法机关负责人集体讨论决定（第五十七条）",),
    "DECIDED": ("七日内送达行政处罚决定书（第六十一条）",),
    "NO_PENALTY_DECIDED": ("送达不予行政处罚决定书",),
    "SERVED": ("当事人自收到决定书之日起 15 日内缴纳罚款（第六十七条）",),
    "PERFORMING": ("跟踪当事人履行情况，确认缴款",),
    "OVERDUE": ("催告当事人履行（《行政强制法》第三十五条）", "依法加处罚款或者申请人民法院强制执行（第七十二条）"),
    "ENFORCING": ("记录强制执行情况",),
    "PERFORMED": ("办理结案",),
    "SUSPENDED": ("中止情形消除后恢复办理",),
    "CLOSED": ("整理案卷并归档",),
}

#: in so many days or fewer, a deadline is shown yellow
SOON_DAYS: Final = 3


def next_steps(status: str | None) -> tuple[str, ...]:
    return NEXT_STEPS.get(status or "", ("本案当前状态无需执法人员进一步操作",))


def open_deadlines(case: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """The body's deadlines of the case not yet met, nearest first, each with `days_left` and `tone`."""
    out = []
    for row in deadline_rows(case, today):
        if row["met_on"] is not None or str(row["kind"]) not in DEADLINE_MET_BY or row["standing"] == "案件已终结":
            continue
        left = (date.fromisoformat(str(row["due"])) - today).days
        tone = "red" if left < 0 else "yellow" if left <= SOON_DAYS else "plain"
        out.append({**row, "days_left": left, "tone": tone})
    return sorted(out, key=lambda r: (r["days_left"], str(r["kind"])))


def days_text(days_left: int) -> str:
    if days_left < 0:
        return f"已逾期 {-days_left} 日"
    if days_left == 0:
        return "今日到期"
    return f"剩余 {days_left} 日"


def work_cards(cases: list[dict[str, Any]], items: dict[str, str], today: date) -> list[dict[str, Any]]:
    """One card per case: the nearest open deadline decides its colour; cases with a deadline first,
    the most pressing first, then the others by case number."""
    cards = []
    for case in cases:
        deadlines = open_deadlines(case, today)
        nearest = deadlines[0] if deadlines else None
        parties = [str(p.get("name")) for p in case.get("parties") or [] if p.get("name")]
        cards.append({
            "id": case["id"], "case_no": case.get("caseNo"), "party": "、".join(parties) or "—",
            "item": items.get(str(case.get("itemCode"))) or case.get("itemCode") or "—",
            "state": name(STATES, case.get("status")), "deadline": nearest,
            "days": days_text(nearest["days_left"]) if nearest else None,
            "tone": nearest["tone"] if nearest else "none",
        })
    return sorted(cards, key=lambda c: (c["deadline"] is None,
                                        c["deadline"]["days_left"] if c["deadline"] else 0, str(c["case_no"])))
