"""Who may read enforcement bodies and personnel (执法主体和人员库, DOMAIN.md §4.4, §4.5, §10.2).

Bodies, and officers' name, body, post, certificate numbers, areas and categories are public by
design (事前公开 of enforcement personnel), so any signed-in caller reads them. The officer's
masked ID number, staff type, legal qualification and the link to the officer as a `Person` are
personnel records and need ``personnel:read``.

Federation's authorization directives guard fields, not arguments, so a search condition on a
guarded field is checked here, in the subgraph: `OfficerFilter.isLegalReviewer` may be used only by
a caller with one of `RECORD_ROLES`, the roles whose tokens the identity provider gives
``personnel:read`` (an unsigned dev call may use it too).
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, public, scopes
from subgraphs.common.errors import graphql_error
from trust.signing import CallerContext

_RECORDS = scopes("personnel:read")
#: the roles granted personnel:read by the identity provider (DOMAIN.md §10.2; hub access-model preamble)
RECORD_ROLES = frozenset({"OFFICER", "BODY_HEAD", "LEGAL_REVIEWER", "SUPERVISOR"})

RULES: AccessRules = {
    "EnforcementBody": public(),
    "Officer": public(),
    "EnforcementCertificate": public(),
    "CertificateStatusPeriod": public(),
    "OfficerPage": public(),
    "EnforcementBodyPage": public(),
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


def require_records(caller: CallerContext | None, argument: str) -> None:
    """Refuse a search condition on a personnel-record field to a caller who may not read that field."""
    if caller is not None and not caller.roles & RECORD_ROLES:
        raise graphql_error("FORBIDDEN", f"{argument} needs personnel:read", argument=argument)
