"""Who sees which page, and the words for roles, levels and states on screen (terms as in DOMAIN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["NAV", "ROLE_NAMES", "SUPERVISION", "NavItem"]

ROLE_NAMES: Final = {
    "OFFICER": "执法人员",
    "BODY_HEAD": "执法机关负责人",
    "LEGAL_REVIEWER": "法制审核人员",
    "SUPERVISOR": "执法监督人员",
    "AUDITOR": "审计人员",
    "PUBLIC": "社会公众",
    "DEPARTMENT_SYSTEM": "部门系统",
}

SUPERVISION: Final = frozenset({"SUPERVISOR", "BODY_HEAD"})


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    roles: frozenset[str]
    dev_only: bool = False


#: the console's sections, in menu order; a section a role may not use is not shown, and asking for it
#: by address gives the refusal page
NAV: Final = (
    NavItem("/dashboard", "监督工作台", SUPERVISION),
    NavItem("/alerts", "监督预警", SUPERVISION),
    NavItem("/cases", "案件查询", frozenset({"SUPERVISOR", "BODY_HEAD", "LEGAL_REVIEWER", "AUDITOR"})),
    NavItem("/workforce", "队伍管理", SUPERVISION),
    NavItem("/review", "案卷评查", frozenset({"SUPERVISOR", "LEGAL_REVIEWER"})),
    NavItem("/explorer", "接口调试", frozenset({"SUPERVISOR", "BODY_HEAD", "LEGAL_REVIEWER", "AUDITOR",
                                            "OFFICER", "DEPARTMENT_SYSTEM"}), dev_only=True),
)
