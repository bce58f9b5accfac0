"""The roles the identity provider issues, and the gateway's default grants to them.

Kept apart from token checking (`jwt_auth`), masking and policies, which import the JWT and GraphQL
libraries: settings and command-line parts read these defaults without loading either.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

__all__ = ["DEFAULT_NAMED_POLICIES", "DEFAULT_PURPOSE_CODES", "DEFAULT_UNMASK_LEVELS", "Role"]


class Role(StrEnum):
    """Roles the identity provider issues. Unknown role names in a token are ignored."""

    OFFICER = "OFFICER"
    BODY_HEAD = "BODY_HEAD"
    LEGAL_REVIEWER = "LEGAL_REVIEWER"
    SUPERVISOR = "SUPERVISOR"
    AUDITOR = "AUDITOR"
    DEPARTMENT_SYSTEM = "DEPARTMENT_SYSTEM"
    PUBLIC = "PUBLIC"


#: purposes a caller may state (DOMAIN.md §10.2 "full on a need-to-know basis with reason code")
DEFAULT_PURPOSE_CODES: Final = frozenset({
    "CASE_HANDLING",      # 办案: filing, investigation, decision
    "LEGAL_REVIEW",       # 法制审核
    "INSPECTION",         # 行政检查
    "SUPERVISION",        # 执法监督
    "CASE_FILE_REVIEW",   # 案卷评查
    "DATA_EXCHANGE",      # 部门间数据共享 (departmental systems)
})
DEFAULT_UNMASK_LEVELS: Final[Mapping[str, frozenset[str]]] = {
    Role.OFFICER: frozenset({"S2", "S3"}),
    Role.BODY_HEAD: frozenset({"S2", "S3"}),
    Role.LEGAL_REVIEWER: frozenset({"S2", "S3"}),
    Role.SUPERVISOR: frozenset({"S2", "S3"}),  # with SUPERVISION bound to a body or area it supervises
    Role.DEPARTMENT_SYSTEM: frozenset({"S2", "S3"}),
    Role.AUDITOR: frozenset(),
    Role.PUBLIC: frozenset(),
}
DEFAULT_NAMED_POLICIES: Final[Mapping[str, frozenset[str]]] = {
    "case_handling": frozenset({Role.OFFICER, Role.BODY_HEAD, Role.LEGAL_REVIEWER}),
    "case_approval": frozenset({Role.BODY_HEAD}),
    "legal_review": frozenset({Role.LEGAL_REVIEWER}),
    "supervision": frozenset({Role.SUPERVISOR}),
    "audit": frozenset({Role.AUDITOR}),
    "department_system": frozenset({Role.DEPARTMENT_SYSTEM}),
    "registry_read": frozenset({Role.OFFICER, Role.BODY_HEAD, Role.LEGAL_REVIEWER, Role.SUPERVISOR,
                                Role.DEPARTMENT_SYSTEM}),
    "public": frozenset(r.value for r in Role),
}
