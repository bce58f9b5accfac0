"""Full sweeps over the case store and incremental evaluation of one case after a new event."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.supervision.alerts import RecordResult, record_findings
from subgraphs.supervision.config import SupervisionConfig
from subgraphs.supervision.engine import EngineReport, evaluate_case, evaluate_groups, merge, party_groups
from subgraphs.supervision.errors import SupervisionError
from subgraphs.supervision.facts import FactsSource
from subgraphs.supervision.loader import (
    Reference,
    build_views,
    load_cases,
    load_inspections,
    load_reference,
    measure_extras,
    shared_party_cases,
    sibling_cases,
)
from subgraphs.supervision.model import Finding
from subgraphs.supervision.rows import SweepRow
from subgraphs.supervision.rules.s33_inspection_frequency import check as inspections_check
from subgraphs.supervision.sweep_workers import case_count, quiet_gc, run_workers, split_keys, sweep_range
from subgraphs.supervision.view import CaseExtras, CaseView, EvalContext, Inspection

DEFAULT_PAGE = 500


def eval_context(now: datetime, *, config: SupervisionConfig | None = None,
                 calendar_path: Path | None = None, deadlines_path: Path | None = None) -> EvalContext:
    """The standard context: shipped calendar and deadline configuration, `now` in China time."""
    from subgraphs.cases.domain.clock import local_date

    return EvalContext(now=now, today=local_date(now),
                       calendar=WorkingCalendar.from_directory(calendar_path or calendar_dir()),
                       deadlines=load_config(deadlines_path or deadlines_file()),
                       config=config or SupervisionConfig())


@dataclass
class SweepResult:
    sweep_id: str
    as_of: datetime
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    gateway_requests: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    recorded: RecordResult | None = None
    #: processes that evaluated the cases (1: this one)
    workers: int = 1
    #: the largest peak resident memory of those worker processes, MB (None: no workers)
    worker_peak_mb: float | None = None


async def run_sweep(engine: AsyncEngine, facts: FactsSource, ctx: EvalContext, *,
                    reference: Reference | None = None, extras: Mapping[str, CaseExtras] | None = None,
                    inspections: Sequence[Inspection] | None = None, page_size: int = DEFAULT_PAGE, record: bool = True,
                    requests: Callable[[], int] = lambda: 0, workers: int | None = None) -> SweepResult:
    """Evaluate every case: single-case rules page by page, then the party rules over the cases that
    share a party, then S33 over the inspections; store the alerts unless `record` is false.

    Each page's coercive measures are read from the store (one query per page) unless `extras`
    supplies them; the inspections are read from the store unless `inspections` is given.

    `workers`: how many processes evaluate the cases, each streaming a key range of its own. None
    takes `ctx.config.sweep_workers`, in this process alone below `sweep_parallel_min_cases` cases;
    1 evaluates in this process; more always starts that many workers (see `sweep_workers`). The
    findings are the same either way; the alerts are recorded only once every worker is done."""
    started = time.perf_counter()
    result = SweepResult(str(uuid.uuid4()), ctx.now)
    ref = reference or await load_reference(engine)
    report = EngineReport()
    shared = await shared_party_cases(engine)
    ranges = await _ranges(engine, ctx, workers)
    result.workers = len(ranges)
    if len(ranges) > 1:
        url = engine.url.render_as_string(hide_password=False)
        parts = await run_workers(url, facts, ctx, ref, ranges=ranges, shared=shared, page_size=page_size,
                                  extras=extras)
    else:
        with quiet_gc():
            parts = [await sweep_range(engine, facts, ctx, ref, shared=shared, page_size=page_size, extras=extras)]
    grouped: list[CaseView] = []
    for part in parts:
        result.cases += part.cases
        report.findings.extend(part.findings)
        for rule_id, n in part.skipped.items():
            report.skipped[rule_id] = report.skipped.get(rule_id, 0) + n
        grouped.extend(part.grouped)
        if part.peak_mb is not None:
            result.worker_peak_mb = max(result.worker_peak_mb or 0.0, part.peak_mb)
    report.findings.extend(evaluate_groups(party_groups(grouped), ctx))
    if inspections is None:
        inspections = await load_inspections(engine, page_size=page_size)
    report.findings.extend(inspections_check(inspections, ctx))
    result.findings = merge(report.findings)
    result.skipped = report.skipped
    result.gateway_requests = requests()
    if record:
        result.recorded = await record_findings(engine, result.findings, now=ctx.now,
                                                rectification_days=ctx.config.rectification_days)
        async with engine.begin() as conn:
            await conn.execute(insert(SweepRow).values(
                id=result.sweep_id, as_of=ctx.now, started_at=ctx.now, finished_at=None, cases=result.cases,
                findings=len(result.findings), gateway_requests=result.gateway_requests))
            await conn.execute(update(SweepRow).where(SweepRow.id == result.sweep_id)
                               .values(finished_at=ctx.now))
    result.seconds = time.perf_counter() - started
    return result


async def _ranges(engine: AsyncEngine, ctx: EvalContext, workers: int | None) -> list[tuple[str, str | None]]:
    """The key ranges to sweep in parallel (one: in this process)."""
    wanted = ctx.config.sweep_workers if workers is None else workers
    if wanted < 1:
        raise SupervisionError(f"a sweep needs at least one worker, got {wanted}")
    if wanted == 1 or (engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")):
        return [("", None)]  # one process (an in-memory database is this process's alone)
    if workers is None and await case_count(engine) < ctx.config.sweep_parallel_min_cases:
        return [("", None)]
    return await split_keys(engine, wanted)


async def evaluate_one(engine: AsyncEngine, facts: FactsSource, ctx: EvalContext, case_id: str, *,
                       reference: Reference | None = None, extras: Mapping[str, CaseExtras] | None = None,
                       record: bool = True) -> list[Finding]:
    """Incremental evaluation after a new event on `case_id` (see `evaluate_cases`)."""
    return await evaluate_cases(engine, facts, ctx, [case_id], reference=reference, extras=extras, record=record)


async def evaluate_cases(engine: AsyncEngine, facts: FactsSource, ctx: EvalContext, case_ids: Sequence[str], *,
                         reference: Reference | None = None, extras: Mapping[str, CaseExtras] | None = None,
                         record: bool = True, on_recorded: Callable[[RecordResult], None] | None = None,
                         ) -> list[Finding]:
    """Incremental evaluation of the cases that changed: their rules, plus the party rules over the
    cases sharing a party with them, with one batched set of fact requests for all of them; those
    cases' alerts are updated (others are left alone) and `on_recorded` is told what was recorded."""
    if not case_ids:
        return []
    ref = reference or await load_reference(engine)
    wanted = set(case_ids)
    siblings = await sibling_cases(engine, sorted(wanted))
    snapshots = await load_cases(engine, [*sorted(wanted), *siblings])
    views = await build_views(snapshots, facts, ref,
                              await measure_extras(engine, [s.case_id for s in snapshots], extras))
    findings = [f for v in views if v.case_id in wanted for f in evaluate_case(v, ctx)]
    findings += [f for f in evaluate_groups(party_groups(views), ctx) if f.case_id in wanted]
    findings = merge(findings)
    if record:
        recorded = await record_findings(engine, findings, now=ctx.now,
                                         rectification_days=ctx.config.rectification_days, case_ids=sorted(wanted))
        if on_recorded is not None:
            on_recorded(recorded)
    return findings


AS_OF_ENV = "HUB_SUPERVISION_AS_OF"


def as_of_now() -> datetime:
    """The evaluation instant: now, or `HUB_SUPERVISION_AS_OF` (ISO 8601 with an offset) for reproducible
    runs against seeded data."""
    raw = os.environ.get(AS_OF_ENV)
    if not raw:
        return datetime.now(UTC)
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise SupervisionError(f"{AS_OF_ENV} needs an offset, e.g. 2026-10-30T10:00:00+08:00")
    return value
