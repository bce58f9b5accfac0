"""`seed_cases`: demo cases in every state of DOMAIN.md §5.1, made by driving the real state machine.

From the generator's files in `seed_dir` (bodies.jsonl, officers.jsonl, certificates.jsonl,
items.jsonl, and persons.jsonl / entities.jsonl for parties) the seed

1. imports the catalogue through its reviewed workflow (draft → legal review → published) and the
   regulations the items cite (one version in force since 2000-01-01 per regulation);
2. for case i, aims at state `STATES[i % 25]`: picks a body, one of its penalty items, qualified
   officers and a party, and plans the commands of DOMAIN.md §5.2 that reach the state, checking
   them in memory with `machine.apply`; a plan a guard rejects is dropped and another cast tried;
3. writes each planned case through `CaseService` (events, hash chain, deadlines), so every
   seeded row is what the service would have written for real commands.

The same seed and count give the same cases (ids, dates, parties) on every run.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from domain.sm import id_number_hash, sm3_hex
from subgraphs.cases import scenario as h
from subgraphs.cases.catalogue import ItemStatus, publish_reviewed
from subgraphs.cases.domain.catalogue import EnforcementItem, FineRuleKind
from subgraphs.cases.domain.clock import CHINA_TZ, add_months
from subgraphs.cases.domain.common_guards import hearing_eligible, officer_problem
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import CaseState, CircumstanceLevel, PartyType, PenaltyKind
from subgraphs.cases.domain.errors import CaseDomainError
from subgraphs.cases.domain.facts import BodyFact, CertificateFact, OfficerFact, StaticFacts
from subgraphs.cases.domain.machine import apply
from subgraphs.cases.domain.records import Party, PenaltyProposal
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.facts import FixedFacts, certificate_status
from subgraphs.cases.items import basis_ref, to_domain_item
from subgraphs.cases.regulations import VersionSpec, add_regulation, level_of, load_index, parse_ref
from subgraphs.cases.rows import CatalogueItemRow, RegulationRow
from subgraphs.cases.service import CaseService
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade

STATES: tuple[CaseState, ...] = tuple(CaseState)
DEV_SECRET = b"dev-only-pepper-change-me"
ATTEMPTS = 40
FIRST_BASE = date(2025, 1, 6)
BASE_SPAN_DAYS = 150


@dataclass(frozen=True)
class SeedReport:
    created: int
    by_state: dict[str, int]
    skipped: list[str] = field(default_factory=list)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                value = orjson.loads(raw)
                if isinstance(value, dict):
                    yield value


@dataclass(frozen=True)
class _Cast:
    case_id: str
    body: dict[str, Any]
    item: EnforcementItem
    basis: tuple[str, ...]
    party: Party
    officers: tuple[str, str]
    reviewer: str | None
    chair: str | None
    base: date
    violation_on: date


class _Dry:
    """Applies commands in memory, keeping them for the real run."""

    def __init__(self, ctx: GuardContext) -> None:
        self.ctx = ctx
        self.case: CaseSnapshot | None = None
        self.commands: list[Any] = []

    def do(self, cmd: Any) -> CaseState:
        self.case = apply(self.case, cmd, self.ctx).after
        self.commands.append(cmd)
        return self.case.state

    @property
    def now(self) -> CaseSnapshot:
        assert self.case is not None
        return self.case


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), CHINA_TZ)


class _Planner:
    def __init__(self, ctx: GuardContext) -> None:
        self.ctx = ctx
        self.cal = ctx.calendar

    def wd(self, day: date) -> date:
        return self.cal.roll_forward_to_working_day(day)

    def plan(self, c: _Cast, target: CaseState) -> list[Any] | None:
        run = _Dry(self.ctx)
        try:
            self._walk(run, c, target)
        except CaseDomainError:
            return None
        return run.commands if run.case is not None and run.case.state is target else None

    def _proposal(self, c: _Cast) -> PenaltyProposal:
        band = c.item.band(CircumstanceLevel.ORDINARY)
        assert band is not None
        return PenaltyProposal(frozenset({PenaltyKind.FINE}), CircumstanceLevel.ORDINARY, fine_fen=band.min_fen)

    def _walk(self, run: _Dry, c: _Cast, target: CaseState) -> None:
        S = CaseState
        b = c.base

        def day(offset: int) -> datetime:
            return _at(self.wd(b + timedelta(days=offset)))

        def go(cmd: Any) -> bool:
            return run.do(cmd) is target

        clue = h.register_clue(day(-3), c.officers[0], c.case_id, c.body, c.item, c.party, c.violation_on,
                               discovered_on=self.wd(b + timedelta(days=-3)).isoformat())
        if target is S.SIMPLE_DECIDED:
            run.do(h.on_the_spot(day(-3), c.officers, clue, c.basis))
            return
        if go(clue) or go(h.verify(day(-2), c.officers[0])):
            return
        if target is S.NOT_FILED:
            go(h.not_file(day(-1)))
            return
        if go(h.file_case(day(0))) or go(h.investigate(day(3), c.officers)):
            return
        run.do(h.evidence(day(4), c.officers, f"EV-{c.case_id[:8]}"))
        if target is S.SUSPENDED:
            go(h.suspend(day(5)))
            return
        if target is S.TERMINATED:
            go(h.terminate(day(5)))
            return
        if go(h.conclude(day(20), c.officers[0])) or go(h.submit(day(21), c.officers[0])):
            return
        if target is S.TRANSFERRED:
            go(h.transfer(day(22)))
            return
        if target is S.NO_PENALTY_DECIDED:
            self._review_if_needed(run, c, day(22), day(23), day(24))
            go(h.no_penalty(day(25)))
            return
        proposal = self._proposal(c)
        eligible = hearing_eligible(c.item, (c.party,), proposal)
        if go(h.notice(day(25), c.officers[0], proposal, eligible)):
            return
        if target in (S.HEARING_PENDING, S.HEARING_HELD):
            if not eligible or c.chair is None:
                return
            if go(h.request_hearing(day(27))):
                return
            run.do(h.schedule_hearing(day(28), self.wd(b + timedelta(days=45)), c.chair))
            go(h.hold_hearing(day(45), c.chair))
            return
        run.do(h.statement(day(27), c.officers[0]))
        run.do(h.review_statement(day(28), c.officers[0]))
        run.do(h.reassess(day(36), proposal))
        if target in (S.LEGAL_REVIEW, S.COLLECTIVE_DISCUSSION) or c.item.major_decision:
            if c.reviewer is None:
                return
            if go(h.submit_legal_review(day(37), major=target is S.COLLECTIVE_DISCUSSION)):
                return
            if go(h.record_review(day(38), c.reviewer)):
                return
            if run.now.state is S.COLLECTIVE_DISCUSSION:
                run.do(h.discussion(day(39)))
        if go(h.decide(day(40), proposal, c.basis, f"{c.body.get('short_name') or '执法'}罚〔{b.year}〕{c.case_id[:4]}号")):
            return
        if go(h.serve(day(42), c.officers[0])) or go(h.start_payment(day(42), c.officers[0])):
            return
        payment = run.now.payment
        service = run.now.service
        assert payment is not None
        assert service is not None
        if target in (S.OVERDUE, S.ENFORCING):
            if go(h.overdue(_at(payment.due + timedelta(days=1)))):
                return
            run.do(h.remind(_at(self.wd(payment.due + timedelta(days=2)))))
            when = self.wd(add_months(service.served_on, 6) + timedelta(days=20))
            go(h.enforce_by_court(_at(when)))
            return
        # the decisions of the cases that go on to payment are published (T29, 双公示) the day after service
        run.do(h.publish(_at(self.wd(service.served_on + timedelta(days=1))), c.officers[0]))
        if go(h.pay(_at(self.wd(service.served_on + timedelta(days=5))), payment.amount_due_fen)):
            return
        closed_on = self.wd(service.served_on + timedelta(days=8))
        if go(h.close(_at(closed_on))):
            return
        manifest = sm3_hex(f"{c.case_id}|{len(run.commands)}".encode())
        go(h.archive(_at(self.wd(closed_on + timedelta(days=5))), f"A-{b.year}-{c.case_id[:8]}", manifest))

    def _review_if_needed(self, run: _Dry, c: _Cast, submit: datetime, review: datetime, discuss: datetime) -> None:
        if not c.item.major_decision or c.reviewer is None:
            return
        run.do(h.submit_legal_review(submit, major=False))
        run.do(h.record_review(review, c.reviewer))
        if run.now.state is CaseState.COLLECTIVE_DISCUSSION:
            run.do(h.discussion(discuss))


# --- loading the seed world ----------------------------------------------------------------------


async def _import_catalogue(engine: Any, items: list[dict[str, Any]]) -> None:
    async with engine.connect() as conn:
        known = set((await conn.execute(select(CatalogueItemRow.code))).scalars())
        titles = set((await conn.execute(select(RegulationRow.title))).scalars())
    stamp = datetime(2020, 1, 1, tzinfo=CHINA_TZ)
    for item in items:
        if str(item["code"]) not in known:
            await publish_reviewed(engine, item, drafter="seed-catalogue", reviewer="seed-legal-review", now=stamp,
                                   valid_from=date(2020, 1, 1))
    cited: dict[str, dict[str, str]] = {}
    for item in items:
        for provision in (*item.get("violated_provisions", []), *item.get("penalty_provisions", [])):
            parsed = parse_ref(basis_ref(provision))
            if parsed is not None:
                cited.setdefault(parsed[0], {})[parsed[1]] = f"{provision['article']} (text not loaded)"
    for title, articles in sorted(cited.items()):
        if title not in titles:
            await add_regulation(engine, title=title, level=level_of(title), versions=[
                VersionSpec("seed", date(2000, 1, 1), articles=articles)])


async def _published_items(engine: Any) -> dict[str, EnforcementItem]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(CatalogueItemRow.payload).where(
            CatalogueItemRow.status == ItemStatus.PUBLISHED.value))).scalars().all()
    return {str(p["code"]): to_domain_item(p) for p in rows if p.get("action_type") == "PENALTY"}


def _facts(seed_dir: Path, items: dict[str, EnforcementItem]) -> StaticFacts:
    certificates: dict[str, list[CertificateFact]] = {}
    raw_certs = sorted(_jsonl(seed_dir / "certificates.jsonl"),
                       key=lambda c: (c.get("cert_type") == "SUPERVISION", str(c["cert_no"])))
    for cert in raw_certs:
        certificates.setdefault(str(cert["officer_id"]), []).append(CertificateFact(
            str(cert["cert_no"]), str(cert["officer_id"]), certificate_status(str(cert["status"])),
            date.fromisoformat(cert["valid_from"]), date.fromisoformat(cert["valid_to"]),
            frozenset(cert.get("area") or []), frozenset(cert.get("categories") or [])))
    return StaticFacts(
        officers={str(o["id"]): OfficerFact(str(o["id"]), str(o["name"]), str(o["body_uscc"]),
                                            has_legal_qualification=bool(o.get("has_legal_qualification")),
                                            is_legal_reviewer=bool(o.get("is_legal_reviewer")))
                  for o in _jsonl(seed_dir / "officers.jsonl") if o.get("status", "ACTIVE") == "ACTIVE"},
        certificates={k: tuple(v) for k, v in certificates.items()},
        items={(i.code, i.version): i for i in items.values()},
        bodies={str(b["uscc"]): BodyFact(str(b["uscc"]), str(b["name"]), frozenset(b.get("item_codes") or []))
                for b in _jsonl(seed_dir / "bodies.jsonl")},
    )


def _parties(seed_dir: Path, secret: bytes) -> tuple[list[Party], list[Party]]:
    persons = [
        Party(PartyType.NATURAL_PERSON, str(p["name"]), date.fromisoformat(p["birth_date"]),
              id_number_hash(secret, str(p.get("id_type") or "RESIDENT_ID"), str(p["id_number"])),
              str(p.get("id_type") or "RESIDENT_ID"))
        for p in _jsonl(seed_dir / "persons.jsonl")
        if p.get("birth_date") and p["birth_date"] < "1995-01-01" and not p.get("death_flag")
    ]
    entities = [
        Party(PartyType.INDIVIDUAL_BUSINESS if e.get("entity_category") == "个体工商户" else PartyType.ORGANISATION,
              str(e["name"]), uscc=str(e["uscc"]))
        for e in _jsonl(seed_dir / "entities.jsonl") if e.get("uscc")
    ]
    return persons, entities


def _qualified(ctx: GuardContext, officer_ids: list[str], *, region: str, domain: str, first: date,
               last: date) -> list[str]:
    out = []
    for officer in officer_ids:
        if all(officer_problem(ctx, officer, _at(d), region=region, domain=domain) is None for d in (first, last)):
            out.append(officer)
    return out


async def seed_cases(url: str, seed_dir: Path, *, seed: int, count: int,
                     id_hash_secret: bytes = DEV_SECRET, progress: Callable[[int], None] | None = None) -> SeedReport:
    """Create `count` cases spread over every state (deterministic for `seed`)."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        await _import_catalogue(engine, list(_jsonl(seed_dir / "items.jsonl")))
        items = await _published_items(engine)
        facts = _facts(seed_dir, items)
        ctx = GuardContext(calendar=WorkingCalendar.from_directory(calendar_dir()),
                           config=load_config(deadlines_file()), personnel=facts, catalogue=facts,
                           bodies=facts, regulations=await load_index(engine))
        persons, entities = _parties(seed_dir, id_hash_secret)
        bodies = {str(b["uscc"]): b for b in _jsonl(seed_dir / "bodies.jsonl")}
        by_body: dict[str, list[str]] = {}
        for officer in facts.officers.values():
            by_body.setdefault(officer.body_id, []).append(officer.officer_id)
        usable = [
            (uscc, code) for uscc, body in sorted(bodies.items()) for code in body.get("item_codes") or []
            if code in items and items[code].fine_rule.kind is FineRuleKind.FIXED_RANGE
            and items[code].band(CircumstanceLevel.ORDINARY) is not None and len(by_body.get(uscc, [])) >= 2
        ]
        rng = random.Random(seed)
        planner = _Planner(ctx)
        service = CaseService(engine, FixedFacts(ctx))
        report: dict[str, int] = {}
        skipped: list[str] = []
        for index in range(count):
            target = STATES[index % len(STATES)]
            case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            commands = None
            for _ in range(ATTEMPTS):
                cast = _cast(rng, ctx, case_id, bodies, items, usable, by_body, persons, entities, target)
                if cast is not None:
                    commands = planner.plan(cast, target)
                    if commands is not None:
                        break
            if commands is None:
                skipped.append(f"case {index}: no cast reaches {target.value}")
                continue
            result = await service.execute(commands[0])
            for command in commands[1:]:
                result = await service.execute(command, case_id=result.case.case_id,
                                               expected_version=result.case.version)
            report[target.value] = report.get(target.value, 0) + 1
            if progress is not None:
                progress(index + 1)
        return SeedReport(created=sum(report.values()), by_state=report, skipped=skipped)
    finally:
        await engine.dispose()


