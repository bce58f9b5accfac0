"""Who may read and act on supervision data (行政执法监督, DOMAIN.md §8, §12): this subgraph's rules.

Alerts are read by supervisors (``supervision:read``) and by the head of the body an alert is about
(``cases:approve``, who acknowledges and rectifies it); statistics by supervisors and auditors
(``statistics:read``); review campaigns by supervisors. Dismissing alerts and running reviews need
``supervision:write``; acknowledging and rectifying ``supervision:write`` or the body head's
``cases:approve``. Which rows a caller sees and may change is decided by the subgraph (the body's
area against the caller's; a body never dismisses its own alert).
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, scopes

_ALERTS = scopes("supervision:read", "cases:approve")
_STATS = scopes("statistics:read", "supervision:read")
_REVIEWS = scopes("supervision:read")
_WRITE = scopes("supervision:write")

RULES: AccessRules = {
    "SupervisionAlert": _ALERTS,
    "AlertPage": _ALERTS,
    "EnforcementBody.alerts": _ALERTS,
    "PenaltyCase.alerts": _ALERTS,
    **dict.fromkeys(("BodyCount", "BodyRate", "BodyReviewScore", "BodyWorkforce", "ExpiringCertificates", "GroupCount", "RuleAlertCount", "Workforce"), _STATS),
    "ReviewCampaign": _REVIEWS,
    "ReviewFile": _REVIEWS,
    "ReviewPurposeCheck": scopes("supervision:read", "cases:read"),
    "Query.reviewPurposeBinding": scopes("supervision:read", "cases:read"),
    "Query.supervisionAlerts": _ALERTS,
    "Query.supervisionPersons": _REVIEWS,
    "Query.reviewCampaigns": _REVIEWS,
    "Query.reviewCampaignFiles": _REVIEWS,
    "Query.*": _STATS,
    "Mutation.scoreReviewFile": scopes("supervision:write", "cases:review"),
    "Mutation.acknowledgeAlert": scopes("supervision:write", "cases:approve"),
    "Mutation.rectifyAlert": scopes("supervision:write", "cases:approve"),
    "Mutation.*": _WRITE,
}
