"""The single-case part of a sweep over a key range of cases, in this process or in worker processes.

`sweep_range` streams the cases with `after` < id <= `until` page by page in key order (constant
memory), builds their views and runs the single-case rules; it keeps the views of the cases that
share a party with another case (the party rules need them together). `run_workers` splits the
store into N key ranges of about equal size and runs `sweep_range` on each in a worker process of
its own (started fresh, with its own database connection). Workers ask the parent for the facts of
other subgraphs over their pipe (the parent owns the one `FactsSource` and its caches, so the
gateway sees no more requests than in one process) and send back their findings and the views of
the shared-party cases. A worker that fails or dies stops the whole sweep with `SweepWorkerError`
before anything is recorded.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.rows import CaseRow
from subgraphs.supervision.engine import EngineReport, evaluate_case
from subgraphs.supervision.errors import FactsUnavailable, SweepWorkerError
from subgraphs.supervision.facts import FactsSource, PersonKey
from subgraphs.supervision.loader import Reference, build_views, case_pages, measure_extras
from subgraphs.supervision.model import Finding
from subgraphs.supervision.view import BodyView, CaseExtras, CaseView, EvalContext, OfficerView

#: the facts a worker may ask its parent for (the `FactsSource` methods)
FACT_METHODS = frozenset({"bodies", "officers", "birth_dates"})
#: bound of the parent's message loop with one worker (a page needs at most three requests)
MAX_MESSAGES = 100_000_000


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Fewer cyclic garbage collections while a sweep runs: what is loaded before it (reference data,
    caches) is set aside from the collector, and young objects are collected less often. A page's
    views are freed by reference counting anyway; the collector only rescans what stays alive."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@dataclass
class RangeOutcome:
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    #: views of the cases sharing a party with another case, for the party rules
    grouped: list[CaseView] = field(default_factory=list)
    #: peak resident memory of the worker process that swept the range, MB (None: this process)
    peak_mb: float | None = None


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started its program (Linux: VmHWM, which starts
    afresh at exec, unlike the rusage figure that keeps the forking parent's size)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def sweep_range(engine: AsyncEngine, facts: FactsSource, ctx: EvalContext, ref: Reference, *,
                      shared: Collection[str], page_size: int, extras: Mapping[str, CaseExtras] | None = None,
                      after: str = "", until: str | None = None) -> RangeOutcome:
    """The single-case rules over the cases with `after` < id <= `until` (None: to the end)."""
    report = EngineReport()
    out = RangeOutcome(findings=report.findings, skipped=report.skipped)
    async for page in case_pages(engine, page_size=page_size, after=after, until=until):
        page_extras = await measure_extras(engine, [s.case_id for s in page], extras,
                                           key_range=(page[0].case_id, page[-1].case_id))
        views = await build_views(page, facts, ref, page_extras)
        out.cases += len(views)
        for view in views:
            found = evaluate_case(view, ctx, report=report)
            if found:
                report.findings.extend(found)
            if view.case_id in shared:
                view.memo.clear()
                out.grouped.append(view)
    return out


async def split_keys(engine: AsyncEngine, parts: int) -> list[tuple[str, str | None]]:
    """`parts` key ranges (after, until] of about equal numbers of cases, in key order."""
    async with engine.connect() as conn:
        total = int((await conn.execute(select(func.count()).select_from(CaseRow))).scalar_one())
        bounds: list[str] = []
        for k in range(1, parts):
            offset = total * k // parts
            key = (await conn.execute(select(CaseRow.id).order_by(CaseRow.id).offset(offset - 1).limit(1))
                   ).scalar_one_or_none() if offset > 0 else None
            if key is not None and (not bounds or key > bounds[-1]):
                bounds.append(key)
    edges: list[str | None] = [*bounds, None]
    out: list[tuple[str, str | None]] = []
    after = ""
    for until in edges:
        out.append((after, until))
        after = until or ""
    return out


async def case_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(CaseRow))).scalar_one())


# --- the worker side -------------------------------------------------------------------------------


class ParentFacts:
    """A worker's `FactsSource`: asks the parent over the pipe; keeps the bodies and officers it got."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._bodies: dict[str, BodyView] = {}
        self._asked_bodies: set[str] = set()
        self._officers: dict[str, OfficerView] = {}
        self._asked_officers: set[str] = set()

    def _round_trip(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, Any]:
        self._conn.send((method, args, kwargs))
        reply: tuple[str, Any] = self._conn.recv()
        return reply

    async def _ask(self, method: str, *args: Any, **kwargs: Any) -> Any:
        # in a thread: meanwhile the event loop goes on reading the next page of cases
        kind, answer = await asyncio.to_thread(self._round_trip, method, args, kwargs)
        if kind != "ok":
            raise FactsUnavailable(str(answer))
        return answer

    async def bodies(self, usccs: Collection[str]) -> dict[str, BodyView]:
        todo = sorted(set(usccs) - self._asked_bodies)
        if todo:
            self._bodies.update(await self._ask("bodies", todo))
            self._asked_bodies.update(todo)
        return {u: self._bodies[u] for u in usccs if u in self._bodies}

    async def officers(self, officer_ids: Collection[str], *, body_hints: Collection[str] = ()
                       ) -> dict[str, OfficerView]:
        todo = sorted(set(officer_ids) - self._asked_officers)
        if todo:
            self._officers.update(await self._ask("officers", todo, body_hints=sorted(body_hints)))
            self._asked_officers.update(todo)
        return {o: self._officers[o] for o in officer_ids if o in self._officers}

    async def birth_dates(self, keys: Collection[PersonKey]) -> dict[PersonKey, date]:
        return dict(await self._ask("birth_dates", sorted(keys))) if keys else {}


