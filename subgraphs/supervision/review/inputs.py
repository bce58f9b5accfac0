"""What a new review campaign is built from, read from the hub's store: the legal-review staff who
review (officer id → body) and the active alerts of the reviewable cases (for the automatic pre-fill)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.personnel.store import OfficerRow
from subgraphs.supervision.model import Finding, Severity, SubjectKind
from subgraphs.supervision.rows import AlertRow


async def legal_reviewers(engine: AsyncEngine) -> dict[str, str]:
    """Listed officers flagged as legal reviewers (法制审核人员), by id, with their body."""
    q = select(OfficerRow.id, OfficerRow.body_uscc).where(OfficerRow.is_legal_reviewer.is_(True),
                                                          OfficerRow.vanished_at.is_(None))
    async with engine.connect() as conn:
        return {r.id: r.body_uscc for r in (await conn.execute(q)).all()}


async def case_findings(engine: AsyncEngine) -> dict[str, Sequence[Finding]]:
    """Active case alerts as findings, by case (one query)."""
    q = select(AlertRow.rule_id, AlertRow.severity, AlertRow.subject_kind, AlertRow.subject_id, AlertRow.body_id,
               AlertRow.case_id).where(AlertRow.active.is_(True), AlertRow.case_id.is_not(None))
    out: dict[str, list[Finding]] = {}
    async with engine.connect() as conn:
        for r in (await conn.execute(q)).all():
            out.setdefault(r.case_id, []).append(Finding(r.rule_id, Severity(r.severity), SubjectKind(r.subject_kind),
                                                         r.subject_id, r.body_id, r.case_id))
    return dict(out)
