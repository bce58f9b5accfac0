"""Who may read enforcement bodies and personnel (执法主体和人员库, DOMAIN.md §4.4, §4.5, §10.2).

Bodies, and officers' name, body, post, certificate numbers, areas and categories are public by
design (事前公开 of enforcement personnel), so any signed-in caller reads them. The officer's
masked ID number, staff type, legal qualification and the link to the officer as a `Person` are
personnel records and need ``personnel:read``.
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, public, scopes

_RECORDS = scopes("personnel:read")

RULES: AccessRules = {
    "EnforcementBody": public(),
    "Officer": public(),
    "EnforcementCertificate": public(),
    "Officer.idNumberMasked": _RECORDS,
    "Officer.staffType": _RECORDS,
    "Officer.hasLegalQualification": _RECORDS,
    "Officer.isLegalReviewer": _RECORDS,
    "Officer.person": _RECORDS,
    "Query.enforcementBody": public(),
    "Query.officer": public(),
    "Query.searchEnforcementBodies": public(),
    "Query.searchOfficers": public(),
}
