"""What each value of the cases subgraph's enums means: the Chinese term, then an English gloss.

`describe_values` writes these onto an enum strawberry has registered (the domain enums are plain
`StrEnum`s, so their values cannot carry `strawberry.enum_value`); a value without a line here is
left undescribed, and the descriptions test names it.
"""

from __future__ import annotations

from enum import Enum

VALUES: dict[str, dict[str, str]] = {
    "CaseState": {
        "CLUE": "案源登记 — clue registered, not yet verified (T1)",
        "CLUE_VERIFYING": "核查 — a verifier checks the clue before filing (T2)",
        "NOT_FILED": "不予立案 — the head decided not to file; terminal (T3, 行政处罚法 第五十四条)",
        "SIMPLE_DECIDED": "简易程序当场决定 — decided on the spot in the simple procedure (T4, 第五十一条、第五十二条)",
        "FILED": "已立案 — filed; the 90-day decision clock runs (T6, 第五十四条、第六十条)",
        "INVESTIGATING": "调查取证 — under investigation by at least two certified officers (T7, 第四十二条)",
        "INVESTIGATION_CONCLUDED": "调查终结 — the investigation report is done (T8)",
        "UNDER_REVIEW": "负责人审查 — the head reviews the case (T9, 第五十七条)",
        "NOTIFIED": "已告知 — the intended penalty was notified; statements may be made (T13, 第四十四条)",
        "HEARING_PENDING": "听证待举行 — a hearing was requested and is pending (T14, 第六十四条)",
        "HEARING_HELD": "听证已举行 — the hearing was held or deemed waived (T15)",
        "LEGAL_REVIEW": "法制审核中 — under legal review before the decision (T11/T17, 第五十八条)",
        "COLLECTIVE_DISCUSSION": "集体讨论 — a complex or major case before the heads collectively (T19, 第五十七条第二款)",
        "DECIDED": "已作出处罚决定 — the penalty decision is made (T20)",
        "NO_PENALTY_DECIDED": "不予处罚决定 — decided not to penalise (T12, 第三十三条、第五十七条)",
        "TRANSFERRED": "已移送司法机关 — transferred to the judicial organs as a suspected crime (T10, 第二十七条)",
        "SERVED": "已送达 — the decision was served on the party (T21, 第六十一条)",
        "PERFORMING": "履行期内 — within the payment period, deferral or instalments included (T22)",
        "OVERDUE": "逾期未履行 — unpaid after the due date; the surcharge accrues (T24, 第七十二条)",
        "ENFORCING": "强制执行中 — being enforced, by the body's own power or the court (T25)",
        "PERFORMED": "履行完毕 — the decision has been performed (T23/T26)",
        "SUSPENDED": "中止 — suspended; resumes to the state before (T27)",
        "TERMINATED": "终止/终结 — terminated, e.g. the party died with no estate (T28)",
        "CLOSED": "结案 — the case is closed (T30)",
        "ARCHIVED": "归档 — the sealed electronic file is archived (T31, 第四十七条)",
    },
    "Procedure": {
        "SIMPLE": "简易程序 — on-the-spot procedure: warning, or a small fine (行政处罚法 第五十一条)",
        "ORDINARY": "普通程序 — ordinary procedure: filing, investigation, notice, decision (第五十四条)",
    },
    "PartyType": {
        "NATURAL_PERSON": "自然人 — a natural person",
        "INDIVIDUAL_BUSINESS": "个体工商户 — an individual business",
        "ORGANISATION": "法人及非法人组织 — a legal person or other organisation",
    },
    "PenaltyKind": {
        "WARNING": "警告 — warning (行政处罚法 第九条)",
        "PUBLIC_CRITICISM": "通报批评 — public criticism",
        "FINE": "罚款 — fine",
        "CONFISCATE_GAINS": "没收违法所得 — confiscation of illegal gains",
        "CONFISCATE_PROPERTY": "没收非法财物 — confiscation of illegal property",
        "SUSPEND_LICENCE": "暂扣许可证件 — suspension of a licence",
        "DOWNGRADE_QUALIFICATION": "降低资质等级 — downgrade of a qualification (gives a hearing right)",
        "REVOKE_LICENCE": "吊销许可证件 — revocation of a licence (gives a hearing right)",
        "RESTRICT_PRODUCTION": "限制开展生产经营活动 — restriction of production or business",
        "ORDER_SUSPEND": "责令停产停业 — order to suspend production or business (gives a hearing right)",
        "ORDER_CLOSE": "责令关闭 — order to close (gives a hearing right)",
        "RESTRICT_PRACTICE": "限制从业 — restriction of practice (gives a hearing right)",
        "DETENTION": "行政拘留 — administrative detention (public security only)",
        "OTHER": "其他 — another kind set by law or administrative regulation",
    },
    "CircumstanceLevel": {
        "NO_PENALTY": "不予处罚 — no penalty",
        "REDUCED": "减轻 — reduced: below the statutory range",
        "LIGHTER": "从轻 — lighter: in the lower part of the range",
        "ORDINARY": "一般 — ordinary circumstances",
        "HEAVIER": "从重 — heavier: in the upper part of the range",
    },
    "CaseSource": {
        "INSPECTION": "监督检查 — found in an inspection",
        "COMPLAINT": "投诉举报 — a complaint or report",
        "REFERRAL": "移送/交办 — referred or assigned by another organ",
        "MONITORING": "电子监控 — electronic monitoring (行政处罚法 第四十一条)",
        "DATA_ANALYSIS": "大数据线索 — a clue from data analysis",
        "SELF_REPORT": "自查报告 — reported by the party itself",
        "OTHER": "其他 — another source",
    },
    "BasisLevel": {
        "LAW": "法律 — a national law",
        "ADMIN_REGULATION": "行政法规 — an administrative regulation of the State Council",
        "LOCAL_REGULATION": "地方性法规 — a local regulation",
        "RULE": "规章 — a departmental or local government rule",
        "NORMATIVE_DOC": "规范性文件 — a normative document (may set no measure or extension)",
    },
    "EvidenceKind": {
        "DOCUMENTARY": "书证 — documentary evidence (行政处罚法 第四十六条)",
        "PHYSICAL": "物证 — physical evidence",
        "AUDIOVISUAL": "视听资料 — audiovisual material",
        "ELECTRONIC": "电子数据 — electronic data",
        "WITNESS": "证人证言 — witness testimony",
        "PARTY_STATEMENT": "当事人的陈述 — the party's statement",
        "EXPERT_OPINION": "鉴定意见 — expert opinion",
        "INSPECTION_RECORD": "勘验笔录/现场笔录 — inspection or on-site record",
    },
    "ServiceMethod": {
        "DIRECT": "直接送达 — handed to the party",
        "LEFT_AT_ADDRESS": "留置送达 — left at the party's address after a refusal",
        "POST": "邮寄送达 — by post",
        "ELECTRONIC": "电子送达 — electronically, with the party's signed consent (第六十一条)",
        "ENTRUSTED": "委托送达 — through another organ",
        "PUBLIC_NOTICE": "公告送达 — by public notice",
    },
    "NoPenaltyGround": {
        "MINOR_AND_CORRECTED": "轻微并及时改正 — minor, promptly corrected, no harm: shall not penalise (第三十三条第一款)",
        "FIRST_VIOLATION": "首违可不罚 — first violation, slight harm, corrected: may not penalise (第三十三条第一款)",
        "NO_FAULT": "无主观过错 — no subjective fault (第三十三条第二款)",
        "FACTS_NOT_ESTABLISHED": "违法事实不能成立 — the facts are not established (第五十七条第一款第三项)",
        "UNDER_AGE": "不满十四周岁 — the party was under 14 (第三十条)",
        "MENTAL_INCAPACITY": "精神病人、智力残疾人 — could not recognise or control the conduct (第三十一条)",
    },
    "ReviewOpinion": {
        "PASS": "通过 — the legal review passed",
        "RETURN": "退回 — returned for supplementing or correction",
        "FAIL": "不通过 — the legal review failed",
    },
    "RemedyKind": {
        "ADMIN_REVIEW": "行政复议 — administrative review (60 days)",
        "LITIGATION": "行政诉讼 — administrative litigation (6 months)",
    },
    "RemedyOutcome": {
        "UPHELD": "维持 — the decision is upheld",
        "REVOKED": "撤销 — the decision is revoked",
        "CHANGED": "变更 — the decision is changed",
        "WITHDRAWN": "撤回 — the application or suit was withdrawn",
    },
    "EnforcementRoute": {
        "OWN_POWER": "行政机关强制执行 — the body executes under its own statutory power",
        "COURT": "申请人民法院强制执行 — application to the people's court (行政强制法 第十三条、第五十三条)",
    },
    "CashStage": {
        "AGENCY": "交至行政机关 — cash handed to the agency by the collecting officer (2 working days)",
        "BANK": "缴付指定银行 — cash paid by the agency into the designated bank (2 working days)",
    },
    "TerminationGround": {
        "PARTY_DEAD_NO_ESTATE": "当事人死亡无遗产 — the party died leaving no estate",
        "ENTITY_DISSOLVED_NO_ASSETS": "法人终止无财产 — the entity was dissolved with no assets",
        "SUBJECT_MATTER_DESTROYED": "执行标的灭失 — the subject matter was destroyed",
        "DECISION_REVOKED": "据以执行的决定被撤销 — the decision enforced was revoked",
        "OTHER": "其他 — another ground",
    },
    "CoerciveKind": {
        "RESTRICT_LIBERTY": "限制公民人身自由 — restriction of personal liberty (law only)",
        "SEAL": "查封 — sealing of premises, facilities or property",
        "SEIZE": "扣押 — seizure of property",
        "FREEZE": "冻结 — freezing of deposits or remittances (law only)",
        "OTHER": "其他 — another measure",
    },
    "MeasureState": {
        "APPROVED": "已批准 — approved by the head beforehand (行政强制法 第十八条)",
        "EMERGENCY_APPLIED": "当场实施 — applied on the spot; report within 24 hours (第十九条)",
        "IN_FORCE": "实施中 — in force; the 30-day term runs (第二十五条)",
        "EXTENDED": "已延长 — the term was extended once (第二十五条)",
        "HANDLED": "已处理 — confiscated or destroyed (第二十七条)",
        "RELEASED": "已解除 — released; items returned (第二十八条)",
        "TRANSFERRED": "已移送 — items transferred with the case (第二十一条)",
    },
    "HandlingKind": {
        "CONFISCATE": "没收 — confiscate the items",
        "DESTROY": "销毁 — destroy the items",
    },
    "InspectionState": {
        "PLANNED": "已计划 — planned (双随机 selection)",
        "ASSIGNED": "已分派 — inspectors assigned",
        "ON_SITE": "现场检查 — on site with certificates shown",
        "RESULT_RECORDED": "结果已记录 — result and 检查笔录 recorded",
        "CLOSED_NO_ISSUE": "未发现问题 — closed, no issue found",
        "RECTIFICATION_ORDERED": "责令整改 — rectification ordered",
        "RECHECKED": "已复查 — the rectification was rechecked",
        "CLUE_CREATED": "转立案线索 — a case clue was created",
        "PUBLISHED": "已公示 — the result is published (抽查结果公示)",
    },
    "CheckResult": {
        "NO_ISSUE": "未发现问题 — no issue found",
        "RECTIFY": "发现问题责令整改 — issue found, rectification ordered",
        "FILE_CASE": "发现问题立案查处 — issue found, a case to be filed",
        "OBJECT_NOT_FOUND": "未找到检查对象 — the object was not found",
    },
    "EnforcementItemStatus": {
        "DRAFT": "草稿 — drafted, not yet submitted",
        "LEGAL_REVIEW": "法制审核中 — submitted for legal review",
        "APPROVED": "审核通过 — approved, not yet published",
        "PUBLISHED": "已发布 — published: the version cases apply",
        "REJECTED": "审核不通过 — rejected by the reviewer",
        "SUPERSEDED": "已被替代 — replaced by a later published version",
    },
    "SortDirection": {"ASC": "升序 — ascending", "DESC": "降序 — descending"},
    "CaseOrderField": {
        "CASE_NO": "案件编号 — by case number",
        "FILED_ON": "立案日期 — by filing date",
        "DECIDED_ON": "决定日期 — by decision date",
        "CLOSED_ON": "结案日期 — by closing date",
        "FINE": "罚款 — by fine amount",
        "STATUS": "案件状态 — by state",
        "ITEM": "执法事项 — by enforcement item code",
        "BODY": "执法主体 — by body USCC",
        "REGION": "区划 — by region code",
    },
    "MeasureOrderField": {
        "TERM_DUE": "期限届满日 — by last day of term",
        "STARTED_ON": "实施日期 — by start date",
        "BODY": "执法主体 — by body USCC",
        "STATE": "状态 — by state",
    },
    "InspectionOrderField": {
        "CHECKED_ON": "检查日期 — by day of the on-site check",
        "BODY": "执法主体 — by body USCC",
        "STATE": "状态 — by state",
        "ITEM": "执法事项 — by enforcement item code",
    },
    "CaseRole": {
        "INVESTIGATOR": "承办人 — investigating officer",
        "VERIFIER": "核查人 — officer who verified the clue",
        "LEGAL_REVIEWER": "法制审核人员 — legal reviewer",
        "HEARING_CHAIR": "听证主持人 — hearing chair (never an investigator)",
        "COLLECTOR": "证据收集人 — collected evidence without being an investigator",
    },
    "ActKind": {
        "EVIDENCE": "收集证据 — collected evidence",
        "SIMPLE_DECISION": "当场处罚决定 — made an on-the-spot decision",
        "HEARING": "主持听证 — chaired a hearing",
        "LEGAL_REVIEW": "法制审核 — carried out a legal review",
        "COERCIVE_MEASURE": "实施强制措施 — carried out a coercive measure",
    },
}


def describe_values(cls: type[Enum]) -> None:
    """Give the values of the registered enum `cls` their descriptions from `VALUES`."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    table = VALUES.get(definition.name, {})
    for value in definition.values:
        value.description = table.get(value.name, value.description)
