"""Who may act on an alert (acknowledge, rectify, dismiss): a supervisor over the alert's body, never the body.

The schema's rule (``supervision:write``) keeps every other role out before any fetch; this check needs the
row. With a gateway-verified caller (every production call):

* the caller holds the SUPERVISOR role (supervision services sign in as supervisors too);
* the caller does not belong to the body the alert is about (a body never clears its own alerts);
* the body lies within the caller's area: the region of the alert's case, or of any case of the body,
  starts with the caller's region prefix (a county supervisor: the county and its towns; the city: all).
  A body with no case in the store is within the area of a city-level supervisor only.

An unsigned dev call (no verified caller) keeps the dev header's actor and is not checked here.

`alert_scope(caller)` is the read side: the alerts a caller may list are those of bodies in its case
scope (`CaseScope`: a body head its own body's, a supervisor its area's), the body placed by the body
register, else by the region of the alert's case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.access import body_region_of
from subgraphs.cases.rows import CaseRow
from subgraphs.common.errors import graphql_error
from subgraphs.common.security import CaseScope, region_prefix
from subgraphs.supervision.alerts import Alert
from subgraphs.supervision.rows import AlertRow
from trust.signing import CallerContext

__all__ = ["alert_scope", "ensure_may_act"]

_CITY_PREFIX_LENGTH = 4


async def _body_region(engine: AsyncEngine, alert: Alert) -> str | None:
    async with engine.connect() as conn:
        if alert.case_id:
            region = (await conn.execute(select(CaseRow.region_code).where(CaseRow.id == alert.case_id))).scalar()
            if region:
                return str(region)
        region = (await conn.execute(select(CaseRow.region_code).where(CaseRow.body_uscc == alert.body_id)
                                     .limit(1))).scalar()
    return str(region) if region else None


async def ensure_may_act(engine: AsyncEngine, caller: CallerContext | None, alert: Alert) -> None:
    """Raise FORBIDDEN unless `caller` may change `alert` (see the module docstring)."""
    if caller is None:
        return
    if "SUPERVISOR" not in caller.roles:
        raise graphql_error("FORBIDDEN", "only a supervisor over the body may act on its alerts")
    if caller.body_uscc and caller.body_uscc == alert.body_id:
        raise graphql_error("FORBIDDEN", "a body does not act on the alerts about itself; its supervisor does")
    prefix = region_prefix(caller.region_code) if caller.region_code else ""
    if not prefix:
        raise graphql_error("FORBIDDEN", "the caller has no supervised area")
    region = await _body_region(engine, alert)
    within = region.startswith(prefix) if region else len(prefix) <= _CITY_PREFIX_LENGTH
    if not within:
        raise graphql_error("FORBIDDEN", "the alert's body is outside the area you supervise")


def alert_scope(caller: CallerContext | None) -> ColumnElement[Any] | None:
    """SQL over `AlertRow`: the alerts `caller` may read (None: unrestricted, an unsigned dev call)."""
    if caller is None:
        return None
    case_region = select(CaseRow.region_code).where(CaseRow.id == AlertRow.case_id).limit(1).scalar_subquery()
    body: Any = AlertRow.body_id
    region = func.coalesce(body_region_of(body), case_region)
    return CaseScope.for_caller(caller).where(body, region)
