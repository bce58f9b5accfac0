"""One faults-under-load run: the stack up on its own PostgreSQL server, the load for `duration_s`,
the faults on their schedule, then the invariants and the report.

Schedule (fractions of the duration; the first 20 % is the fault-free warm-up, the reference):
  25 %  SIGKILL the `kill` subgraph (default cases: it also runs the outbox relay), restart it at once
  50 %  restart PostgreSQL: stop (fast: every connection cut), stay down `pg_down_s`, start
  70 %  the `hang` department (default legal_person, the SOAP registry) hangs every call, for
        10 % of the duration (at least 8 s), then recovers
The load goes on through all of it; the last part of the run is the recovery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.faults import invariants, report
from bench.faults.load import CLIENT_TIMEOUT_S, Recorder, Tokens, call, query_worker, role_queries
from bench.faults.pg import PgServer
from bench.faults.report import Window
from bench.faults.stack import Stack, hub_environment, stack_env
from bench.faults.steps import Driver, Ledger
from bench.faults.world import load_world

WARMUP = 0.20
OUTBOX_DRAIN_S = 180.0  # the relay's backoff after an outage is capped; a bound, not a target


@dataclass(frozen=True)
class Options:
    duration_s: float = 300.0
    kill: str = "cases"
    hang: str = "legal_person"
    drivers: int = 3
    query_workers: int = 2  # per role: a hung department holds a worker for as long as the gateway waits
    pg_down_s: float = 3.0
    pg_mode: str = "fast"
    seed: int = 7
    keep: Path | None = None  # copy the parts' logs here, and every sample (samples.jsonl)


@dataclass
class Run:
    opts: Options
    stack: Stack
    pg: PgServer
    rec: Recorder
    windows: list[Window]

    async def fault(self, name: str, detail: str, action: Callable[[], Any]) -> None:
        """Run a blocking fault action off the event loop; its window lasts until it returns."""
        start = self.rec.now()
        self.rec.phase = f"fault:{name}"
        try:
            await asyncio.to_thread(action)
        finally:
            self.windows.append(Window(name, start, self.rec.now(), detail))
            self.rec.phase = "after-fault"

    def kill_and_restart(self) -> None:
        self.stack.kill(self.opts.kill)
        self.stack.start_part(self.opts.kill)  # waits until it is healthy again

    def restart_pg(self) -> None:
        self.pg.restart(down_s=self.opts.pg_down_s, mode=self.opts.pg_mode)

    def hang_then_recover(self, hang_s: float) -> None:
        self.stack.knobs(self.opts.hang, hang_rate=1.0)
        time.sleep(hang_s)
        self.stack.knobs(self.opts.hang, hang_rate=0.0)

    async def schedule(self) -> None:
        d = self.opts.duration_s
        hang_s = max(8.0, 0.10 * d)
        plan: list[tuple[float, str, str, Callable[[], Any]]] = [
            (0.25 * d, f"kill-{self.opts.kill}", f"SIGKILL subgraph {self.opts.kill}, restarted", self.kill_and_restart),
            (0.50 * d, "restart-postgresql", f"PostgreSQL stopped ({self.opts.pg_mode}), {self.opts.pg_down_s:.0f} s "
             "down, started", self.restart_pg),
            (0.70 * d, f"hang-{self.opts.hang}", f"{self.opts.hang} hangs every call for {hang_s:.0f} s",
             lambda: self.hang_then_recover(hang_s)),
        ]
        await asyncio.sleep(max(0.0, WARMUP * d - self.rec.now()))
        self.rec.phase = "steady"
        for at, name, detail, action in plan:
            await asyncio.sleep(max(0.0, at - self.rec.now()))
            await self.fault(name, detail, action)
        self.rec.phase = "recovery"


async def _prewarm(http: httpx.AsyncClient, gateway: str, tokens: Tokens, world: Any, ledger: Ledger) -> None:
    """Every query once and one case driven, unmeasured: the warm-up measures a warm stack, not imports."""
    scratch = Recorder()
    await Driver(http, scratch, gateway, tokens, world.teams[0], ledger, seed=-1).one_case()
    for user, queries in role_queries(world, ledger.case_ids).values():
        headers = await tokens.headers(http, user)
        for _name, query, variables in queries:
            await call(http, scratch, gateway, "prewarm", query, variables(random.Random(0)), headers)


async def _load(run: Run, world: Any, ledger: Ledger) -> None:
    d = run.opts.duration_s
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
    async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT_S, limits=limits) as http:
        tokens = Tokens(run.stack.url("sim:identity"))
        gateway = f"{run.stack.gateway}/graphql"
        await _prewarm(http, gateway, tokens, world, ledger)
        run.rec.started = time.monotonic()
        tasks = [asyncio.create_task(Driver(http, run.rec, gateway, tokens, team, ledger, seed=i).run(until=d))
                 for i, team in enumerate(world.teams)]
        for i, (role, (user, queries)) in enumerate(role_queries(world, ledger.case_ids).items()):
            for j in range(run.opts.query_workers):
                tasks.append(asyncio.create_task(query_worker(http, run.rec, gateway, tokens, role, user, queries,
                                                              until=d, seed=100 + 10 * i + j)))
        tasks.append(asyncio.create_task(run.schedule()))
        # bounded: a step still retrying at the end gives up within GIVE_UP_S
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=d + 300)


def _catalogue(url: str, seed_dir: Path) -> None:
    """The reviewed catalogue and regulations in the store (what `hub up` imports with its demo cases)."""
    from subgraphs.cases.seed import seed_cases

    asyncio.run(seed_cases(url, seed_dir, seed=0, count=0))


async def run(opts: Options) -> tuple[dict[str, Any], bool]:
    """Run once; returns the report and whether every invariant held."""
    pg = PgServer()
    work = Path(tempfile.mkdtemp(prefix="hub-faults-"))
    try:
        pg.start()
        logs = work / "logs"
        logs.mkdir()
        from simulators.datagen.generator import generate

        generate(size="small", seed=opts.seed, out=work / "seed", progress=False)
        env = stack_env(work, pg.url)
        with hub_environment(env) as settings:
            stack = Stack(settings, env, logs)
            try:
                started = time.monotonic()
                await asyncio.to_thread(stack.up, lambda: _catalogue(settings.store_url, work / "seed"))
                up_s = time.monotonic() - started
                world = await load_world(settings.store_url, work / "seed", teams=opts.drivers)
                the_run = Run(opts, stack, pg, Recorder(), [])
                ledger = Ledger()
                await _load(the_run, world, ledger)
                load_s = the_run.rec.now()
                if opts.keep is not None:
                    opts.keep.mkdir(parents=True, exist_ok=True)
                    (opts.keep / "samples.jsonl").write_text("".join(
                        json.dumps(asdict(s), ensure_ascii=False) + "\n"
                        for s in the_run.rec.samples), encoding="utf-8")
                for name in stack.parts:  # every part back and answering before the store is judged
                    await asyncio.to_thread(stack.wait_healthy, name)
                verdicts = [await invariants.check_outbox(settings.store_url, wait_s=OUTBOX_DRAIN_S)]
                verdicts += await invariants.check_steps(settings.store_url, ledger)
                verdicts.append(await asyncio.to_thread(invariants.check_chains, env, settings.store_url))
                five = [s for s in the_run.rec.samples if s.status >= 500 and not report.documented_5xx(s)]
                verdicts.append(invariants.Verdict("no undocumented 5xx", not five, f"{len(five)} undocumented 5xx"))
                figures = report.build(the_run.rec.samples, the_run.windows, verdicts, duration_s=load_s,
                                       warmup_s=WARMUP * opts.duration_s,
                                       extra={"stack_up_s": round(up_s, 1), "cases_started": len(ledger.case_ids),
                                              "cases_completed": ledger.cases_completed,
                                              "pg_restarts": pg.restarts,
                                              "error_examples": the_run.rec.examples,
                                              "options": {k: str(v) for k, v in vars(opts).items()}})
                return figures, all(v.ok for v in verdicts)
            finally:
                stack.down()
                if opts.keep is not None:
                    opts.keep.mkdir(parents=True, exist_ok=True)
                    with contextlib.suppress(OSError):
                        shutil.copytree(logs, opts.keep / "logs", dirs_exist_ok=True)
    finally:
        pg.destroy()
        shutil.rmtree(work, ignore_errors=True)
