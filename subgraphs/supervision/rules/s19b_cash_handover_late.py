"""S19b 当场收缴未按期上交: cash not handed to the agency within 2 wd, or not banked within 2 wd after."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext

HANDOVER_WD = 2  # 《行政处罚法》第七十一条 [V]


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    cash = view.extras.cash
    if cash is None:
        return
    cal = ctx.calendar
    handover_due = cal.add_working_days(cash.collected_on, HANDOVER_WD)
    handed = cash.handed_to_agency_on
    if (handed or ctx.today) > handover_due:
        yield case_finding("S19b", Severity.RED, view, due=handover_due, stage="HANDOVER",
                           collected_on=cash.collected_on.isoformat(),
                           handed_on=handed.isoformat() if handed else None)
        return
    if handed is not None:
        bank_due = cal.add_working_days(handed, HANDOVER_WD)
        banked = cash.paid_to_bank_on
        if (banked or ctx.today) > bank_due:
            yield case_finding("S19b", Severity.RED, view, due=bank_due, stage="BANK",
                               handed_on=handed.isoformat(), banked_on=banked.isoformat() if banked else None)


RULE = Rule("S19b", "当场收缴未按期上交", "《行政处罚法》第七十一条", Severity.RED, check)