def _cast(rng: random.Random, ctx: GuardContext, case_id: str, bodies: dict[str, dict[str, Any]],
          items: dict[str, EnforcementItem], usable: list[tuple[str, str]], by_body: dict[str, list[str]],
          persons: list[Party], entities: list[Party], target: CaseState) -> _Cast | None:
    if not usable:
        return None
    uscc, code = rng.choice(usable)
    item = items[code]
    if target is CaseState.SIMPLE_DECIDED and PenaltyKind.WARNING not in item.allowed_kinds:
        return None
    body = bodies[uscc]
    base = FIRST_BASE + timedelta(days=rng.randrange(BASE_SPAN_DAYS))
    region = str(body["region_code"])
    qualified = _qualified(ctx, sorted(by_body[uscc]), region=region, domain=item.domain,
                           first=base - timedelta(days=5), last=base + timedelta(days=260))
    if len(qualified) < 2:
        return None
    pair = rng.sample(qualified, 2)
    reviewers = sorted(o for o in by_body[uscc] if (f := ctx.personnel.officer(o)) is not None
                       and f.is_legal_reviewer and f.has_legal_qualification)
    chairs = sorted(o for o in by_body[uscc] if o not in pair)
    pool = entities if rng.random() < 0.5 or not persons else persons
    if not pool:
        return None
    penalty_refs = (item.penalty_provision,) if item.penalty_provision else ()
    return _Cast(case_id=case_id, body=body, item=item, basis=penalty_refs, party=rng.choice(pool),
                 officers=(pair[0], pair[1]), reviewer=rng.choice(reviewers) if reviewers else None,
                 chair=rng.choice(chairs) if chairs else None, base=base,
                 violation_on=base - timedelta(days=10 + rng.randrange(50)))
