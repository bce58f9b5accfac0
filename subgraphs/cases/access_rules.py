"""Who may read and change cases (the case-handling platform, DOMAIN.md §4.10, §10): this subgraph's rules.

Cases and everything in them (parties, evidence, documents, events, measures, inspections) need
``cases:read``; which cases a caller sees is the row scope (`access.py`): their body, or the area
they supervise. Changing a case needs ``cases:write``; approvals by the body head
``cases:approve``; the legal review ``cases:review``. The published item catalogue is public
(``catalogue:read`` or ``publicity:read``); changing it is the body head's (drafts the handler's).
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, scopes

_READ = scopes("cases:read")
_CATALOGUE = scopes("catalogue:read", "publicity:read")
_APPROVE = scopes("cases:approve")

_CASE_TYPES = ("PurposeCheck", "CaseDeadline", "CaseDecision", "CaseDocument", "CaseEnforcement", "CaseEvent", "CaseEvidence",
               "CaseParty", "CasePayment", "ChainCheck", "CoerciveMeasure", "Inspection", "IntegrityCheck",
               "LicenceLink", "MeasureItemView", "PenaltyCase", "RecordDeadline", "RecordEvent", "UploadedFile",
               "CaseAct", "CaseArchiveFile", "CaseAssignment", "CaseHearing", "CaseParticipation", "RepeatParty", "EventField",
               "UploadSession", "FileChunk")

RULES: AccessRules = {
    **dict.fromkeys(_CASE_TYPES, _READ),
    "EnforcementItemVersion": _CATALOGUE,
    "LegalEntity.penalties": _READ,
    "LegalEntity.cases": _READ,
    "EnforcementBody.cases": _READ,
    "EnforcementBody.inspections": _READ,
    "EnforcementBody.coerciveMeasures": _READ,
    "Officer.cases": _READ,
    "Officer.participations": _READ,
    "Person.cases": _READ,
    "Query.enforcementItems": _CATALOGUE,
    "Query.*": _READ,
    # the same readers as penaltyCase, the same row scope (`subgraphs.cases.live`)
    "CaseChange": _READ,
    "Subscription.caseChanged": _READ,
    "Mutation.approveCoerciveMeasure": _APPROVE,
    "Mutation.approveDeferral": _APPROVE,
    "Mutation.approveExtension": _APPROVE,
    "Mutation.approveEnforcementItem": _APPROVE,
    "Mutation.rejectEnforcementItem": _APPROVE,
    "Mutation.publishEnforcementItem": _APPROVE,
    "Mutation.recordLegalReview": scopes("cases:review"),
    "Mutation.*": scopes("cases:write"),
}
