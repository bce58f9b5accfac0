"""Need-to-know for clear reads of personal data: is a stated purpose bound to a case or inspection?

The gateway shows an ID number, mobile or address in clear only when the request's purpose
(``x-purpose-code``) is bound to something it can verify (``x-purpose-ref``, DOMAIN.md §10.3:
"unmasking requires purposeCode + case relationship"). For the purposes the case-handling platform
vouches for, it asks this field, as the caller (a signed call), and caches the answer briefly:

* CASE_HANDLING, ``case:<id>``: the caller investigates or verifies the case (its investigators,
  verifier or listed officers), or is the head of the case's body;
* LEGAL_REVIEW, ``case:<id>``: a legal reviewer (or the head) of the case's body;
* INSPECTION, ``inspection:<id>``: one of the inspection's inspectors, or the head of its body;
* SUPERVISION, ``case:<id>`` or ``inspection:<id>``: a SUPERVISOR whose area holds the record's body;
  ``area:supervised``: a SUPERVISOR with an area (the rules engine sweeping every case it supervises);
* DATA_EXCHANGE, ``case:<id>``: a DEPARTMENT_SYSTEM whose scope holds the case.

Always within the caller's row scope: a record the caller cannot see binds nothing. The answer
says why in `reason` (no personal data).
"""

from __future__ import annotations

from typing import Annotated, Final

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.cases.context import CasesContext, inspection_in_scope
from subgraphs.cases.inspections import INSPECTION
from subgraphs.cases.rows import CaseOfficerRow

__all__ = ["PurposeCheck", "case_purpose_binding"]

_HEAD: Final = "BODY_HEAD"


@strawberry.type(description="用途核验 — whether a stated purpose is bound to a record the caller handles (need-to-know).")
class PurposeCheck:
    granted: bool = strawberry.field(description="准许 — true when the purpose is bound to the record for this caller")
    reason: str = strawberry.field(description="说明 — why it is or is not bound")


def _no(reason: str) -> PurposeCheck:
    return PurposeCheck(granted=False, reason=reason)


async def _case_officers(ctx: CasesContext, case_id: str) -> set[str]:
    async with ctx.res.engine.connect() as conn:
        rows = await conn.execute(select(CaseOfficerRow.officer_id).where(CaseOfficerRow.case_id == case_id))
        return {r[0] for r in rows}


async def _case(ctx: CasesContext, purpose: str, case_id: str) -> PurposeCheck:
    access = ctx.access
    found = await ctx.case_in_scope(case_id)
    if found is None:
        return _no("no such case in the caller's scope")
    snapshot = found.snapshot
    own_body = access.body is not None and access.body == snapshot.body_id
    if purpose == "SUPERVISION":
        return PurposeCheck(granted=True, reason="supervisor over the case's body") \
            if "SUPERVISOR" in access.roles else _no("SUPERVISION needs the SUPERVISOR role")
    if purpose == "DATA_EXCHANGE":
        return PurposeCheck(granted=True, reason="departmental system within its scope") \
            if "DEPARTMENT_SYSTEM" in access.roles else _no("DATA_EXCHANGE is for departmental systems")
    if purpose == "LEGAL_REVIEW":
        if own_body and access.roles & {"LEGAL_REVIEWER", _HEAD}:
            return PurposeCheck(granted=True, reason="legal review in the case's body")
        return _no("LEGAL_REVIEW needs a legal reviewer of the case's body")
    if purpose == "CASE_HANDLING":
        if own_body and _HEAD in access.roles:
            return PurposeCheck(granted=True, reason="head of the case's body")
        assigned = {*snapshot.investigators, *([snapshot.verifier_id] if snapshot.verifier_id else [])}
        assigned |= await _case_officers(ctx, case_id)
        if access.actor_id is not None and access.actor_id in assigned:
            return PurposeCheck(granted=True, reason="assigned to the case")
        return _no("the caller is not assigned to this case")
    return _no(f"{purpose} cannot be bound to a case")


async def _inspection(ctx: CasesContext, purpose: str, inspection_id: str) -> PurposeCheck:
    access = ctx.access
    found = await ctx.res.records.find(INSPECTION, inspection_id)
    if found is None or not await inspection_in_scope(ctx, found.snapshot.body_id):
        return _no("no such inspection in the caller's scope")
    snapshot = found.snapshot
    if purpose == "SUPERVISION":
        return PurposeCheck(granted=True, reason="supervisor over the inspection's body") \
            if "SUPERVISOR" in access.roles else _no("SUPERVISION needs the SUPERVISOR role")
    if purpose != "INSPECTION":
        return _no(f"{purpose} cannot be bound to an inspection")
    if _HEAD in access.roles and access.body == snapshot.body_id:
        return PurposeCheck(granted=True, reason="head of the inspection's body")
    if access.actor_id is not None and access.actor_id in snapshot.inspectors:
        return PurposeCheck(granted=True, reason="assigned inspector")
    return _no("the caller is not an inspector of this inspection")


async def case_purpose_binding(
    info: Info[CasesContext, None],
    purpose: Annotated[str, strawberry.argument(
        description="用途代码 — the stated purpose: CASE_HANDLING, LEGAL_REVIEW, INSPECTION, SUPERVISION or DATA_EXCHANGE")],
    ref: Annotated[str, strawberry.argument(
        description="关联记录 — the record it is bound to: case:<id>, inspection:<id> or area:supervised")],
) -> PurposeCheck:
    """Is `purpose` bound, for this caller, to the record `ref` (``case:<id>`` / ``inspection:<id>``)?"""
    ctx = info.context
    if not ctx.access.signed or ctx.access.actor_id is None:
        return _no("only a signed call of a named caller can bind a purpose")
    kind, _, record_id = ref.partition(":")
    if not record_id or len(record_id) > 64:
        return _no("ref must be case:<id> or inspection:<id>")
    if kind == "area" and record_id == "supervised":
        if purpose == "SUPERVISION" and "SUPERVISOR" in ctx.access.roles and ctx.access.scope is not None \
                and ctx.access.scope.region_prefixes:
            return PurposeCheck(granted=True, reason="supervisor over the area of its token")
        return _no("area:supervised binds only SUPERVISION for a supervisor with an area")
    if kind == "case":
        return await _case(ctx, purpose, record_id)
    if kind == "inspection":
        return await _inspection(ctx, purpose, record_id)
    return _no("ref must be case:<id> or inspection:<id>")
