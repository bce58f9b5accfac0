"""The words of the case pages: Chinese names of case states, steps, roles and kinds (DOMAIN.md terms).

The graph answers codes (`INVESTIGATING`, `FileCase`, `DECISION` …); the pages show these names,
and the code itself where no name is known (a new code still shows, never an error).
"""

from __future__ import annotations

from typing import Final

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []  # a helper of web/pages/cases.py: no pages of its own

#: 案件状态 — CaseState (DOMAIN.md §5.1)
STATES: Final = {
    "CLUE": "案源登记", "CLUE_VERIFYING": "核查", "NOT_FILED": "不予立案", "SIMPLE_DECIDED": "简易程序当场决定",
    "FILED": "已立案", "INVESTIGATING": "调查取证", "INVESTIGATION_CONCLUDED": "调查终结", "UNDER_REVIEW": "负责人审查",
    "NOTIFIED": "已告知", "HEARING_PENDING": "听证待举行", "HEARING_HELD": "听证已举行", "LEGAL_REVIEW": "法制审核中",
    "COLLECTIVE_DISCUSSION": "集体讨论", "DECIDED": "已作出处罚决定", "NO_PENALTY_DECIDED": "不予处罚决定",
    "TRANSFERRED": "已移送司法机关", "SERVED": "已送达", "PERFORMING": "履行期内", "OVERDUE": "逾期未履行",
    "ENFORCING": "强制执行中", "PERFORMED": "履行完毕", "SUSPENDED": "中止", "TERMINATED": "终止/终结",
    "CLOSED": "结案", "ARCHIVED": "归档",
}

#: states after which no deadline of the case can still run out
FINISHED_STATES: Final = frozenset({"NOT_FILED", "TRANSFERRED", "TERMINATED", "CLOSED", "ARCHIVED"})

#: 事件类型 — the command that made a full-process record entry (DOMAIN.md §5.2)
EVENT_KINDS: Final = {
    "RegisterClue": "案源登记", "AssignVerifier": "核查", "DecideNotToFile": "不予立案", "DecideOnTheSpot": "简易程序当场决定",
    "FileSimpleRecord": "简易程序备案", "StartPerformance": "简易程序履行", "FileCase": "立案", "StartInvestigation": "调查取证",
    "RecordEvidence": "收集证据", "PreserveEvidence": "先行登记保存", "HandlePreservation": "登记保存处理",
    "LinkCoerciveMeasure": "关联强制措施", "ConcludeInvestigation": "调查终结", "SubmitForReview": "提交审查",
    "TransferToJudiciary": "移送司法机关", "SubmitLegalReview": "提交法制审核", "RecordLegalReview": "法制审核意见",
    "HoldCollectiveDiscussion": "集体讨论", "DecideNoPenalty": "不予处罚", "ServeNotice": "行政处罚告知",
    "RecordStatement": "陈述申辩", "ReviewStatement": "复核", "WaiveStatements": "放弃陈述申辩", "RequestHearing": "听证申请",
    "ScheduleHearing": "听证通知", "HoldHearing": "举行听证", "Reassess": "重新审查", "ApproveExtension": "延长办案期限",
    "Decide": "处罚决定", "ServeDecision": "送达", "StartPayment": "缴款期限起算", "ApproveDeferral": "暂缓或者分期缴纳",
    "ConfirmPayment": "缴款确认", "RecordCashHandover": "当场收缴罚款交付", "MarkOverdue": "逾期未履行", "ServeReminder": "催告",
    "StartEnforcement": "强制执行", "RecordExecution": "执行完毕", "Suspend": "中止", "Resume": "恢复", "Terminate": "终止",
    "PublishDecision": "公示", "WithdrawPublicity": "撤回公示", "Close": "结案", "Archive": "归档",
    "FileRemedy": "申请复议或提起诉讼", "ConcludeRemedy": "复议诉讼终结", "ReviseDecision": "撤销或变更决定",
    "AttachDocument": "添加执法文书", "AttachEvidence": "上传证据",
}

PROCEDURES: Final = {"SIMPLE": "简易程序", "ORDINARY": "普通程序"}

