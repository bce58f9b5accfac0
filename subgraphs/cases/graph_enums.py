"""The case domain's enums registered as GraphQL enums — imported before any graph type uses them."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from subgraphs.cases.domain import enums as e
from subgraphs.cases.enum_values import describe_values

E = TypeVar("E", bound=type[Enum])


def described(cls: E, name: str, description: str) -> E:
    """`cls` as the GraphQL enum `name`, its values described from `enum_values.VALUES`."""
    registered = strawberry.enum(cls, name=name, description=description)
    describe_values(registered)
    return registered


CaseStateEnum = described(e.CaseState, "CaseState", "案件状态 — penalty-case states (DOMAIN.md §5.1)")
ProcedureEnum = described(e.Procedure, "Procedure", "程序 — the procedure a case follows (简易 or 普通)")
PartyTypeEnum = described(e.PartyType, "PartyType", "行政相对人类别 — kind of party, as 双公示 classifies it")
PenaltyKindEnum = described(e.PenaltyKind, "PenaltyKind", "处罚种类 — kinds of administrative penalty (行政处罚法 第九条)")
CircumstanceEnum = described(e.CircumstanceLevel, "CircumstanceLevel",
                             "裁量情节 — the circumstance band of the discretion benchmark (第三十四条)")
CaseSourceEnum = described(e.CaseSource, "CaseSource", "案件来源 — how a case came to the body")
BasisLevelEnum = described(e.BasisLevel, "BasisLevel",
                           "依据层级 — level of the norm a measure or extension relies on (立法法 hierarchy)")
EvidenceKindEnum = described(e.EvidenceKind, "EvidenceKind", "证据种类 — kinds of evidence (行政处罚法 第四十六条)")
ServiceMethodEnum = described(e.ServiceMethod, "ServiceMethod", "送达方式 — how a decision is served (第六十一条)")
NoPenaltyGroundEnum = described(e.NoPenaltyGround, "NoPenaltyGround", "不予处罚理由 — the legal ground for no penalty")
ReviewOpinionEnum = described(e.ReviewOpinion, "ReviewOpinion", "法制审核意见 — the legal reviewer's opinion (第五十八条)")
RemedyKindEnum = described(e.RemedyKind, "RemedyKind", "救济途径 — the remedy the party sought")
RemedyOutcomeEnum = described(e.RemedyOutcome, "RemedyOutcome", "救济结果 — outcome of a review, suit or self-correction")
EnforcementRouteEnum = described(e.EnforcementRoute, "EnforcementRoute", "强制执行途径 — who enforces an unperformed decision")
TerminationGroundEnum = described(e.TerminationGround, "TerminationGround",
                                  "终止理由 — why a case is terminated (行政强制法 第四十条)")
CoerciveKindEnum = described(e.CoerciveKind, "CoerciveKind", "强制措施种类 — kinds of coercive measure (行政强制法 第九条)")
CashStageEnum = described(e.CashStage, "CashStage",
                          "当场收缴罚款去向 — where cash collected on the spot went next (行政处罚法 第七十一条)")
