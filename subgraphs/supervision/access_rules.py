"""Who may read and act on supervision data (行政执法监督, DOMAIN.md §8, §12): this subgraph's rules.

Alerts are read by supervisors (``supervision:read``) and by the head of the body an alert is about
(``cases:approve``, who answers it); statistics by supervisors and auditors (``statistics:read``), and
the case counts, body rates and alerts by rule — the dashboard's figures — by a body head too, of the
own body (the row scope); review campaigns by supervisors; a review file also by the legal reviewers
(``cases:review``) who get it from `myReviewAssignments` (their own assignments) or as the answer of
scoring it. Every supervision mutation (acknowledging, rectifying and dismissing
alerts, running reviews) needs ``supervision:write``; scoring a review file also a legal reviewer's
``cases:review``. Which alerts a caller may change is decided by the subgraph
(`subgraphs.supervision.authority`: a SUPERVISOR over the alert's body, never the body itself).
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, scopes

_ALERTS = scopes("supervision:read", "cases:approve")
_STATS = scopes("statistics:read", "supervision:read")
_FIGURES = scopes("statistics:read", "supervision:read", "cases:approve")
_REVIEWS = scopes("supervision:read")
_WRITE = scopes("supervision:write")

RULES: AccessRules = {
    "SupervisionAlert": _ALERTS,
    "AlertPage": _ALERTS,
    "EnforcementBody.alerts": _ALERTS,
    "PenaltyCase.alerts": _ALERTS,
    **dict.fromkeys(("BodyCount", "BodyRate", "BodyReviewScore", "BodyWorkforce", "ExpiringCertificates", "GroupCount", "OfficerActivity", "RuleAlertCount", "StatusCount", "Workforce"), _STATS),
    "ReviewCampaign": _REVIEWS,
    "ReviewFile": scopes("supervision:read", "cases:review"),
    "ScoreItem": scopes("supervision:read", "cases:review"),
    "ReviewAssignment": scopes("cases:review"),
    "Query.myReviewAssignments": scopes("cases:review"),
    "ReviewPurposeCheck": scopes("supervision:read", "cases:read"),
    "Query.reviewPurposeBinding": scopes("supervision:read", "cases:read"),
    "Query.supervisionAlerts": _ALERTS,
    "Query.supervisionAlert": _ALERTS,
    "Subscription.alertRaised": _ALERTS,  # the same readers as supervisionAlerts, the same row scope
    "Query.supervisionPersons": _REVIEWS,
    "Query.reviewCampaigns": _REVIEWS,
    "Query.reviewCampaignFiles": _REVIEWS,
    # the dashboard's figures are also the body head's (cases:approve), of the own body's rows only
    **dict.fromkeys(("GroupCount", "BodyRate", "RuleAlertCount", "Query.supervisionCaseCounts",
                     "Query.supervisionBodyRates", "Query.supervisionAlertsByRule"), _FIGURES),
    "Query.*": _STATS,
    "Mutation.scoreReviewFile": scopes("supervision:write", "cases:review"),
    "Mutation.*": _WRITE,
}