SOURCES: Final = {
    "INSPECTION": "监督检查", "COMPLAINT": "投诉举报", "REFERRAL": "移送/交办", "MONITORING": "电子监控",
    "DATA_ANALYSIS": "大数据线索", "SELF_REPORT": "自查报告", "OTHER": "其他",
}

CASE_ROLES: Final = {
    "INVESTIGATOR": "承办人", "VERIFIER": "核查人", "LEGAL_REVIEWER": "法制审核人员", "HEARING_CHAIR": "听证主持人",
    "COLLECTOR": "证据收集人",
}

PARTY_TYPES: Final = {"NATURAL_PERSON": "自然人", "INDIVIDUAL_BUSINESS": "个体工商户", "ORGANISATION": "法人或其他组织"}

DEADLINES: Final = {
    "FILING_DECISION": "立案审查期限", "DECISION": "作出决定期限", "SERVICE": "送达期限", "PAYMENT": "缴款期限",
    "STATEMENT": "陈述申辩期限", "HEARING_REQUEST": "听证申请期限", "HEARING_EARLIEST": "听证通知期限",
    "PRESERVATION_HANDLING": "登记保存处理期限", "SEAL_SEIZE_TERM": "查封扣押期限", "FREEZE_TERM": "冻结期限",
    "FREEZE_DECISION_SERVICE": "冻结决定送达期限", "EMERGENCY_REPORT": "当场实施报告期限", "LIMITATION": "追责时效",
    "LEGAL_REVIEW": "法制审核期限", "PUBLICITY": "公示期限", "PUBLICITY_WITHDRAWAL": "撤回公示期限",
    "CLOSURE": "结案期限", "ARCHIVE": "归档期限", "SIMPLE_RECORD": "简易程序备案期限",
    "COURT_APPLICATION": "申请法院强制执行期限", "COURT_REMINDER": "催告期限",
}

#: the events that discharge a deadline the body must meet (a party's own periods are not listed)
DEADLINE_MET_BY: Final = {
    "FILING_DECISION": ("FileCase", "DecideNotToFile", "TransferToJudiciary"),
    "DECISION": ("Decide", "DecideNoPenalty", "TransferToJudiciary"),
    "SERVICE": ("ServeDecision",),
    "PAYMENT": ("ConfirmPayment",),
    "LIMITATION": ("FileCase", "DecideOnTheSpot"),
    "LEGAL_REVIEW": ("RecordLegalReview",),
    "PUBLICITY": ("PublishDecision",),
    "CLOSURE": ("Close",),
    "ARCHIVE": ("Archive",),
    "SIMPLE_RECORD": ("FileSimpleRecord",),
    "PRESERVATION_HANDLING": ("HandlePreservation",),
    "COURT_APPLICATION": ("StartEnforcement",),
    "HEARING_EARLIEST": ("HoldHearing",),
}

UNITS: Final = {"WORKING_DAYS": "个工作日", "CALENDAR_DAYS": "日", "HOURS": "小时", "MONTHS": "个月", "YEARS": "年"}

EVIDENCE_KINDS: Final = {
    "DOCUMENTARY": "书证", "PHYSICAL": "物证", "AUDIOVISUAL": "视听资料", "ELECTRONIC": "电子数据",
    "WITNESS": "证人证言", "PARTY_STATEMENT": "当事人的陈述", "EXPERT_OPINION": "鉴定意见",
    "INSPECTION_RECORD": "勘验笔录、现场笔录",
}

MEASURE_KINDS: Final = {"RESTRICT_LIBERTY": "限制公民人身自由", "SEAL": "查封", "SEIZE": "扣押", "FREEZE": "冻结",
                        "OTHER": "其他"}

MEASURE_STATES: Final = {"APPROVED": "已批准", "EMERGENCY_APPLIED": "当场实施", "IN_FORCE": "实施中", "EXTENDED": "已延长",
                         "HANDLED": "已处理", "RELEASED": "已解除", "TRANSFERRED": "已移送"}

ALERT_STATUSES: Final = {"OPEN": "待处理", "ACKNOWLEDGED": "已签收", "RECTIFIED": "已整改", "DISMISSED": "已排除"}


def name(table: dict[str, str], code: str | None) -> str:
    """The Chinese name of `code` in `table`; the code itself when none is known; "—" for none."""
    if not code:
        return "—"
    return table.get(code, code)
