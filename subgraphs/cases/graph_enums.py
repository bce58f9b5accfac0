"""The case domain's enums registered as GraphQL enums — imported before any graph type uses them."""

from __future__ import annotations

import strawberry

from subgraphs.cases.domain import enums as e

CaseStateEnum = strawberry.enum(e.CaseState, name="CaseState", description="Penalty-case states (DOMAIN.md §5.1)")
ProcedureEnum = strawberry.enum(e.Procedure, name="Procedure")
PartyTypeEnum = strawberry.enum(e.PartyType, name="PartyType")
PenaltyKindEnum = strawberry.enum(e.PenaltyKind, name="PenaltyKind")
CircumstanceEnum = strawberry.enum(e.CircumstanceLevel, name="CircumstanceLevel")
CaseSourceEnum = strawberry.enum(e.CaseSource, name="CaseSource")
BasisLevelEnum = strawberry.enum(e.BasisLevel, name="BasisLevel")
EvidenceKindEnum = strawberry.enum(e.EvidenceKind, name="EvidenceKind")
ServiceMethodEnum = strawberry.enum(e.ServiceMethod, name="ServiceMethod")
NoPenaltyGroundEnum = strawberry.enum(e.NoPenaltyGround, name="NoPenaltyGround")
ReviewOpinionEnum = strawberry.enum(e.ReviewOpinion, name="ReviewOpinion")
RemedyKindEnum = strawberry.enum(e.RemedyKind, name="RemedyKind")
RemedyOutcomeEnum = strawberry.enum(e.RemedyOutcome, name="RemedyOutcome")
EnforcementRouteEnum = strawberry.enum(e.EnforcementRoute, name="EnforcementRoute")
TerminationGroundEnum = strawberry.enum(e.TerminationGround, name="TerminationGround")
CoerciveKindEnum = strawberry.enum(e.CoerciveKind, name="CoerciveKind")
