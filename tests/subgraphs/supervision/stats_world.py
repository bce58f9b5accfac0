"""A store for the filtered statistics: the small data set's cases and body register, and alerts
recorded on four days; plus plain-Python references over the same rows (the expected figures)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from subgraphs.cases.codec import decode
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.ground_truth import seed_with_violations
from subgraphs.cases.rows import CaseRow
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.seedload import load_seed
from subgraphs.supervision.alerts import record_findings
from subgraphs.supervision.model import Finding, Severity, SubjectKind
from tests.subgraphs.supervision.conftest import SECRET

#: 17:30 UTC is 01:30 the next day in China: the period of an alert is its China date
DETECTED = [datetime(2026, 3, d, 17, 30, tzinfo=UTC) for d in (2, 9, 16, 23)]
RULES = ("S02", "S03", "S24")
SEVERITIES = (Severity.RED, Severity.RED, Severity.YELLOW, Severity.INFO)


@dataclass(frozen=True, slots=True)
class Body:
    uscc: str
    level: str
    region: str


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    body: str
    region: str
    filed: date | None
    decided: date | None
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordedAlert:
    rule: str
    severity: str
    body: str
    case: str | None
    due: date | None
    detected: datetime

    @property
    def day(self) -> date:
        return self.detected.astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class StatsWorld:
    bodies: dict[str, Body]
    cases: list[Case]
    alerts: list[RecordedAlert]

    def case_region(self, case_id: str | None) -> str | None:
        return next((c.region for c in self.cases if c.id == case_id), None)

    def alert_region(self, a: RecordedAlert) -> str | None:
        body = self.bodies.get(a.body)
        return body.region if body else self.case_region(a.case)


def _case(s: CaseSnapshot) -> Case:
    decided = s.decision.decided_on if s.decision else (s.no_penalty.decided_on if s.no_penalty else None)
    kinds = tuple(sorted(k.value for k in s.decision.proposal.kinds)) if s.decision else ("NONE",)
    return Case(s.case_id, s.body_id, s.region_code, s.filed_on, decided, kinds)


def _findings(cases: list[Case]) -> list[tuple[datetime, list[Finding], list[str]]]:
    batches: list[tuple[datetime, list[Finding], list[str]]] = [(at, [], []) for at in DETECTED]
    for i, c in enumerate(cases):
        _at, findings, ids = batches[i % len(DETECTED)]
        due = None if i % 5 == 0 else date(2026, 1, 1 + i % 28)
        findings.append(Finding(RULES[i % 3], SEVERITIES[i % 4], SubjectKind.CASE, c.id, c.body, c.id, due, {"i": i}))
        ids.append(c.id)
    return batches


async def seed_stats_world(url: str, small_seed: Path, tmp: Path) -> StatsWorld:
    await upgrade(url)
    await seed_with_violations(url, small_seed, tmp, seed=3, count=60, secret=SECRET)
    engine = create_engine(url)
    try:
        await load_seed(engine, PseudonymVault(engine, SECRET), small_seed)
        async with engine.connect() as conn:
            raw = (await conn.execute(select(CaseRow.snapshot).order_by(CaseRow.id))).scalars().all()
        cases = [_case(decode(CaseSnapshot, r)) for r in raw]
        recorded: list[RecordedAlert] = []
        for at, findings, ids in _findings(cases):
            await record_findings(engine, findings, now=at, rectification_days=15, case_ids=ids)
            recorded += [RecordedAlert(f.rule_id, f.severity.value, f.body_id, f.case_id, f.due, at) for f in findings]
        # alerts about a body, not a case: in no case's count, in the rule counts
        body_ids = sorted({c.body for c in cases})[:3]
        body_findings = [Finding("S30", Severity.YELLOW, SubjectKind.BODY, b, b, None, None, {}) for b in body_ids]
        await record_findings(engine, body_findings, now=DETECTED[0], rectification_days=15, case_ids=[])
        recorded += [RecordedAlert("S30", "YELLOW", b, None, None, DETECTED[0]) for b in body_ids]
    finally:
        await engine.dispose()
    lines = (small_seed / "bodies.jsonl").read_text(encoding="utf-8").splitlines()
    bodies = {b["uscc"]: Body(b["uscc"], b["level"], b["region_code"]) for b in map(json.loads, filter(None, lines))}
    return StatsWorld(bodies, cases, recorded)


def _prefix(code: str) -> str:
    """GB/T 2260 nesting, written out: a province's 2 digits, a city's 4, a county's 6, a town itself."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@dataclass(frozen=True, slots=True)
class Flt:
    level: str | None = None
    region: str | None = None
    body: str | None = None
    start: date | None = None
    end: date | None = None

    def graph(self) -> dict[str, str]:
        out = {"level": self.level, "regionCode": self.region, "bodyId": self.body,
               "from": self.start.isoformat() if self.start else None, "to": self.end.isoformat() if self.end else None}
        return {k: v for k, v in out.items() if v is not None}

    def _in_period(self, day: date | None) -> bool:
        if self.start is None and self.end is None:
            return True
        return day is not None and (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def _where(self, world: StatsWorld, body: str, region: str | None) -> bool:
        registered = world.bodies.get(body)
        if self.level is not None and (registered is None or registered.level != self.level):
            return False
        if self.region is not None and (region is None or not region.startswith(_prefix(self.region))):
            return False
        return self.body is None or body == self.body

    def case_ok(self, world: StatsWorld, c: Case, *, by_decision: bool) -> bool:
        return self._where(world, c.body, c.region) and self._in_period(c.decided if by_decision else c.filed)

    def alert_ok(self, world: StatsWorld, a: RecordedAlert) -> bool:
        return self._where(world, a.body, world.alert_region(a)) and self._in_period(a.day)


def expected_by_body(world: StatsWorld, flt: Flt) -> Counter[str]:
    return Counter(c.body for c in world.cases if flt.case_ok(world, c, by_decision=False))


def expected_by_decided_month(world: StatsWorld, flt: Flt) -> Counter[str]:
    return Counter(c.decided.strftime("%Y-%m") if c.decided else "UNDECIDED"
                   for c in world.cases if flt.case_ok(world, c, by_decision=True))


def expected_by_kind(world: StatsWorld, flt: Flt) -> Counter[str]:
    out: Counter[str] = Counter()
    for c in world.cases:
        if flt.case_ok(world, c, by_decision=True):
            out.update(c.kinds)
    return out


def expected_by_rule(world: StatsWorld, flt: Flt) -> Counter[tuple[str, str]]:
    return Counter((a.rule, a.severity) for a in world.alerts if flt.alert_ok(world, a))
