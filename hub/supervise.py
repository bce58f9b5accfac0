"""`hub supervise sweep [--json]`: run a full supervision sweep over the case store.

The lead wires `sweep_command` into the CLI. The sweep reads cases from the hub's store and the
facts of other subgraphs through the gateway (`settings.gateway`), records the alerts, and prints
either a summary table or, with `--json`, `{"as_of", "cases", "gateway_requests", "alerts": [
{rule, case_id|officer_id|body_id, severity}]}`. The evaluation instant is now, or
`HUB_SUPERVISION_AS_OF` (ISO 8601 with offset) for reproducible runs against seeded data.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from datetime import datetime
from typing import Any, TextIO

import httpx

from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.errors import SupervisionError
from subgraphs.supervision.facts import FactsSource
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.service_token import ServiceClient
from subgraphs.supervision.sweep import SweepResult, as_of_now, eval_context, run_sweep


def _as_of(explicit: datetime | None) -> datetime:
    return explicit if explicit is not None else as_of_now()


async def sweep(settings: Any, *, as_of: datetime | None = None, facts: FactsSource | None = None,
                record: bool = True, workers: int | None = None) -> SweepResult:
    url = settings.effective_database_url
    await upgrade(url)
    engine = create_engine(url)
    ctx = eval_context(_as_of(as_of))
    try:
        if facts is not None:
            return await run_sweep(engine, facts, ctx, record=record, workers=workers,
                                   requests=lambda: int(getattr(facts, "requests", 0)))
        service = ServiceClient.from_settings(settings)
        async with httpx.AsyncClient(timeout=service.timeout_s) as client:
            gateway = GatewayFacts(client, service.gateway_url, token=service.token(client))
            return await run_sweep(engine, gateway, ctx, record=record, requests=lambda: gateway.requests,
                                   workers=workers)
    finally:
        await engine.dispose()


def render(result: SweepResult, *, as_json: bool, out: TextIO) -> None:
    if as_json:
        alerts = sorted((f.brief() for f in result.findings), key=lambda a: json.dumps(a, sort_keys=True))
        json.dump({"as_of": result.as_of.isoformat(), "cases": result.cases,
                   "gateway_requests": result.gateway_requests, "alerts": alerts}, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    counts = Counter((f.rule_id, f.severity.value) for f in result.findings)
    out.write(f"sweep as of {result.as_of.isoformat()}: {result.cases} cases, {len(result.findings)} alerts, "
              f"{result.gateway_requests} gateway requests, {result.seconds:.1f} s, "
              f"{result.workers} process{'es' if result.workers > 1 else ''}\n")
    for (rule, severity), n in sorted(counts.items()):
        out.write(f"  {rule:<5} {severity:<6} {n}\n")


def sweep_command(settings: Any, *, as_json: bool, as_of: datetime | None = None,
                  facts: FactsSource | None = None, out: TextIO | None = None, workers: int | None = None) -> int:
    """Exit code 0 on success, 2 when the facts or the store could not be read."""
    stream = out or sys.stdout
    try:
        result = asyncio.run(sweep(settings, as_of=as_of, facts=facts, workers=workers))
    except SupervisionError as exc:
        sys.stderr.write(f"supervise sweep failed ({exc.code}): {exc}\n")
        return 2
    render(result, as_json=as_json, out=stream)
    return 0
