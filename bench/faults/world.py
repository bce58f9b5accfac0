"""Who drives the load: bodies whose officers may carry a case of the item from clue to evidence, and
the entities the officers look up (read from the seed and from the store the stack loaded)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.common_guards import officer_problem
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.facts import load_store_facts
from subgraphs.common.db import create_engine

ITEM = "440000-SJ-0001"  # a market-regulation item every seeded market body may enforce
#: the days the driven cases' steps happen on (in the past, in the officers' certificate terms)
STEP_DAYS = [date(2025, 3, d) for d in (3, 4, 5, 6, 7)]


@dataclass(frozen=True)
class Team:
    """A body and two officers of it qualified to act on `ITEM` on every step day."""

    body: str
    region: str
    officers: tuple[str, str]


@dataclass(frozen=True)
class World:
    teams: list[Team]
    entities: list[str]  # USCCs of registered entities (legalEntity lookups reach the SOAP registry)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


async def load_world(store_url: str, seed_dir: Path, *, teams: int) -> World:
    engine = create_engine(store_url)
    try:
        data = await load_store_facts(engine)
    finally:
        await engine.dispose()
    ctx = data.context(WorkingCalendar.from_directory(calendar_dir()), load_config(deadlines_file()))
    when = [datetime.combine(d, time(10), CHINA_TZ) for d in STEP_DAYS]
    found: list[Team] = []
    for body in _jsonl(seed_dir / "bodies.jsonl"):
        if ITEM not in body["item_codes"]:
            continue
        ok = sorted(o.officer_id for o in data.facts.officers.values() if o.body_id == body["uscc"] and all(
            officer_problem(ctx, o.officer_id, w, region=body["region_code"], domain="市场监管") is None for w in when))
        for i in range(0, len(ok) - 1, 2):  # a pair of officers drives one case at a time
            if len(found) < teams:
                found.append(Team(body["uscc"], body["region_code"], (ok[i], ok[i + 1])))
    if not found:
        raise RuntimeError("the seed has no market-regulation body with two qualified officers")
    entities = [str(e["uscc"]) for e in _jsonl(seed_dir / "entities.jsonl")[:50]]
    return World(found, entities)
