"""Enumerations of the case domain (DOMAIN.md §4.7, §5.1)."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    """Penalty-case states (DOMAIN.md §5.1)."""

    CLUE = "CLUE"
    CLUE_VERIFYING = "CLUE_VERIFYING"
    NOT_FILED = "NOT_FILED"
    SIMPLE_DECIDED = "SIMPLE_DECIDED"
    FILED = "FILED"
    INVESTIGATING = "INVESTIGATING"
    INVESTIGATION_CONCLUDED = "INVESTIGATION_CONCLUDED"
    UNDER_REVIEW = "UNDER_REVIEW"
    NOTIFIED = "NOTIFIED"
    HEARING_PENDING = "HEARING_PENDING"
    HEARING_HELD = "HEARING_HELD"
    LEGAL_REVIEW = "LEGAL_REVIEW"
    COLLECTIVE_DISCUSSION = "COLLECTIVE_DISCUSSION"
    DECIDED = "DECIDED"
    NO_PENALTY_DECIDED = "NO_PENALTY_DECIDED"
    TRANSFERRED = "TRANSFERRED"
    SERVED = "SERVED"
    PERFORMING = "PERFORMING"
    OVERDUE = "OVERDUE"
    ENFORCING = "ENFORCING"
    PERFORMED = "PERFORMED"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    CLOSED = "CLOSED"
    ARCHIVED = "ARCHIVED"


# States from which 中止 (T27) and 终止 (T28) may be ordered.
ACTIVE_STATES: frozenset[CaseState] = frozenset(
    {
        CaseState.CLUE,
        CaseState.CLUE_VERIFYING,
        CaseState.SIMPLE_DECIDED,
        CaseState.FILED,
        CaseState.INVESTIGATING,
        CaseState.INVESTIGATION_CONCLUDED,
        CaseState.UNDER_REVIEW,
        CaseState.NOTIFIED,
        CaseState.HEARING_PENDING,
        CaseState.HEARING_HELD,
        CaseState.LEGAL_REVIEW,
        CaseState.COLLECTIVE_DISCUSSION,
        CaseState.DECIDED,
        CaseState.SERVED,
        CaseState.PERFORMING,
        CaseState.OVERDUE,
        CaseState.ENFORCING,
    }
)

# States in which a (penalty or no-penalty) decision exists and can be challenged (T32, T33).
POST_DECISION_STATES: frozenset[CaseState] = frozenset(
    {
        CaseState.DECIDED,
        CaseState.NO_PENALTY_DECIDED,
        CaseState.SIMPLE_DECIDED,
        CaseState.SERVED,
        CaseState.PERFORMING,
        CaseState.OVERDUE,
        CaseState.ENFORCING,
        CaseState.PERFORMED,
    }
)


class Procedure(StrEnum):
    SIMPLE = "SIMPLE"
    ORDINARY = "ORDINARY"


class PartyType(StrEnum):
    """双公示 行政相对人类别."""

    NATURAL_PERSON = "NATURAL_PERSON"  # 自然人
    INDIVIDUAL_BUSINESS = "INDIVIDUAL_BUSINESS"  # 个体工商户
    ORGANISATION = "ORGANISATION"  # 法人及非法人组织


class PenaltyKind(StrEnum):
    """《行政处罚法》第九条."""

    WARNING = "WARNING"
    PUBLIC_CRITICISM = "PUBLIC_CRITICISM"
    FINE = "FINE"
    CONFISCATE_GAINS = "CONFISCATE_GAINS"
    CONFISCATE_PROPERTY = "CONFISCATE_PROPERTY"
    SUSPEND_LICENCE = "SUSPEND_LICENCE"
    DOWNGRADE_QUALIFICATION = "DOWNGRADE_QUALIFICATION"
    REVOKE_LICENCE = "REVOKE_LICENCE"
    RESTRICT_PRODUCTION = "RESTRICT_PRODUCTION"
    ORDER_SUSPEND = "ORDER_SUSPEND"
    ORDER_CLOSE = "ORDER_CLOSE"
    RESTRICT_PRACTICE = "RESTRICT_PRACTICE"
    DETENTION = "DETENTION"
    OTHER = "OTHER"


# Kinds that always give a hearing right (《行政处罚法》第六十三条 (三)(四)).
HEARING_KINDS: frozenset[PenaltyKind] = frozenset(
    {
        PenaltyKind.DOWNGRADE_QUALIFICATION,
        PenaltyKind.REVOKE_LICENCE,
        PenaltyKind.ORDER_SUSPEND,
        PenaltyKind.ORDER_CLOSE,
        PenaltyKind.RESTRICT_PRACTICE,
    }
)

SIMPLE_KINDS: frozenset[PenaltyKind] = frozenset({PenaltyKind.WARNING, PenaltyKind.FINE})


class CircumstanceLevel(StrEnum):
    """裁量情节 of a discretion benchmark (DOMAIN.md §4.8)."""

    NO_PENALTY = "NO_PENALTY"  # 不予处罚
    REDUCED = "REDUCED"  # 减轻
    LIGHTER = "LIGHTER"  # 从轻
    ORDINARY = "ORDINARY"  # 一般
    HEAVIER = "HEAVIER"  # 从重


class CaseSource(StrEnum):
    INSPECTION = "INSPECTION"
    COMPLAINT = "COMPLAINT"
    REFERRAL = "REFERRAL"
    MONITORING = "MONITORING"
    DATA_ANALYSIS = "DATA_ANALYSIS"
    SELF_REPORT = "SELF_REPORT"
    OTHER = "OTHER"


class BasisLevel(StrEnum):
    """Level of the norm an extension or a measure relies on (《立法法》 hierarchy)."""

    LAW = "LAW"  # 法律
    ADMIN_REGULATION = "ADMIN_REGULATION"  # 行政法规
    LOCAL_REGULATION = "LOCAL_REGULATION"  # 地方性法规
    RULE = "RULE"  # 部门规章 / 地方政府规章
    NORMATIVE_DOC = "NORMATIVE_DOC"  # 规范性文件


class EvidenceKind(StrEnum):
    """《行政处罚法》第四十六条."""

    DOCUMENTARY = "DOCUMENTARY"
    PHYSICAL = "PHYSICAL"
    AUDIOVISUAL = "AUDIOVISUAL"
    ELECTRONIC = "ELECTRONIC"
    WITNESS = "WITNESS"
    PARTY_STATEMENT = "PARTY_STATEMENT"
    EXPERT_OPINION = "EXPERT_OPINION"
    INSPECTION_RECORD = "INSPECTION_RECORD"


class ServiceMethod(StrEnum):
    DIRECT = "DIRECT"  # 直接送达
    LEFT_AT_ADDRESS = "LEFT_AT_ADDRESS"  # 留置送达
    POST = "POST"  # 邮寄送达
    ELECTRONIC = "ELECTRONIC"  # 电子送达 (needs the party's signed consent)
    ENTRUSTED = "ENTRUSTED"  # 委托送达
    PUBLIC_NOTICE = "PUBLIC_NOTICE"  # 公告送达


class NoPenaltyGround(StrEnum):
    MINOR_AND_CORRECTED = "MINOR_AND_CORRECTED"  # 第三十三条第一款 前段 (shall not)
    FIRST_VIOLATION = "FIRST_VIOLATION"  # 第三十三条第一款 后段 首违可不罚
    NO_FAULT = "NO_FAULT"  # 第三十三条第二款
    FACTS_NOT_ESTABLISHED = "FACTS_NOT_ESTABLISHED"  # 第五十七条第一款第(三)项
    UNDER_AGE = "UNDER_AGE"  # 第三十条
    MENTAL_INCAPACITY = "MENTAL_INCAPACITY"  # 第三十一条


# Grounds for which 《行政处罚法》第三十三条第三款 requires education of the party.
EDUCATION_GROUNDS: frozenset[NoPenaltyGround] = frozenset(
    {NoPenaltyGround.MINOR_AND_CORRECTED, NoPenaltyGround.FIRST_VIOLATION, NoPenaltyGround.NO_FAULT}
)


class ReviewOpinion(StrEnum):
    PASS = "PASS"
    RETURN = "RETURN"
    FAIL = "FAIL"


class HearingStatus(StrEnum):
    REQUESTED = "REQUESTED"
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    WAIVED = "WAIVED"  # unjustified absence or walking out (《行政处罚法》第六十四条第(八)项)


class RemedyKind(StrEnum):
    ADMIN_REVIEW = "ADMIN_REVIEW"  # 行政复议
    LITIGATION = "LITIGATION"  # 行政诉讼


class RemedyOutcome(StrEnum):
    UPHELD = "UPHELD"
    REVOKED = "REVOKED"
    CHANGED = "CHANGED"
    WITHDRAWN = "WITHDRAWN"


class EnforcementRoute(StrEnum):
    OWN_POWER = "OWN_POWER"  # the agency executes under its statutory power
    COURT = "COURT"  # 申请人民法院强制执行


class CashStage(StrEnum):
    """Where cash collected on the spot went next (《行政处罚法》第七十一条)."""

    AGENCY = "AGENCY"  # handed to the agency by the officer who collected it
    BANK = "BANK"  # paid by the agency into the designated bank


class TerminationGround(StrEnum):
    PARTY_DEAD_NO_ESTATE = "PARTY_DEAD_NO_ESTATE"
    ENTITY_DISSOLVED_NO_ASSETS = "ENTITY_DISSOLVED_NO_ASSETS"
    SUBJECT_MATTER_DESTROYED = "SUBJECT_MATTER_DESTROYED"
    DECISION_REVOKED = "DECISION_REVOKED"
    OTHER = "OTHER"


class CoerciveKind(StrEnum):
    """《行政强制法》第九条."""

    RESTRICT_LIBERTY = "RESTRICT_LIBERTY"
    SEAL = "SEAL"  # 查封
    SEIZE = "SEIZE"  # 扣押
    FREEZE = "FREEZE"  # 冻结
    OTHER = "OTHER"


# Which norm levels may set each measure (《行政强制法》第十条).
MEASURE_BASIS_LEVELS: dict[CoerciveKind, frozenset[BasisLevel]] = {
    CoerciveKind.RESTRICT_LIBERTY: frozenset({BasisLevel.LAW}),
    CoerciveKind.FREEZE: frozenset({BasisLevel.LAW}),
    CoerciveKind.SEAL: frozenset({BasisLevel.LAW, BasisLevel.ADMIN_REGULATION, BasisLevel.LOCAL_REGULATION}),
    CoerciveKind.SEIZE: frozenset({BasisLevel.LAW, BasisLevel.ADMIN_REGULATION, BasisLevel.LOCAL_REGULATION}),
    CoerciveKind.OTHER: frozenset({BasisLevel.LAW, BasisLevel.ADMIN_REGULATION}),
}