@dataclass(frozen=True)
class WorkerJob:
    url: str
    after: str
    until: str | None
    page_size: int
    ctx: EvalContext
    reference: Reference
    shared: frozenset[str]
    extras: Mapping[str, CaseExtras] | None = None


async def _work(conn: Any, job: WorkerJob) -> RangeOutcome:
    from subgraphs.common.db import create_engine

    engine = create_engine(job.url)
    try:
        with quiet_gc():
            return await sweep_range(engine, ParentFacts(conn), job.ctx, job.reference, shared=job.shared,
                                     page_size=job.page_size, extras=job.extras, after=job.after, until=job.until)
    finally:
        await engine.dispose()


def worker_main(conn: Any, job: WorkerJob) -> None:
    """A worker process: one key range, then its outcome (or why it failed) on the pipe."""
    try:
        outcome = asyncio.run(_work(conn, job))
        outcome.peak_mb = peak_memory_mb()
    except BaseException as exc:  # the parent must learn why; the process then exits non-zero
        with suppress(OSError):
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    conn.send(("done", outcome))
    conn.close()


# --- the parent side -------------------------------------------------------------------------------


def _serve(index: int, conn: Any, proc: Any, facts: FactsSource, loop: asyncio.AbstractEventLoop) -> RangeOutcome:
    """The parent's side of one worker's pipe (in a thread): answer its fact requests on the parent's
    event loop until it sends its outcome; raise if it fails or dies."""
    failure: BaseException | None = None
    for _ in range(MAX_MESSAGES):
        try:
            message = conn.recv()
        except (EOFError, OSError):
            proc.join(timeout=30)
            raise SweepWorkerError(f"sweep worker {index} died (exit code {proc.exitcode}) before sending "
                                   "its results; nothing was recorded") from None
        kind = message[0]
        if kind == "done":
            outcome: RangeOutcome = message[1]
            return outcome
        if kind == "failed":
            if failure is not None:
                raise failure
            raise SweepWorkerError(f"sweep worker {index} failed: {message[1]}; nothing was recorded")
        method, args, kwargs = message
        if method not in FACT_METHODS:
            raise SweepWorkerError(f"sweep worker {index} sent an unknown request {method!r}")
        try:
            answer = asyncio.run_coroutine_threadsafe(getattr(facts, method)(*args, **kwargs), loop).result()
        except Exception as exc:  # the worker is told and stops; the parent raises the original error
            failure = exc
            reply: tuple[str, Any] = ("error", f"{type(exc).__name__}: {exc}")
        else:
            reply = ("ok", answer)
        try:
            conn.send(reply)
        except OSError:
            proc.join(timeout=10)
            raise SweepWorkerError(f"sweep worker {index} died (exit code {proc.exitcode}) before sending "
                                   "its results; nothing was recorded") from None
    raise SweepWorkerError(f"sweep worker {index} sent too many requests")


async def run_workers(url: str, facts: FactsSource, ctx: EvalContext, ref: Reference, *,
                      ranges: list[tuple[str, str | None]], shared: Collection[str], page_size: int,
                      extras: Mapping[str, CaseExtras] | None = None) -> list[RangeOutcome]:
    """`sweep_range` over each of `ranges` in a worker process of its own; outcomes in range order."""
    mp = multiprocessing.get_context("spawn")  # a fresh interpreter: no copied event loop or connections
    loop = asyncio.get_running_loop()
    started: list[tuple[Any, Any]] = []
    try:
        for after, until in ranges:
            parent_end, child_end = mp.Pipe()
            job = WorkerJob(url, after, until, page_size, ctx, ref, frozenset(shared), extras)
            proc = mp.Process(target=worker_main, args=(child_end, job), name=f"sweep-worker-{len(started)}",
                              daemon=True)
            proc.start()
            child_end.close()  # only the child holds it now: its death reads as end-of-file here
            started.append((parent_end, proc))
        tasks = [asyncio.ensure_future(asyncio.to_thread(_serve, i, conn, proc, facts, loop))
                 for i, (conn, proc) in enumerate(started)]
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        first = next((e for t in tasks if t in done and (e := t.exception()) is not None), None)
        if first is not None:  # the first to fail is the cause; the others are stopped because of it
            _stop(started)
            await asyncio.wait(tasks)
            for t in tasks:
                t.exception()  # retrieved: stopping them is no news
            raise first
        return [t.result() for t in tasks]
    finally:
        _stop(started)


def _stop(started: list[tuple[Any, Any]]) -> None:
    for conn, proc in started:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=10)
        with suppress(OSError):
            conn.close()
