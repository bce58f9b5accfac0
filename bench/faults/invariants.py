"""The invariants of a run, checked in the store with SQL after the load has stopped.

* every acknowledged step is in the store exactly once: its idempotency key's row names the case, case
  number and version the client was answered with, and that case has exactly one event at that version;
* nothing is doubled: each case's events are 1..version with no gap and no repeat, and each event is
  the one write of exactly one idempotency key (a step written twice would leave an event no key
  answers for); no case exists that no key registered;
* every idempotent retry and duplicate send was answered with the first result (the drivers compare);
* every case's hash chain is intact (`hub audit verify`, the operator's command);
* the outbox drains after recovery: nothing PENDING after a bounded wait, nothing DEAD.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.faults.steps import Ledger
from subgraphs.common.db import create_engine

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Verdict:
    name: str
    ok: bool
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)


async def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql))).all())
    finally:
        await engine.dispose()


async def check_steps(url: str, ledger: Ledger) -> list[Verdict]:
    keys = {r.key: r for r in await _rows(url, "SELECT key, case_id, response FROM idempotency_key")}
    events = await _rows(url, "SELECT case_id, seq FROM case_event")
    cases = {r.id: int(r.version) for r in await _rows(url, "SELECT id, version FROM penalty_case")}
    per_event = Counter((r.case_id, int(r.seq)) for r in events)
    by_case: dict[str, list[int]] = defaultdict(list)
    for (case_id, seq), n in per_event.items():
        by_case[case_id].extend([seq] * n)

    missing: list[str] = []
    for ack in ledger.acks:
        row = keys.get(ack.key)
        if row is None or row.case_id != ack.case_id or int(row.response["version"]) != ack.version \
                or row.response["caseNo"] != ack.data["caseNo"] or per_event[(ack.case_id, ack.version)] != 1:
            missing.append(f"{ack.op} {ack.key}")
    answered_by: dict[str, Counter[int]] = defaultdict(Counter)
    for row in keys.values():
        answered_by[row.case_id][int(row.response["eventSeq"])] += 1
    doubled: list[str] = []
    for case_id, version in cases.items():
        seqs = sorted(by_case.get(case_id, []))
        if seqs != list(range(1, version + 1)):
            doubled.append(f"{case_id}: events {seqs[:12]} for version {version}")
            continue
        unkeyed = [s for s in seqs if answered_by[case_id][s] != 1]
        if unkeyed:
            doubled.append(f"{case_id}: events {unkeyed} not written by exactly one key")
    committed_unanswered = sum(1 for _op, key in ledger.given_up if key in keys)
    return [
        Verdict("acknowledged steps in the store", not missing,
                f"{len(ledger.acks)} acknowledged, {len(missing)} missing" + (f": {missing[:5]}" if missing else ""),
                {"acknowledged": len(ledger.acks), "missing": len(missing)}),
        Verdict("no doubled step", not doubled,
                f"{len(cases)} cases, {len(events)} events, {len(doubled)} with a doubled or unanswered event"
                + (f": {doubled[:5]}" if doubled else ""),
                {"cases": len(cases), "events": len(events), "doubled": len(doubled),
                 "given_up": len(ledger.given_up), "given_up_but_committed": committed_unanswered}),
        Verdict("retries answered with the first result", not ledger.replay_mismatches and not ledger.retried_refused,
                f"{ledger.replays} retries and duplicate sends answered ({ledger.cut} after the client cut the "
                f"first attempt off), {len(ledger.replay_mismatches)} with "
                f"another result, {len(ledger.retried_refused)} refused on a retry"
                + (f": {ledger.replay_mismatches[:2]} {ledger.retried_refused[:3]}"
                   if ledger.replay_mismatches or ledger.retried_refused else ""),
                {"replays": ledger.replays, "cut_first_attempts": ledger.cut, "mismatches": len(ledger.replay_mismatches),
                 "refused_on_retry": len(ledger.retried_refused)}),
    ]


def check_chains(env: dict[str, str], url: str) -> Verdict:
    """`hub audit verify` over the store, as an operator runs it."""
    done = subprocess.run([sys.executable, "-m", "hub", "audit", "verify", "--database", url], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False)
    lines = [x for x in done.stdout.splitlines() if x.strip()]
    return Verdict("hash chains intact", done.returncode == 0, "; ".join(lines) or done.stderr.strip()[-300:],
                   {"exit": done.returncode})


async def outbox_counts(url: str) -> dict[str, int]:
    rows = await _rows(url, "SELECT status, COUNT(*) AS n FROM outbox_message GROUP BY status")
    return {str(r.status): int(r.n) for r in rows}


async def check_outbox(url: str, *, wait_s: float) -> Verdict:
    """Wait (bounded) until nothing is PENDING; then nothing may be DEAD."""
    started = time.monotonic()
    counts = await outbox_counts(url)
    while counts.get("PENDING", 0) and time.monotonic() - started < wait_s:
        await asyncio.sleep(2)
        counts = await outbox_counts(url)
    waited = time.monotonic() - started
    dead = await _rows(url, "SELECT topic, last_error FROM outbox_message WHERE status = 'DEAD' LIMIT 5")
    pending, n_dead = counts.get("PENDING", 0), counts.get("DEAD", 0)
    detail = (f"{counts.get('DELIVERED', 0)} delivered, {pending} pending after {waited:.0f} s, {n_dead} dead"
              + (f": {[(r.topic, (r.last_error or '')[:120]) for r in dead]}" if dead else ""))
    return Verdict("outbox drained", pending == 0 and n_dead == 0, detail,
                   {**{k.lower(): v for k, v in counts.items()}, "drain_wait_s": round(waited, 1)})
