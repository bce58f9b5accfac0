"""Incremental supervision: follow the case store's events and re-evaluate the cases they touch.

Every case event has a store-wide number (`case_event.global_seq`), and so has every event of a
coercive measure or inspection (`aggregate_event.global_seq`). A follower keeps, per name, the last
number of each stream it has evaluated (`supervision_cursor`). One `step`:

1. reads up to `batch` case events and measure events after the cursor, recorded at least
   `settle_s` ago (a transaction that drew a lower number may commit a moment after a higher one:
   the settle time keeps the follower from passing it by; the daily full sweep is the backstop);
2. evaluates the cases they touch — a measure event touches its case — together with the cases
   sharing a party with them (S17/S18), with one batched set of gateway requests for all of them
   (`sweep.evaluate_cases`), and records those cases' alerts;
3. moves the cursor past what it read (only forward: two followers of one name never move it back).

Evaluation is idempotent, so a step repeated after a crash between 2 and 3 changes nothing.
Time-driven rules (a period running out with no new event: S01, S02, S20 …) need the full sweep
(`hub supervise sweep`, daily); inspections (S33) are body-wide and are left to it as well.
`run` repeats `step` until stopped, at once while there is a backlog, else every `interval_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.measures import MEASURE
from subgraphs.cases.rows import AggregateEventRow, CaseEventRow, MeasureRow
from subgraphs.supervision.errors import SupervisionError
from subgraphs.supervision.facts import FactsSource
from subgraphs.supervision.loader import load_reference
from subgraphs.supervision.rows import CursorRow
from subgraphs.supervision.sweep import eval_context, evaluate_cases

log = logging.getLogger(__name__)

DEFAULT_NAME = "default"


@dataclass(frozen=True, slots=True)
class FollowStep:
    case_events: int
    record_events: int
    cases: int
    findings: int
    case_event_seq: int
    record_event_seq: int

    @property
    def events(self) -> int:
        return self.case_events + self.record_events


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CaseEventFollower:
    def __init__(self, engine: AsyncEngine, facts: FactsSource, *, name: str = DEFAULT_NAME, batch: int = 500,
                 settle_s: float = 2.0, clock: Callable[[], datetime] = _utcnow,
                 as_of: Callable[[], datetime] | None = None) -> None:
        if batch <= 0:
            raise ValueError("batch must be positive")
        self.engine = engine
        self.facts = facts
        self.name = name
        self.batch = batch
        self.settle = timedelta(seconds=settle_s)
        self.clock = clock  # when events count as settled
        self.as_of = as_of or clock  # the evaluation instant of the rules

    async def position(self) -> tuple[int, int]:
        """(last case event, last record event) evaluated."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(CursorRow.case_event_seq, CursorRow.record_event_seq)
                                      .where(CursorRow.name == self.name))).first()
        return (int(row.case_event_seq), int(row.record_event_seq)) if row is not None else (0, 0)

    async def step(self) -> FollowStep:
        case_seq, record_seq = await self.position()
        horizon = self.clock() - self.settle
        async with self.engine.connect() as conn:
            case_rows = (await conn.execute(
                select(CaseEventRow.global_seq, CaseEventRow.case_id)
                .where(CaseEventRow.global_seq > case_seq, CaseEventRow.recorded_at <= horizon)
                .order_by(CaseEventRow.global_seq).limit(self.batch))).all()
            e = AggregateEventRow
            record_rows = (await conn.execute(
                select(e.global_seq, MeasureRow.case_id).join(MeasureRow, MeasureRow.id == e.aggregate_id)
                .where(e.aggregate_type == MEASURE.name, e.global_seq > record_seq, e.recorded_at <= horizon)
                .order_by(e.global_seq).limit(self.batch))).all()
        case_ids = sorted({r.case_id for r in case_rows} | {r.case_id for r in record_rows})
        findings = 0
        if case_ids:
            ctx = eval_context(self.as_of())
            found = await evaluate_cases(self.engine, self.facts, ctx, case_ids,
                                         reference=await load_reference(self.engine))
            findings = len(found)
        new_case_seq = max((int(r.global_seq) for r in case_rows), default=case_seq)
        new_record_seq = max((int(r.global_seq) for r in record_rows), default=record_seq)
        if (new_case_seq, new_record_seq) != (case_seq, record_seq):
            await self._advance(new_case_seq, new_record_seq)
        return FollowStep(len(case_rows), len(record_rows), len(case_ids), findings, new_case_seq, new_record_seq)

    async def _advance(self, case_seq: int, record_seq: int) -> None:
        now = _utcnow()
        async with self.engine.begin() as conn:
            insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(CursorRow)
            await conn.execute(insert.values(name=self.name, case_event_seq=0, record_event_seq=0, updated_at=now)
                               .on_conflict_do_nothing(index_elements=["name"]))
            row = CursorRow
            await conn.execute(update(row).where(row.name == self.name, row.case_event_seq < case_seq)
                               .values(case_event_seq=case_seq, updated_at=now))
            await conn.execute(update(row).where(row.name == self.name, row.record_event_seq < record_seq)
                               .values(record_event_seq=record_seq, updated_at=now))

    async def run(self, stop: asyncio.Event, *, interval_s: float = 5.0) -> None:
        """Follow until `stop` is set; a failing step (the gateway down) is logged and retried."""
        while not stop.is_set():
            try:
                done = await self.step()
                if done.events:
                    log.info("supervision follower: %d events, %d cases, %d alerts (cursor %d/%d)", done.events,
                             done.cases, done.findings, done.case_event_seq, done.record_event_seq)
                if done.case_events >= self.batch or done.record_events >= self.batch:
                    continue  # a backlog: go on at once
            except SupervisionError as exc:
                log.warning("supervision follower: step failed (%s): %s; retrying in %.0f s", exc.code, exc,
                            interval_s)
            except Exception:  # the follower outlives a failed step (a store restart, a bad record)
                log.exception("supervision follower: step failed; retrying in %.0f s", interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
