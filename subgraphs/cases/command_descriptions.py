"""What each command mutation does, by mutation name: the Chinese term, an English gloss, the law.

The penalty-case commands follow the transitions of DOMAIN.md §5.2 (T1…T33), the coercive-measure
ones §6.1 (《行政强制法》), the inspection ones §7. The mutation and its generated input type share
the text (`input_description`).
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    # --- penalty cases: intake and investigation (T1–T9)
    "registerClue": "案源登记 — register a clue: opens a case in CLUE (T1)",
    "assignVerifier": "核查 — assign an officer to verify the clue (T2)",
    "decideNotToFile": "不予立案 — the head decides not to file, with reasons (T3, 行政处罚法 第五十四条)",
    "decideOnTheSpot": "简易程序当场决定 — decide on the spot: a warning or a small fine, facts certain "
                       "(T4, 第五十一条、第五十二条)",
    "fileSimpleRecord": "简易程序备案 — file the on-the-spot decision with the agency (T4a, 第五十二条)",
    "startPerformance": "简易程序履行 — the on-the-spot decision enters performance (T5, 第六十八条、第六十九条)",
    "fileCase": "立案 — file the case: the body decides to investigate; the 90-day clock starts "
                "(T6, 第五十四条、第六十条)",
    "startInvestigation": "调查取证 — start the investigation with at least two certified officers "
                          "(T7, 第四十二条、第四十三条)",
    "recordEvidence": "收集证据 — record an investigative act that produced evidence (T7, 第四十六条)",
    "preserveEvidence": "先行登记保存 — preserve evidence with the head's approval; decide within 7 working days "
                        "(T7a, 第五十六条)",
    "handlePreservation": "登记保存处理 — the handling decision on preserved evidence (T7a, 第五十六条)",
    "linkCoerciveMeasure": "关联强制措施 — link a coercive measure taken in the investigation (T7b, 行政强制法)",
    "concludeInvestigation": "调查终结 — the investigation report is done (T8, 第五十七条)",
    "submitForReview": "提交审查 — submit the concluded investigation to the head (T9, 第五十七条)",
    # --- review, notice, hearing, decision (T10–T20)
    "transferToJudiciary": "移送司法机关 — transfer a suspected crime to the judicial organs (T10, 第二十七条)",
    "submitLegalReview": "法制审核 — submit the case for legal review (T11/T17, 第五十八条)",
    "recordLegalReview": "法制审核意见 — record the legal review: PASS, RETURN or FAIL (T18/T19, 第五十八条)",
    "holdCollectiveDiscussion": "集体讨论 — the heads discuss a complex or major case (T19, 第五十七条第二款)",
    "decideNoPenalty": "不予处罚 — decide not to penalise on a legal ground (T12, 第三十三条、第五十七条)",
    "serveNotice": "行政处罚告知 — notify the intended penalty, its facts, reasons, basis and the party's rights "
                   "(T13, 第四十四条)",
    "recordStatement": "陈述申辩 — record a statement or defence the party made (第四十五条)",
    "reviewStatement": "复核 — review a statement: adopted if it holds (第四十五条)",
    "waiveStatements": "放弃陈述申辩 — the party expressly waives statement and defence (第六十二条)",
    "requestHearing": "听证申请 — the party requests a hearing within 5 working days (T14, 第六十四条)",
    "scheduleHearing": "听证通知 — schedule the hearing, notified at least 7 working days before (T14, 第六十四条)",
    "holdHearing": "举行听证 — the hearing is held, or deemed waived (T15, 第六十四条)",
    "reassess": "重新审查 — re-assess after statements or the hearing, never heavier (T16, 第四十五条、第六十五条)",
    "approveExtension": "延长办案期限 — approve an extension of the 90-day decision period (T20, 第六十条)",
    "decide": "处罚决定 — the head signs the penalty decision (T20, 第五十七条至第五十九条)",
    # --- service, performance, execution (T21–T26)
    "serveDecision": "送达 — serve the decision on the party (T21, 第六十一条)",
    "startPayment": "缴款期限起算 — payment starts: due 15 days after service (T22, 第六十七条)",
    "approveDeferral": "暂缓或者分期缴纳 — approve a deferral or instalments of the fine (T22a, 第六十六条)",
    "confirmPayment": "缴款确认 — the bank confirms payment, or performance of a non-monetary penalty "
                      "(T23, 罚缴分离, 第六十七条)",
    "recordCashHandover": "当场收缴罚款交付 — cash collected on the spot handed to the agency or paid into the bank "
                          "(T23a, 第七十一条)",
    "markOverdue": "逾期未履行 — the due date passed unpaid; the surcharge accrues (T24, 第七十二条)",
    "serveReminder": "催告 — serve the written reminder before execution (行政强制法 第三十五条)",
    "startEnforcement": "强制执行 — decide execution by own power or apply to the court (T25, 行政强制法 "
                        "第四十六条、第五十三条)",
    "recordExecution": "执行完毕 — the decision was executed (T26)",
    # --- overlays and closure (T27–T33)
    "suspend": "中止 — suspend the case, e.g. awaiting appraisal or a missing party (T27)",
    "resume": "恢复 — resume the case to its state before the suspension (T27)",
    "terminate": "终止 — terminate the case on a ground such as the party's death without estate (T28, "
                 "行政强制法 第四十条)",
    "publishDecision": "公示 — publish the decision (T29, 第四十八条)",
    "withdrawPublicity": "撤回公示 — withdraw a published decision within 3 working days (第四十八条第二款)",
    "close": "结案 — close the case: documents complete, evidence hashed (T30)",
    "archive": "归档 — archive the sealed electronic file (T31, 第四十七条)",
    "fileRemedy": "申请复议或提起诉讼 — the party filed an administrative review or suit; the surcharge pauses "
                  "(T32, 第七十三条)",
    "concludeRemedy": "复议诉讼终结 — the review or suit is concluded; the surcharge pause ends (T32)",
    "reviseDecision": "撤销或变更决定 — revoke or change the decision after a remedy or by self-correction "
                      "(T33, 第七十五条)",
    # --- coercive measures (行政强制法, DOMAIN.md §6.1)
    "approveCoerciveMeasure": "批准强制措施 — record the head's prior approval of a seal, seizure or freeze for a "
                              "case (行政强制法 第十八条第一项)",
    "applyEmergencyMeasure": "当场实施强制措施 — apply a measure on the spot in an emergency; report to the head "
                             "within 24 hours (第十九条)",
    "putMeasureInForce": "实施强制措施 — carry out an approved measure on site (第十八条、第二十四条)",
    "reportEmergencyMeasure": "补办批准 — the head's decision on an emergency measure reported within 24 hours: "
                              "approve, or release at once (第十九条)",
    "serveFreezeDecision": "送达冻结决定书 — serve the freeze decision on the party within 3 working days (第三十一条)",
    "extendMeasure": "延长期限 — extend the term once, by at most 30 days (第二十五条、第三十二条)",
    "addMeasureTestingPeriod": "检测期间 — exclude a testing or appraisal period from a seal or seizure term "
                               "(第二十五条第三款)",
    "handleMeasure": "处理决定 — confiscate or destroy the items within the term (第二十七条)",
    "releaseMeasure": "解除强制措施 — release the measure on a ground of 第二十八条 (e.g. term expired)",
    "transferMeasure": "移送 — transfer the items with the case to another organ (第二十一条)",
    # --- inspections (DOMAIN.md §7)
    "planInspection": "制定检查计划 — plan an inspection of an object for an enforcement item",
    "assignInspectors": "分派检查人员 — assign the inspectors",
    "startInspection": "现场检查 — start on site: two certified officers who show their certificates (第五十五条)",
    "recordInspectionFindings": "记录检查结果 — record the result and the 检查笔录",
    "closeInspection": "检查处理 — close on the result: no issue, a rectification order with its due date, or a "
                       "case clue",
    "recheckInspection": "复查 — recheck a rectification",
    "publishInspection": "抽查结果公示 — publish the result of the inspection",
}


def mutation_description(mutation: str) -> str | None:
    return COMMANDS.get(mutation)


def input_description(mutation: str) -> str | None:
    """The description of the input type of `mutation` (None: not written yet)."""
    text = COMMANDS.get(mutation)
    return None if text is None else f"{text}. Input of `{mutation}`."
