"""Who calls the cases subgraph, which cases they may see, and which they may change.

The caller is taken from the gateway-verified `CallerContext` of a signed call
(`subgraphs.common.security.caller_of`). Only an unsigned call to an app running in the dev
profile (`CasesConfig.allow_dev_header`) may name its caller with the DEV ONLY header of
`devauth`; anywhere else the header is ignored.

Reads are limited by `CaseScope` (row-level scope): a case is visible when its enforcement body is
in the caller's scope, judged by the body's USCC and the region the body is located in (the body
register, `enforcement_body.region_code`; the case's own region when the register does not know
the body). Writes need a writing role (OFFICER, BODY_HEAD, LEGAL_REVIEWER, DEPARTMENT_SYSTEM) and
the case in scope; a new case or inspection may be opened only for the caller's own body (OFFICER,
BODY_HEAD), or for any body in scope by a DEPARTMENT_SYSTEM.

DEV ONLY: an unsigned dev call without the header, or with a header naming no body and no region
(or a SUPERVISOR naming no region), and an anonymous signed call in the dev profile, read without
limit, as the subgraph did before scoping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import QueryableAttribute, aliased
from starlette.requests import HTTPConnection

from subgraphs.cases.devauth import HEADER, DevUser, DevUserError, parse_dev_user
from subgraphs.common.security import CaseScope, caller_of
from subgraphs.personnel.store import BodyRow
from trust.signing import CallerContext

__all__ = ["CaseAccess", "access_of", "body_region_of", "registered_region"]

WRITERS: Final = frozenset({"OFFICER", "BODY_HEAD", "LEGAL_REVIEWER", "DEPARTMENT_SYSTEM"})
_OWN_BODY_CREATORS: Final = frozenset({"OFFICER", "BODY_HEAD"})
_ANY_BODY_CREATORS: Final = frozenset({"DEPARTMENT_SYSTEM"})


Column = ColumnElement[Any] | QueryableAttribute[Any]


def _expression(column: Column) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def body_region_of(body_column: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: the region of the body named by `body_column`, from the body register (NULL if unknown).

    The register is read under an alias, so that the lookup stays a subquery of its own even in a
    query that joins the register itself (it would otherwise correlate to the outer query's rows and
    be left with no FROM clause)."""
    register = aliased(BodyRow)
    return select(register.region_code).where(register.uscc == body_column).limit(1).scalar_subquery()


@dataclass(frozen=True, slots=True)
class CaseAccess:
    """What one request may see and do. `scope` None means unrestricted (DEV ONLY)."""

    actor_id: str | None
    scope: CaseScope | None
    writer: bool = False
    own_body: str | None = None
    any_body_in_scope: bool = False
    error: str | None = None
    signed: bool = False
    #: the verified caller's roles and body (a purpose binding asks who is reading, not only where)
    roles: frozenset[str] = frozenset()
    body: str | None = None
    #: the purpose code the gateway signed into the caller context (`subgraphs.cases.review_read`)
    purpose: str | None = None

    @property
    def id(self) -> str:
        """The actor recorded on events ("" for an anonymous caller; writes require an actor)."""
        return self.actor_id or ""

    @classmethod
    def of_caller(cls, caller: CallerContext) -> CaseAccess:
        """A gateway-verified caller: scope and rights from its roles, body and region."""
        roles = caller.roles
        return cls(actor_id=caller.subject or None, scope=CaseScope.for_caller(caller),
                   writer=bool(roles & WRITERS),
                   own_body=caller.body_uscc if roles & _OWN_BODY_CREATORS else None,
                   any_body_in_scope=bool(roles & _ANY_BODY_CREATORS), signed=True,
                   roles=roles, body=caller.body_uscc, purpose=caller.purpose_code)

    @classmethod
    def nobody(cls, error: str | None = None) -> CaseAccess:
        """No usable caller: sees nothing, may do nothing."""
        return cls(actor_id=None, scope=CaseScope(frozenset(), frozenset()), error=error)

    @classmethod
    def of_dev_user(cls, user: DevUser | None, error: str | None = None) -> CaseAccess:
        """DEV ONLY: an unsigned call in the dev profile, named (or not) by the dev header."""
        if error is not None:
            return cls.nobody(error)
        if user is None:
            return cls(actor_id=None, scope=None)
        if user.body_uscc is None and user.region_code is None:
            return cls(actor_id=user.id, scope=None, writer=True, any_body_in_scope=True)
        if "SUPERVISOR" in user.roles and user.region_code is None:
            return cls(actor_id=user.id, scope=None, writer=True, own_body=user.body_uscc, any_body_in_scope=True)
        roles = user.roles or frozenset({"OFFICER"})
        caller = CallerContext(user.id, roles, user.body_uscc, user.region_code, None, "dev")
        return cls(actor_id=user.id, scope=CaseScope.for_caller(caller), writer=True, own_body=user.body_uscc,
                   any_body_in_scope=bool(roles & (_ANY_BODY_CREATORS | {"SUPERVISOR"})))

    def sees(self, body_uscc: str | None, body_region: str | None) -> bool:
        """True when a case (or measure, inspection) of that body, located in that region, is in scope."""
        return self.scope is None or self.scope.allows(body_uscc, body_region)

    def condition(self, body_column: Column, fallback_region: Column | None = None) -> ColumnElement[bool] | None:
        """SQL selecting the rows in scope (None: no condition). The body's region comes from the
        body register, else from `fallback_region`."""
        if self.scope is None:
            return None
        body = _expression(body_column)
        region = body_region_of(body)
        if fallback_region is not None:
            region = func.coalesce(region, _expression(fallback_region))
        return self.scope.where(body, region)

    def may_change(self, body_uscc: str | None, body_region: str | None) -> bool:
        """May this caller change a record of that body?"""
        return self.writer and self.actor_id is not None and self.sees(body_uscc, body_region)

    def may_open_for(self, body_uscc: str, body_region: str | None) -> bool:
        """May this caller open a new case or inspection for that body?"""
        if not self.writer or self.actor_id is None:
            return False
        if self.own_body is not None and self.own_body == body_uscc:
            return True
        return self.any_body_in_scope and self.sees(body_uscc, body_region)


def access_of(request: HTTPConnection, *, allow_dev_header: bool) -> CaseAccess:
    """The caller of `request`: the gateway-verified context of a signed call; on an unsigned call,
    the DEV ONLY header when `allow_dev_header` (the dev profile), else nobody."""
    caller = caller_of(request)
    if caller is not None:
        if caller.subject is None and allow_dev_header:
            # DEV ONLY: the dev gateway signs anonymous calls too; an anonymous caller of the dev
            # profile reads as an unsigned dev call without the header does (production refuses
            # anonymous callers at the gateway, and there allow_dev_header is off)
            return CaseAccess.of_dev_user(None)
        return CaseAccess.of_caller(caller)
    if not allow_dev_header:
        return CaseAccess.nobody()
    try:
        user = parse_dev_user(request.headers.get(HEADER))
    except DevUserError as exc:
        return CaseAccess.of_dev_user(None, str(exc))
    return CaseAccess.of_dev_user(user)


async def registered_region(engine: AsyncEngine, body_uscc: str) -> str | None:
    """The region of a body in the body register (None when the register does not know it)."""
    async with engine.connect() as conn:
        region = (await conn.execute(select(BodyRow.region_code).where(BodyRow.uscc == body_uscc))).scalar()
    return str(region) if region is not None else None
