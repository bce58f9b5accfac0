"""Incremental supervision: follow the case store's events and re-evaluate the cases they touch.

Every case event has a store-wide number (`case_event.global_seq`), and so has every event of a
coercive measure or inspection (`aggregate_event.global_seq`). A follower keeps, per name, the last
number of each stream it has read, and the numbers below it it has not seen yet (`supervision_cursor`).
One `step`:

1. reads up to `batch` events of each stream after the cursor, and the events that have since
   appeared under the missing numbers ("gaps");
2. evaluates the cases they touch — a measure event touches its case — together with the cases
   sharing a party with them (S17/S18), with one batched set of gateway requests for all of them
   (`sweep.evaluate_cases`), and records those cases' alerts;
3. moves the cursor past what it read and stores the gaps: the numbers it passed that no committed
   event holds yet. On PostgreSQL a transaction that drew a lower number can commit after one with a
   higher number; its event then shows up under a gap and is evaluated on a later step. A gap still
   empty after `gap_timeout_s` is a rolled-back transaction and is forgotten (at most `MAX_GAPS` kept).

With `publish`, the alerts a step raised (`RecordResult.raised`) are handed to it after the cursor
has moved — the live feed of `Subscription.alertRaised` (`subgraphs.supervision.live`).
`settle_s` (default 0) also leaves events younger than that for a later step. Evaluation is
idempotent, so a step repeated after a crash between 2 and 3 changes nothing; the cursor only moves
forward (two followers of one name never move it back).
Time-driven rules (a period running out with no new event: S01, S02, S20 …) need the full sweep
(`hub supervise sweep`, daily); inspections (S33) are body-wide and are left to it as well.
`run` repeats `step` until stopped, at once while there is a backlog, else every `interval_s`. At
start the gateway may not be up yet (`hub up` starts it after the subgraphs): the follower says once
that it waits for it, and warns only when it is still unreachable after `start_grace_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.measures import MEASURE
from subgraphs.cases.rows import AggregateEventRow, CaseEventRow, MeasureRow
from subgraphs.supervision.errors import GatewayUnreachable, SupervisionError
from subgraphs.supervision.facts import FactsSource
from subgraphs.supervision.loader import load_reference
from subgraphs.supervision.rows import CursorRow
from subgraphs.supervision.sweep import eval_context, evaluate_cases

log = logging.getLogger(__name__)

DEFAULT_NAME = "default"


#: how long the follower waits quietly for a gateway that is not up yet when it starts
START_GRACE_S = 60.0
MAX_GAPS = 200_000  # numbers; stored and queried as runs of consecutive numbers
MAX_RUNS_PER_STEP = 500
CASE, RECORD = "case", "record"


@dataclass(frozen=True, slots=True)
class FollowStep:
    case_events: int
    record_events: int
    cases: int
    findings: int
    case_event_seq: int
    record_event_seq: int
    gaps: int = 0  # numbers passed and still missing after this step

    @property
    def events(self) -> int:
        return self.case_events + self.record_events


@dataclass(frozen=True, slots=True)
class _Position:
    seq: int
    gaps: dict[int, datetime]  # missing number -> when it was first passed


def _utcnow() -> datetime:
    return datetime.now(UTC)


class CaseEventFollower:
    def __init__(self, engine: AsyncEngine, facts: FactsSource, *, name: str = DEFAULT_NAME, batch: int = 500,
                 settle_s: float = 0.0, gap_timeout_s: float = 120.0, clock: Callable[[], datetime] = _utcnow,
                 as_of: Callable[[], datetime] | None = None,
                 publish: Callable[[Sequence[str]], Awaitable[None]] | None = None) -> None:
        if batch <= 0:
            raise ValueError("batch must be positive")
        self.engine = engine
        self.facts = facts
        self.name = name
        self.batch = batch
        self.settle = timedelta(seconds=settle_s)
        self.gap_timeout = timedelta(seconds=gap_timeout_s)
        self.clock = clock  # when events count as settled, and gaps as abandoned
        self.as_of = as_of or clock  # the evaluation instant of the rules
        self.publish = publish  # told the ids of the alerts each step raised

    async def position(self) -> tuple[int, int]:
        """(last case event, last record event) read."""
        case, record = await self._positions()
        return case.seq, record.seq

    async def gaps(self) -> tuple[frozenset[int], frozenset[int]]:
        """The numbers passed and not seen yet, per stream (case events, record events)."""
        case, record = await self._positions()
        return frozenset(case.gaps), frozenset(record.gaps)

    async def _positions(self) -> tuple[_Position, _Position]:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(CursorRow.case_event_seq, CursorRow.record_event_seq, CursorRow.gaps)
                                      .where(CursorRow.name == self.name))).first()
        if row is None:
            return _Position(0, {}), _Position(0, {})
        stored: dict[str, Any] = row.gaps or {}
        return (_Position(int(row.case_event_seq), _read_gaps(stored.get(CASE))),
                _Position(int(row.record_event_seq), _read_gaps(stored.get(RECORD))))

    async def step(self) -> FollowStep:
        case_pos, record_pos = await self._positions()
        now = self.clock()
        horizon = now - self.settle
        e = AggregateEventRow
        async with self.engine.connect() as conn:
            case_rows = list((await conn.execute(
                select(CaseEventRow.global_seq, CaseEventRow.case_id)
                .where(CaseEventRow.global_seq > case_pos.seq, CaseEventRow.recorded_at <= horizon)
                .order_by(CaseEventRow.global_seq).limit(self.batch))).all())
            if case_pos.gaps:
                case_rows += (await conn.execute(
                    select(CaseEventRow.global_seq, CaseEventRow.case_id)
                    .where(_in_runs(CaseEventRow.global_seq, case_pos.gaps)))).all()
            # every aggregate event moves the record cursor; a measure's event also touches its case
            record_query = (select(e.global_seq, MeasureRow.case_id)
                            .outerjoin(MeasureRow, and_(MeasureRow.id == e.aggregate_id,
                                                        e.aggregate_type == MEASURE.name)))
            record_rows = list((await conn.execute(
                record_query.where(e.global_seq > record_pos.seq, e.recorded_at <= horizon)
                .order_by(e.global_seq).limit(self.batch))).all())
            if record_pos.gaps:
                record_rows += (await conn.execute(record_query.where(_in_runs(e.global_seq, record_pos.gaps)))).all()
        case_ids = sorted({r.case_id for r in case_rows} | {r.case_id for r in record_rows if r.case_id})
        findings = 0
        raised: list[str] = []
        if case_ids:
            ctx = eval_context(self.as_of())
            found = await evaluate_cases(self.engine, self.facts, ctx, case_ids,
                                         reference=await load_reference(self.engine),
                                         on_recorded=lambda recorded: raised.extend(recorded.raised))
            findings = len(found)
        new_case = self._moved(case_pos, {int(r.global_seq) for r in case_rows}, now)
        new_record = self._moved(record_pos, {int(r.global_seq) for r in record_rows}, now)
        if (new_case, new_record) != (case_pos, record_pos):
            await self._advance(new_case, new_record)
        if raised and self.publish is not None:
            await self.publish(raised)
        return FollowStep(len(case_rows), len(record_rows), len(case_ids), findings,
                          new_case.seq, new_record.seq, len(new_case.gaps) + len(new_record.gaps))

    def _moved(self, pos: _Position, seen: set[int], now: datetime) -> _Position:
        """The position after reading `seen`: past the highest number read, with the numbers skipped on the way
        as new gaps, the gaps now seen closed and the gaps older than the timeout forgotten."""
        top = max(seen, default=pos.seq)
        gaps = {n: at for n, at in pos.gaps.items() if n not in seen and now - at < self.gap_timeout}
        expired = len(pos.gaps) - len(gaps) - len(seen & pos.gaps.keys())
        if expired:
            log.info("supervision follower: %d missing event numbers given up after %.0f s (rolled back)",
                     expired, self.gap_timeout.total_seconds())
        if top > pos.seq:
            skipped = range(pos.seq + 1, top)
            if len(skipped) - len(seen) > MAX_GAPS:  # a jump no transaction explains (a restored backup)
                skipped = range(max(pos.seq + 1, top - MAX_GAPS), top)
            gaps.update((n, now) for n in skipped if n not in seen)
        if len(gaps) > MAX_GAPS:
            gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
        return _Position(max(top, pos.seq), gaps)

    async def _advance(self, case: _Position, record: _Position) -> None:
        now = _utcnow()
        gaps = {CASE: _write_gaps(case.gaps), RECORD: _write_gaps(record.gaps)}
        async with self.engine.begin() as conn:
            insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(CursorRow)
            await conn.execute(insert.values(name=self.name, case_event_seq=0, record_event_seq=0, gaps={},
                                             updated_at=now).on_conflict_do_nothing(index_elements=["name"]))
            row = CursorRow
            # only forward: a follower that read less (a concurrent one, behind) leaves the cursor alone
            await conn.execute(update(row).where(row.name == self.name, row.case_event_seq <= case.seq,
                                                 row.record_event_seq <= record.seq)
                               .values(case_event_seq=case.seq, record_event_seq=record.seq, gaps=gaps,
                                       updated_at=now))

    async def run(self, stop: asyncio.Event, *, interval_s: float = 5.0, start_grace_s: float = START_GRACE_S,
                  clock: Callable[[], float] = time.monotonic) -> None:
        """Follow until `stop` is set; a failing step (the gateway down) is logged and retried."""
        patience = StartPatience(start_grace_s, clock)
        while not stop.is_set():
            try:
                done = await self.step()
                patience.succeeded(asked_gateway=done.cases > 0)
                if done.events:
                    log.info("supervision follower: %d events, %d cases, %d alerts (cursor %d/%d)", done.events,
                             done.cases, done.findings, done.case_event_seq, done.record_event_seq)
                if done.case_events >= self.batch or done.record_events >= self.batch:
                    continue  # a backlog: go on at once
            except SupervisionError as exc:
                level = patience.level(exc)
                if level == logging.WARNING:
                    log.warning("supervision follower: step failed (%s): %s; retrying in %.0f s", exc.code, exc,
                                interval_s)
                else:
                    log.log(level, "supervision follower: waiting for the gateway (%s)", exc)
            except Exception:  # the follower outlives a failed step (a store restart, a bad record)
                log.exception("supervision follower: step failed; retrying in %.0f s", interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)


class StartPatience:
    """How loudly a failed step is logged: while the gateway has never answered and `grace_s` has not
    passed since the start, an unreachable gateway is expected (it starts after the subgraphs) — said
    once at INFO, then at DEBUG; anything else, or later, is a WARNING."""

    def __init__(self, grace_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace_s = grace_s
        self.clock = clock
        self.started = clock()
        self.answered = False
        self.said = False

    def succeeded(self, *, asked_gateway: bool) -> None:
        if asked_gateway:
            self.answered = True

    def level(self, exc: Exception) -> int:
        waiting = (not self.answered and isinstance(exc, GatewayUnreachable)
                   and self.clock() - self.started < self.grace_s)
        if not waiting:
            return logging.WARNING
        if self.said:
            return logging.DEBUG
        self.said = True
        return logging.INFO


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) runs, in order."""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _in_runs(column: Any, gaps: dict[int, datetime]) -> Any:
    """SQL: `column` in one of the gaps' runs (the first MAX_RUNS_PER_STEP; the rest on later steps)."""
    return or_(*(column.between(lo, hi) for lo, hi in _runs(gaps)[:MAX_RUNS_PER_STEP]))


def _read_gaps(raw: Any) -> dict[int, datetime]:
    """Stored gaps: a list of [first, last, first missed (ISO)] runs. A malformed entry is dropped."""
    out: dict[int, datetime] = {}
    for entry in raw if isinstance(raw, list) else ():
        try:
            lo, hi, at = int(entry[0]), int(entry[1]), datetime.fromisoformat(str(entry[2]))
        except (ValueError, TypeError, IndexError):
            continue
        out.update((n, at) for n in range(lo, min(hi, lo + MAX_GAPS - 1) + 1))
    return out


def _write_gaps(gaps: dict[int, datetime]) -> list[list[Any]]:
    """Gaps as runs of consecutive numbers first missed at the same instant."""
    runs: list[list[Any]] = []
    for n in sorted(gaps):
        at = gaps[n].isoformat()
        if runs and runs[-1][1] == n - 1 and runs[-1][2] == at:
            runs[-1][1] = n
        else:
            runs.append([n, n, at])
    return runs
