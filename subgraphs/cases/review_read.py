"""An assigned reviewer reads the case file under review (案卷评查, DOMAIN.md §9, §10.3).

Reviewers are legal-review staff of OTHER bodies (recusal), so the row scope of `CaseAccess`
never shows them the file they were assigned. This module makes one narrow exception: a signed
caller with the LEGAL_REVIEWER role whose stated purpose is CASE_FILE_REVIEW may READ case X when
a review campaign assigned it as a reviewer of X (a row (X, caller subject) of the
``review_assignment`` table). It applies only where one case is read by its id
(`CasesContext.case_to_read`: ``penaltyCase(id:)`` and entity references, and the integrity checks
of that file, ``verifyCaseEvents`` and ``verifyDocumentSeal``), so lists, aggregates, other cases
and every mutation keep the plain row scope.

Where the check lives, and why here: the cases subgraph reads the assignment table of the hub's
one store itself (the supervision subgraph writes it; both run over the same migrated database),
at the moment it answers for case X. It therefore trusts nothing about the purpose reference:
the case asked for *is* the reference, and the assignment (X, subject) is the same fact the
supervision subgraph's ``reviewPurposeBinding`` verifies for ``case:X``. The purpose code comes
from the gateway-signed `CallerContext`; stating it only narrows what the reader may see (without
it, or with another purpose, the exception does not apply). Carrying the reference in the signed
context instead would widen the gateway<->subgraph trust format for one rule. Personal data in the
answer stays under the gateway's masking: in clear only when the purpose is bound (in production,
``x-purpose-ref: case:X`` verified by ``reviewPurposeBinding``), masked otherwise.

The table is declared here as a lightweight SQL table (two columns) rather than imported from the
supervision subgraph, so the cases subgraph does not depend on another subgraph's code. A store
without the table (never migrated past it) grants nothing.
"""

from __future__ import annotations

import logging
from typing import Final

from sqlalchemy import column, select, table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.access import CaseAccess

__all__ = ["REVIEW_PURPOSE", "assigned_reviewer", "may_read_as_reviewer"]

log = logging.getLogger("subgraphs.cases")

REVIEW_PURPOSE: Final = "CASE_FILE_REVIEW"
_REVIEWER_ROLE: Final = "LEGAL_REVIEWER"
_ASSIGNMENT = table("review_assignment", column("case_id"), column("reviewer_id"))


def may_read_as_reviewer(access: CaseAccess) -> bool:
    """Could this caller read a case as its assigned reviewer (before looking at the assignment)?"""
    return (access.signed and access.actor_id is not None and access.purpose == REVIEW_PURPOSE
            and _REVIEWER_ROLE in access.roles)


async def assigned_reviewer(engine: AsyncEngine, case_id: str, reviewer_id: str) -> bool:
    """True when a review campaign assigned `reviewer_id` to review the case file `case_id`."""
    if not case_id or len(case_id) > 64:
        return False
    query = select(_ASSIGNMENT.c.case_id).where(
        _ASSIGNMENT.c.case_id == case_id, _ASSIGNMENT.c.reviewer_id == reviewer_id).limit(1)
    try:
        async with engine.connect() as conn:
            found = (await conn.execute(query)).first()
    except DBAPIError as exc:
        log.warning("review read: the review assignments could not be read (%s); nothing granted",
                    type(exc).__name__)
        return False
    if found is not None:
        log.info("review read: subject=%s reads case %s as its assigned reviewer", reviewer_id, case_id)
    return found is not None
