"""Ground truth for the supervision sweep: clean cases, injected violations, near misses.

`seed_with_violations(url, seed_dir, out_dir, seed=…, count=…)`:

1. builds `count` clean cases by driving the real state machine (`machine.apply`) with the facts of
   the generated data set (bodies, officers, certificates, items, persons, the 法规库): ordinary
   cases decided, served, paid, published, closed and archived on time, and about one in ten
   decided on the spot (简易程序), filed with the agency, the cash handed over and banked on time;
2. injects violations of every supervision rule (S01–S34 and their b-variants: 40 rule ids), each
   on its own case and tagged with the rule it breaks, and near misses that come right up to a rule
   without breaking it (an act on the last lawful day, a period at 60 %, an urgent execution at
   night, a later lighter basis, two fines on one party for different violations…), plus open
   cases expected to raise a YELLOW pre-warning;
3. writes everything through the cases subgraph's store (`subgraphs.cases.bulk`: rows, SM3 event
   chains, deadlines) and `out_dir/ground_truth.json`:
   `{"as_of", "seed", "count", "alerts": [{rule, case_id|body_id, officer_id?, severity}],
     "near_misses": [{rule, case_id}], "body_near_misses", "edits", "stored_records", "imported"}`
   — `alerts` is every alert the sweep must raise, no more.

Where the platform's guards would refuse a violation, the violating case is an IMPORTED record:
built lawfully, then edited as `INJECTIONS` documents, and stored as a case migrated from a
department's own case system (`ImportedCase`: one `CaseImported` event whose chain is intact), as
supervision must watch such cases too. Violations the guards let through (a late 备案, a late cash
hand-over, a 规范性文件 as basis, stored coercive measures and inspections) are made by the real
commands. `hub audit verify` finds every case chain intact.

Coercive measures (S21, S21b, S22, S26, S34) and inspections (S33) are created afterwards through
the cases subgraph's record store (`store_measures`), so their rows, event chains and deadlines
are real; `MEASURE_INJECTIONS` documents each (S21b, which the guards refuse, is an imported record).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from domain.sm import id_number_hash
from subgraphs.cases.domain import commands as c
from subgraphs.cases.domain.catalogue import EnforcementItem, FineRuleKind
from subgraphs.cases.domain.clock import CHINA_TZ, add_years
from subgraphs.cases.domain.common_guards import hearing_eligible
from subgraphs.cases.domain.config import DeadlineConfig
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.deadlines import (
    legal_review_deadline,
    preservation_deadline,
    publicity_withdrawal_deadline,
    service_deadline,
)
from subgraphs.cases.domain.enums import (
    CaseSource,
    CashStage,
    CircumstanceLevel,
    EnforcementRoute,
    EvidenceKind,
    HearingStatus,
    PartyType,
    PenaltyKind,
    ServiceMethod,
)
from subgraphs.cases.domain.facts import BodyFact, CertificateFact, OfficerFact, StaticFacts
from subgraphs.cases.domain.machine import apply
from subgraphs.cases.domain.records import (
    EvidenceRecord,
    Hearing,
    LegalReview,
    Party,
    PenaltyProposal,
    Preservation,
    Violation,
)
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.domain.transition import Transition
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.items import basis_ref, to_domain_item
from subgraphs.cases.regulations import RegulationIndex, VersionSpec, level_of, parse_ref
from subgraphs.cases.service import CaseHistory, ImportedCase

CaseEntry = CaseHistory | ImportedCase
#: where the imported (edited) cases say they come from: a department's own case system, whose
#: records never went through the platform's guards
IMPORT_SOURCE = "部门自建办案系统"

AS_OF = datetime(2026, 10, 30, 10, 0, tzinfo=CHINA_TZ)
FIRST_DAY = date(2025, 1, 6)
LAST_DAY = date(2026, 3, 31)
GROUND_TRUTH = "ground_truth.json"


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True)
class BasisRefs:
    """Basis references the S15 cases cite."""

    stricter_later: str  # an article only a later, stricter version of a regulation has
    lighter_later: str  # an article only a later version marked lighter has (从旧兼从轻: applicable)
    normative: str  # an article of a 规范性文件 (never a basis for a penalty, Art. 16)


AMENDED_ON = date(2026, 6, 1)  # after every seeded violation
NORMATIVE_TITLE = "行政处罚裁量适用指引（示例）"
NORMATIVE_LEVEL = "规范性文件"


def reference_regulations(item_rows: Sequence[dict[str, Any]]
                          ) -> tuple[list[tuple[str, str, list[VersionSpec]]], BasisRefs]:
    """The 法规库 the seeded cases cite: one version in force since 2000-01-01 per cited regulation
    (as `seed_cases` loads it), except that the first cited regulation gets a stricter amendment and
    the second a lighter one from `AMENDED_ON`, each adding an article; plus one 规范性文件."""
    cited: dict[str, dict[str, str]] = {}
    for row in item_rows:
        for provision in (*row.get("violated_provisions", []), *row.get("penalty_provisions", [])):
            parsed = parse_ref(basis_ref(provision))
            if parsed is not None:
                cited.setdefault(parsed[0], {})[parsed[1]] = f"{provision['article']} (text not loaded)"
    titles = sorted(cited)
    if len(titles) < 2:
        raise ValueError("the catalogue must cite at least two regulations")
    out: list[tuple[str, str, list[VersionSpec]]] = []
    since = date(2000, 1, 1)
    added = {0: ("第九十九条", False), 1: ("第九十八条", True)}
    for k, title in enumerate(titles):
        articles = cited[title]
        if k in added:
            article, lighter = added[k]
            out.append((title, level_of(title), [
                VersionSpec("seed", since, effective_to=AMENDED_ON - timedelta(days=1), articles=articles),
                VersionSpec(f"{AMENDED_ON.year}年修订", AMENDED_ON, lighter_than_previous=lighter,
                            articles={**articles, article: "(added by the amendment)"})]))
        else:
            out.append((title, level_of(title), [VersionSpec("seed", since, articles=articles)]))
    out.append((NORMATIVE_TITLE, NORMATIVE_LEVEL, [VersionSpec("seed", since, articles={"第三条": "裁量适用"})]))
    refs = BasisRefs(f"《{titles[0]}》第九十九条", f"《{titles[1]}》第九十八条", f"《{NORMATIVE_TITLE}》第三条")
    return out, refs


#: organisations that are parties to two cases each (a supervisor's "repeat offenders")
REPEAT_OFFENDERS = 8


@dataclass

class World:
    """The generated data set as the state machine's facts, plus the parties to draw from."""

    ctx: GuardContext
    items: dict[str, EnforcementItem]
    bodies: list[dict[str, Any]]
    officers_by_body: dict[str, list[str]]
    persons: list[tuple[Party, date]]  # (party, birth date)
    entities: list[Party]
    regulations: list[tuple[str, str, list[VersionSpec]]] = field(default_factory=list)
    basis_refs: BasisRefs = field(default_factory=lambda: BasisRefs("", "", ""))

    @classmethod
    def load(cls, seed_dir: Path, *, secret: bytes, calendar: WorkingCalendar, config: DeadlineConfig) -> World:
        rows = list(_lines(seed_dir / "items.jsonl"))
        items = {i.code: i for i in (to_domain_item(r) for r in rows)}
        # a body holds execution power when the catalogue gives it a COERCIVE_EXECUTION item (as the store's facts do)
        execution_codes = {r["code"] for r in rows if r.get("action_type") == "COERCIVE_EXECUTION"}
        bodies = list(_lines(seed_dir / "bodies.jsonl"))
        certs: dict[str, list[CertificateFact]] = {}
        from subgraphs.supervision.facts import cert_status

        for r in _lines(seed_dir / "certificates.jsonl"):
            certs.setdefault(r["officer_id"], []).append(CertificateFact(
                r["cert_no"], r["officer_id"], cert_status(r["status"]), date.fromisoformat(r["valid_from"]),
                date.fromisoformat(r["valid_to"]), frozenset(r["area"]), frozenset(r["categories"])))
        officers: dict[str, OfficerFact] = {}
        by_body: dict[str, list[str]] = {}
        for r in _lines(seed_dir / "officers.jsonl"):
            officers[r["id"]] = OfficerFact(r["id"], "officer", r["body_uscc"], r["has_legal_qualification"],
                                            r["is_legal_reviewer"])
            by_body.setdefault(r["body_uscc"], []).append(r["id"])
        facts = StaticFacts(officers=officers, certificates={k: tuple(v) for k, v in certs.items()},
                            items={(i.code, i.version): i for i in items.values()},
                            bodies={b["uscc"]: BodyFact(b["uscc"], b["name"], frozenset(b["item_codes"]),
                                                        has_execution_power=bool(execution_codes & set(b["item_codes"])))
                                    for b in bodies})
        regulations, refs = reference_regulations(rows)
        ctx = GuardContext(calendar=calendar, config=config, personnel=facts, catalogue=facts, bodies=facts,
                           regulations=RegulationIndex.from_specs(regulations))
        persons = []
        for r in _lines(seed_dir / "persons.jsonl"):
            h = id_number_hash(secret, r["id_type"], r["id_number"])
            persons.append((Party(PartyType.NATURAL_PERSON, r["name"], birth_date=date.fromisoformat(r["birth_date"]),
                                  id_hash=h, id_type=r["id_type"]), date.fromisoformat(r["birth_date"])))
        entities = [Party(PartyType.ORGANISATION if r["entity_category"] != "个体工商户"
                          else PartyType.INDIVIDUAL_BUSINESS, r["name"], uscc=r["uscc"])
                    for r in _lines(seed_dir / "entities.jsonl")]
        revoked = {r["holder_uscc"] for r in _lines(seed_dir / "licences.jsonl") if r.get("status") == "REVOKED"} \
            if (seed_dir / "licences.jsonl").exists() else set()
        entities.sort(key=lambda p: p.uscc not in revoked)  # holders of a revoked licence first (stable)
        return cls(ctx, items, bodies, by_body, persons, entities, regulations, refs)

    @property
    def facts(self) -> StaticFacts:
        personnel = self.ctx.personnel
        assert isinstance(personnel, StaticFacts)
        return personnel

    def qualified(self, body: str, item: EnforcementItem, region: str, start: date, end: date) -> list[str]:
        """Officers of `body` whose certificate covers the item and region over [start, end]."""
        from subgraphs.cases.domain.facts import CertificateStatus, region_covers

        out = []
        for officer_id in self.officers_by_body.get(body, []):
            for cert in self.facts.certificates.get(officer_id, ()):
                if cert.status is CertificateStatus.ACTIVE and cert.valid_from <= start and end <= cert.valid_to \
                        and item.domain in cert.domains and any(region_covers(a, region) for a in cert.areas):
                    out.append(officer_id)
                    break
        return out


def _usable(item: EnforcementItem) -> bool:
    band = item.band(CircumstanceLevel.LIGHTER)
    return (item.fine_rule.kind is FineRuleKind.FIXED_RANGE and not item.major_decision
            and PenaltyKind.FINE in item.allowed_kinds and band is not None and band.max_fen > 0)


def _simple_fine(item: EnforcementItem) -> int:
    """The fine a simple-procedure case of `item` imposes: the 从轻 band's minimum, at least 100 元."""
    band = item.band(CircumstanceLevel.LIGHTER)
    assert band is not None
    fine = max(band.min_fen, 10_000)
    return fine if fine <= band.max_fen else 10**12


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), CHINA_TZ)


@dataclass
class Built:
    snapshot: CaseSnapshot
    officers: tuple[str, ...]
    item: EnforcementItem
    steps: tuple[Transition, ...] = ()

    def history(self) -> CaseHistory:
        """The case as the state machine built it (its snapshot must be the last step's)."""
        assert self.steps, "a built case has its transitions"
        assert self.steps[-1].after is self.snapshot, "an edited case is imported, not replayed"
        return CaseHistory(self.steps)


class Builder:
    """Clean cases through the real state machine; `stop` truncates the path after a stage."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.seed = seed
        self.cal = world.ctx.calendar
        self.pairs = [(b, self.world.items[code]) for b in world.bodies if b["body_type"] == "ADMIN_ORGAN"
                      for code in b["item_codes"] if code in world.items and _usable(world.items[code])]
        self.adults = [p for p, _ in world.persons]
        simple_max = world.ctx.config.simple_procedure.organisation_max_fen
        self.simple_pairs = [(b, i) for b, i in self.pairs if _simple_fine(i) <= simple_max]
        self.execution_pairs = [(b, i) for b, i in self.pairs if world.facts.bodies[b["uscc"]].has_execution_power]
        organisations = [p for p in world.entities if p.party_type is PartyType.ORGANISATION]
        # repeat offenders: the first few organisations (holders of a revoked licence, see `World`) are
        # parties to two on-the-spot cases each — two, never the three in a year that S18 reports
        repeat = organisations[:REPEAT_OFFENDERS]
        self.organisations = repeat + organisations
        self.individual_businesses = [p for p in world.entities if p.party_type is not PartyType.ORGANISATION]
        self._organisation_cursor = 0
        self._party_cursor = 0

    def next_organisation(self) -> Party:
        party = self.organisations[self._organisation_cursor % len(self.organisations)]
        self._organisation_cursor += 1
        return party

    def wd(self, day: date, n: int) -> date:
        return self.cal.add_working_days(day, n)

    def next_party(self, rng: random.Random, on: date) -> Party:
        """The next party of an ordinary case: adults, then individual businesses, in turn. Organisations
        are left to the on-the-spot cases (`next_organisation`): the two pools never share a party, so a
        large case set does not give one party three cases in a year by accident (S18)."""
        pool_size = len(self.world.persons) + len(self.individual_businesses)
        for _ in range(pool_size):
            i = self._party_cursor % pool_size
            self._party_cursor += 1
            if i < len(self.world.persons):
                party, birth = self.world.persons[i]
                if add_years(birth, 18) <= on - timedelta(days=60):
                    return party
            else:
                return self.individual_businesses[i - len(self.world.persons)]
        raise RuntimeError("no eligible party in the data set")

    def ordinary(self, case_id: str, rng: random.Random, *, start: date | None = None, stop: str | None = None,
                 party: Party | None = None, body: tuple[dict[str, Any], EnforcementItem] | None = None,
                 basis: str | None = None) -> Built:
        body_row, item, d0, pair = self._cast(rng, [body] if body else self.pairs, start, 200)
        who = party or self.next_party(rng, d0)
        band = item.band(CircumstanceLevel.LIGHTER)
        assert band is not None
        fine = max(band.min_fen, 100) + (band.max_fen - max(band.min_fen, 100)) // 2
        fine -= fine % 100
        proposal = PenaltyProposal(frozenset({PenaltyKind.FINE}), CircumstanceLevel.LIGHTER, fine_fen=fine)
        eligible = hearing_eligible(item, (who,), proposal)
        w = self.wd
        notice_on = w(d0, 24)
        decide_on = w(notice_on, 8)
        serve_on = w(decide_on, 2)
        steps: list[tuple[str, c.CaseCommand]] = [
            ("CLUE", c.RegisterClue(at=_at(d0), actor_id=pair[0], case_id=case_id, body_id=body_row["uscc"],
                                    item_code=item.code, item_version=item.version, region_code=body_row["region_code"],
                                    source=CaseSource.INSPECTION, parties=(who,),
                                    violation=Violation(d0 - timedelta(days=10)), discovered_on=d0)),
            ("VERIFYING", c.AssignVerifier(at=_at(w(d0, 1)), actor_id="HEAD", verifier_id=pair[0])),
            ("FILED", c.FileCase(at=_at(w(d0, 2)), actor_id="HEAD", filing_standard_met=True)),
            ("INVESTIGATING", c.StartInvestigation(at=_at(w(d0, 3)), actor_id=pair[0], officer_ids=pair,
                                                   recusal_checked=True)),
            ("EVIDENCE", c.RecordEvidence(at=_at(w(d0, 4)), actor_id=pair[0], evidence=EvidenceRecord(
                f"{case_id}-E1", EvidenceKind.INSPECTION_RECORD, w(d0, 4), pair, True, "a" * 64))),
            ("CONCLUDED", c.ConcludeInvestigation(at=_at(w(d0, 20)), actor_id=pair[0], report_doc_id="REPORT")),
            ("UNDER_REVIEW", c.SubmitForReview(at=_at(w(d0, 21)), actor_id=pair[0])),
            ("NOTIFIED", c.ServeNotice(at=_at(notice_on), actor_id=pair[0], proposal=proposal,
                                       includes_hearing_right=eligible)),
            ("STATEMENT", c.RecordStatement(at=_at(w(notice_on, 1)), actor_id=pair[0], summary="陈述")),
            ("REVIEWED", c.ReviewStatement(at=_at(w(notice_on, 2)), actor_id=pair[0], index=0, adopted=False)),
            ("REASSESSED", c.Reassess(at=_at(w(notice_on, 6)), actor_id="HEAD", proposal=proposal)),
            ("DECIDED", c.Decide(at=_at(decide_on), actor_id="HEAD", doc_no=f"罚〔{decide_on.year}〕{case_id[-6:]}号",
                                 proposal=proposal, signed_by="HEAD", sealed=True, contents_complete=True,
                                 basis_refs=(basis or item.penalty_provision or "《条例》第一条",))),
            ("SERVED", c.ServeDecision(at=_at(serve_on), actor_id=pair[0], method=ServiceMethod.DIRECT)),
            ("PUBLISHED", c.PublishDecision(at=_at(w(decide_on, 3)), actor_id=pair[0])),
            ("PERFORMING", c.StartPayment(at=_at(serve_on), actor_id=pair[0])),
            ("PAID", c.ConfirmPayment(at=_at(serve_on + timedelta(days=5)), actor_id="BANK",
                                      amount_fen=proposal.monetary_fen, receipt_no=f"R-{case_id[-6:]}")),
            ("CLOSED", c.Close(at=_at(w(serve_on + timedelta(days=5), 3)), actor_id="HEAD", documents_complete=True,
                               evidence_hashed=True)),
            ("ARCHIVED", c.Archive(at=_at(w(serve_on + timedelta(days=5), 8)), actor_id="ARCHIVIST",
                                   archive_no=f"A-{case_id[-6:]}", manifest_sm3="b" * 64, sealed=True)),
        ]
        done: list[Transition] = []
        for name, command in steps:
            done.append(apply(done[-1].after if done else None, command, self.world.ctx))
            if name == stop:
                break
        return Built(done[-1].after, pair, item, tuple(done))

    def extend(self, b: Built, commands: Sequence[c.CaseCommand]) -> Built:
        """`b` carried on through the real state machine with `commands`."""
        done = list(b.steps)
        for command in commands:
            done.append(apply(done[-1].after, command, self.world.ctx))
        return replace(b, snapshot=done[-1].after, steps=tuple(done))

    def _cast(self, rng: random.Random, pairs: Sequence[tuple[dict[str, Any], EnforcementItem]],
              start: date | None, days: int) -> tuple[dict[str, Any], EnforcementItem, date, tuple[str, str]]:
        for _ in range(200):  # bounded search for a body/item/date with two qualified officers
            body, item = rng.choice(pairs)
            d0 = start or self.cal.roll_forward_to_working_day(
                FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days)))
            officers = self.world.qualified(body["uscc"], item, body["region_code"], d0, d0 + timedelta(days=days))
            if len(officers) >= 2:
                a, b = rng.sample(officers, 2)
                return body, item, d0, (a, b)
        raise RuntimeError("no body with two qualified officers")

    def simple(self, case_id: str, rng: random.Random, *, file_wd: int | None = 1, cash: bool = True,
               hand_wd: int | None = 1, bank_wd: int | None = 1, party: Party | None = None,
               fine_fen: int | None = None) -> Built:
        """A 简易程序 case: decided on the spot, filed with the agency `file_wd` wd later (never when
        None); with `cash`, the fine is collected on the spot, handed to the agency `hand_wd` wd
        later and banked `bank_wd` wd after that; closed and archived."""
        body, item, d0, pair = self._cast(rng, self.simple_pairs, None, 60)
        who = party or self.next_organisation()
        band = item.band(CircumstanceLevel.LIGHTER)
        assert band is not None
        fine = fine_fen if fine_fen is not None else max(band.min_fen, 10_000)
        proposal = PenaltyProposal(frozenset({PenaltyKind.FINE}), CircumstanceLevel.LIGHTER, fine_fen=fine)
        w = self.wd
        ref = item.penalty_provision or "《条例》第一条"
        clue = c.RegisterClue(at=_at(d0), actor_id=pair[0], case_id=case_id, body_id=body["uscc"],
                              item_code=item.code, item_version=item.version, region_code=body["region_code"],
                              source=CaseSource.INSPECTION, parties=(who,), violation=Violation(d0), discovered_on=d0)
        first: list[c.CaseCommand] = [
            c.DecideOnTheSpot(at=_at(d0), actor_id=pair[0], officer_ids=pair, proposal=proposal,
                              doc_no=f"简罚〔{d0.year}〕{case_id[-6:]}号", facts_certain=True, basis_refs=(ref,),
                              certificate_shown=True, statement_heard=True, clue=clue),
            c.StartPerformance(at=_at(d0), actor_id=pair[0], on_spot_collection=cash,
                               hard_to_collect=cash and fine > self.world.ctx.config.simple_procedure
                               .on_spot_collection_max_fen),
            c.ConfirmPayment(at=_at(d0) + timedelta(minutes=20) if cash else _at(w(d0, 5)),
                             actor_id=pair[0] if cash else "BANK", amount_fen=fine, receipt_no=f"R-{case_id[-6:]}"),
        ]
        later: list[c.CaseCommand] = []
        if file_wd is not None:
            later.append(c.FileSimpleRecord(at=_at(w(d0, file_wd)), actor_id=pair[0]))
        if cash and hand_wd is not None:
            handed = w(d0, hand_wd)
            later.append(c.RecordCashHandover(at=_at(handed), actor_id=pair[0], stage=CashStage.AGENCY))
            if bank_wd is not None:
                later.append(c.RecordCashHandover(at=_at(w(handed, bank_wd)) + timedelta(hours=1), actor_id="HEAD",
                                                  stage=CashStage.BANK))
        later.sort(key=lambda cmd: cmd.at)
        end = w(max([d0, *(cmd.at.date() for cmd in later)]), 3)
        closing: list[c.CaseCommand] = [
            c.Close(at=_at(end), actor_id="HEAD", documents_complete=True, evidence_hashed=True),
            c.Archive(at=_at(w(end, 5)), actor_id="ARCHIVIST", archive_no=f"A-{case_id[-6:]}", manifest_sm3="b" * 64,
                      sealed=True)]
        # the filing and hand-overs may follow closure: keep the commands in time order
        tail = sorted([*later, *closing], key=lambda cmd: cmd.at)
        done: list[Transition] = []
        for command in [*first, *tail]:
            done.append(apply(done[-1].after if done else None, command, self.world.ctx))
        return Built(done[-1].after, pair, item, tuple(done))

    def executed_by_force(self, case_id: str, rng: random.Random, *, at_time: time, urgent: bool) -> Built:
        """An ordinary case left unpaid, then executed by the body under its own power (强制法 Art. 13)
        on a working day at `at_time`; closed and archived."""
        body, item, d0, _pair = self._cast(rng, self.execution_pairs, None, 200)
        b = self.ordinary(case_id, random.Random(rng.random()), start=d0, stop="PERFORMING", body=(body, item))
        payment = b.snapshot.payment
        assert payment is not None
        w = self.wd
        overdue = w(payment.due, 1)
        reminded = w(overdue, 1)
        start = self.cal.roll_forward_to_working_day(payment.due + timedelta(days=40))
        run = w(start, 2)
        end = w(run, 3)
        return self.extend(b, [
            c.MarkOverdue(at=_at(overdue), actor_id="SYSTEM"),
            c.ServeReminder(at=_at(reminded), actor_id=b.officers[0]),
            c.StartEnforcement(at=_at(start), actor_id="HEAD", route=EnforcementRoute.OWN_POWER),
            c.RecordExecution(at=datetime.combine(run, at_time, CHINA_TZ), actor_id=b.officers[0], urgent=urgent),
            c.Close(at=_at(end), actor_id="HEAD", documents_complete=True, evidence_hashed=True),
            c.Archive(at=_at(w(end, 5)), actor_id="ARCHIVIST", archive_no=f"A-{case_id[-6:]}", manifest_sm3="b" * 64,
                      sealed=True)])


# --- injections: documented direct edits on a clean, archived case ---------------------------------


def _set_penalty(b: Built, proposal: PenaltyProposal) -> CaseSnapshot:
    """The same penalty on the notice and the decision, with the hearing right stated when eligible."""
    s = b.snapshot
    assert s.notice is not None
    assert s.decision is not None
    eligible = hearing_eligible(b.item, s.parties, proposal)
    return replace(s, notice=replace(s.notice, proposal=proposal, includes_hearing_right=eligible),
                   decision=replace(s.decision, proposal=proposal))


@dataclass
class Env:
    world: World
    builder: Builder
    cal: WorkingCalendar
    cfg: DeadlineConfig


def _held_hearing(env: Env, b: Built, *, lead_wd: int, chair: str, audiovisual: bool) -> CaseSnapshot:
    s = b.snapshot
    assert s.notice is not None
    notice_on = env.builder.wd(s.notice.served_on, 2)
    hearing = Hearing(env.builder.wd(s.notice.served_on, 1), HearingStatus.HELD, notice_on,
                      env.builder.wd(notice_on, lead_wd), chair)
    evidence = s.evidence
    if audiovisual:
        evidence = (*evidence, EvidenceRecord(f"{s.case_id}-AV", EvidenceKind.AUDIOVISUAL, hearing.hearing_on or notice_on,
                                              s.investigators, True, "c" * 64))
    return replace(s, hearing=hearing, evidence=evidence)


def _other_chair(env: Env, b: Built) -> str:
    for officer in env.world.officers_by_body.get(b.snapshot.body_id, []):
        if officer not in b.snapshot.investigators:
            return officer
    return "CHAIR-EXTERNAL"


def _extra_officer(env: Env, b: Built, want: str) -> str | None:
    """An officer whose certificate on the evidence day is not valid (`want`=VALIDITY) or valid
    but not covering the case's area or domain (`want`=SCOPE)."""
    from subgraphs.cases.domain.facts import CertificateStatus, region_covers

    day = b.snapshot.evidence[0].collected_on
    for officer_id, certs in sorted(env.world.facts.certificates.items()):
        if officer_id in b.snapshot.investigators:
            continue
        valid = [x for x in certs if x.status is CertificateStatus.ACTIVE and x.valid_from <= day <= x.valid_to]
        if want == "VALIDITY" and not valid:
            return officer_id
        if want == "SCOPE" and valid:
            cert = valid[0]
            if not any(region_covers(a, b.snapshot.region_code) for a in cert.areas) or \
                    b.item.domain not in cert.domains:
                return officer_id
    return None


def _add_officer(b: Built, officer: str) -> CaseSnapshot:
    s = b.snapshot
    ev = replace(s.evidence[0], collected_by=(*s.evidence[0].collected_by, officer))
    return replace(s, investigators=(*s.investigators, officer), evidence=(ev, *s.evidence[1:]))


def inj_s03(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.decision is not None
    assert s.service is not None
    due = service_deadline(env.cal, env.cfg, decided_on=s.decision.decided_on).due
    return replace(s, service=replace(s.service, served_on=env.builder.wd(due, 3)))


def inj_s04(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    return replace(s, evidence=(replace(s.evidence[0], collected_by=s.evidence[0].collected_by[:1]), *s.evidence[1:]))


def inj_s05(env: Env, b: Built) -> CaseSnapshot:
    return _add_officer(b, _extra_officer(env, b, "VALIDITY") or "OFF-UNKNOWN")


def inj_s06(env: Env, b: Built) -> CaseSnapshot:
    officer = _extra_officer(env, b, "SCOPE")
    if officer is None:
        raise RuntimeError("no out-of-scope officer in the data set")
    return _add_officer(b, officer)


def inj_s08(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.notice is not None
    assert s.decision is not None
    return replace(s, notice=replace(s.notice, served_on=s.decision.decided_on + timedelta(days=1)))


def inj_s08b(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.decision is not None
    heavier = replace(s.decision.proposal, fine_fen=s.decision.proposal.fine_fen + 100)
    return replace(s, decision=replace(s.decision, proposal=heavier))


def inj_s09(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.notice is not None
    proposal = s.notice.proposal
    if not hearing_eligible(b.item, s.parties, proposal):
        proposal = replace(proposal, kinds=proposal.kinds | {PenaltyKind.CONFISCATE_GAINS},
                           confiscated_gains_fen=max(b.item.hearing_threshold(p.party_type) for p in s.parties))
        s = _set_penalty(b, proposal)
    assert s.notice is not None
    return replace(s, notice=replace(s.notice, includes_hearing_right=False))


def inj_s10(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.notice is not None
    return replace(s, hearing=Hearing(env.builder.wd(s.notice.served_on, 1), HearingStatus.REQUESTED))


def inj_s11(env: Env, b: Built) -> CaseSnapshot:
    return _held_hearing(env, b, lead_wd=4, chair=_other_chair(env, b), audiovisual=True)


def inj_s11b(env: Env, b: Built) -> CaseSnapshot:
    return _held_hearing(env, b, lead_wd=7, chair=b.snapshot.investigators[0], audiovisual=True)


def inj_s12(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.decision is not None
    submitted = s.decision.decided_on - timedelta(days=3)
    return replace(s, legal_review=LegalReview(submitted, True, ("major_rights_after_hearing",),
                                               legal_review_deadline(env.cal, env.cfg, submitted_on=submitted)))


def inj_s13(env: Env, b: Built) -> CaseSnapshot:
    return replace(b.snapshot, major=True)


def inj_s14(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.decision is not None
    band = b.item.band(CircumstanceLevel.LIGHTER)
    assert band is not None
    return _set_penalty(b, replace(s.decision.proposal, fine_fen=band.max_fen + 100))


def inj_s16(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    return replace(s, violation=Violation(add_years(s.discovered_on, -3)))


def inj_s19(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.payment is not None
    paid = s.payment.paid_on
    return replace(s, payment=replace(s.payment, on_spot=True, cash_handed_on=paid, cash_banked_on=paid))


def inj_s24(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.publicity is not None
    return replace(s, publicity=replace(s.publicity, published_on=env.builder.wd(s.publicity.deadline.due, 3)))


def inj_s24b(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.publicity is not None
    assert s.closure is not None
    changed = s.closure.closed_on
    return replace(s, publicity=replace(s.publicity, withdrawal_deadline=publicity_withdrawal_deadline(
        env.cal, env.cfg, changed_on=changed)))


def inj_s25(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    day = s.evidence[0].collected_on
    deadline = preservation_deadline(env.cal, env.cfg, preserved_on=day)
    return replace(s, preservations=(Preservation(f"{s.case_id}-P1", day, "HEAD", deadline,
                                                  env.builder.wd(deadline.due, 2)),))


def inj_s27(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    for party, birth in env.world.persons:
        if add_years(birth, 14) > s.violation.start >= add_years(birth, 8):
            return replace(s, parties=(party,))
    raise RuntimeError("no child in the data set")


def inj_s28(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    for body in env.world.bodies:
        if body["body_type"] == "ADMIN_ORGAN" and s.item_code not in body["item_codes"]:
            return replace(s, body_id=body["uscc"])
    raise RuntimeError("every body has the item")


def inj_s29(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.decision is not None
    p = s.decision.proposal
    return _set_penalty(b, replace(p, kinds=p.kinds | {PenaltyKind.CONFISCATE_GAINS}, confiscated_gains_fen=6_000_000))


def inj_s30(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.decision is not None
    return replace(s, decision=replace(s.decision, sealed=False))


def inj_s31(env: Env, b: Built) -> CaseSnapshot:
    return _held_hearing(env, b, lead_wd=7, chair=_other_chair(env, b), audiovisual=False)


def inj_s32(env: Env, b: Built) -> CaseSnapshot:
    s = b.snapshot
    assert s.closure is not None
    due = s.closure.archive_deadline.due
    return replace(s, closure=replace(s.closure, archived_on=due + timedelta(days=5)))


Injection = Callable[[Env, Built], CaseSnapshot]

#: rule → (what is edited, the edit). Every edit is on a clean archived case.
INJECTIONS: dict[str, tuple[str, Injection]] = {
    "S03": ("service.served_on := service deadline + 3 wd", inj_s03),
    "S04": ("evidence[0].collected_by := its first officer only", inj_s04),
    "S05": ("investigators/evidence += an officer without a valid certificate that day", inj_s05),
    "S06": ("investigators/evidence += an officer certified for another area or domain", inj_s06),
    "S08": ("notice.served_on := decision day + 1", inj_s08),
    "S08b": ("decision fine := notified fine + 1 元", inj_s08b),
    "S09": ("notice.includes_hearing_right := false on a hearing-eligible penalty", inj_s09),
    "S10": ("hearing := requested the day after the notice, never held", inj_s10),
    "S11": ("hearing held 4 wd after its notice (chair not an investigator, recorded)", inj_s11),
    "S11b": ("hearing chaired by the first investigator (7 wd notice, recorded)", inj_s11b),
    "S12": ("legal_review := required, never reviewed", inj_s12),
    "S13": ("major := true, no collective discussion", inj_s13),
    "S14": ("fine := the 从轻 band maximum + 1 元 (on notice and decision)", inj_s14),
    "S16": ("violation.start := discovery − 3 years", inj_s16),
    "S19": ("payment.on_spot := true in ordinary procedure (cash handed over and banked the same day)", inj_s19),
    "S24": ("publicity.published_on := publicity deadline + 3 wd", inj_s24),
    "S24b": ("publicity withdrawal deadline set at closure, never withdrawn", inj_s24b),
    "S25": ("preservation handled 2 wd after its 7 wd deadline", inj_s25),
    "S27": ("party := a child under 14 at the violation", inj_s27),
    "S28": ("body := a body without the item in its powers", inj_s28),
    "S29": ("confiscated gains 60 000 元 added (notice and decision; hearing right stated)", inj_s29),
    "S30": ("decision.sealed := false", inj_s30),
    "S31": ("hearing held without an audiovisual record", inj_s31),
    "S32": ("closure.archived_on := archive deadline + 5 cd", inj_s32),
}

#: rule → how the injections outside `INJECTIONS` and the measures are made
OTHER_INJECTIONS: dict[str, str] = {
    "S07": "通报批评 added to an on-the-spot fine (imported); near miss: an on-the-spot fine alone",
    "S07b": "an on-the-spot decision never filed with the agency; near miss: filed on the last working day",
    "S15": "a basis article only a later stricter version has (imported), and a 规范性文件 as the basis (real"
           " commands); near miss: an article only a later lighter version has",
    "S17": "a copy of a decided case for the same violation (imported); near miss: another violation",
    "S18": "two more decisions on one party within a year (imported copies, other violations)",
    "S19b": "cash handed to the agency on the 3rd working day; near miss: handed and banked on the 2nd",
    "S23": "an own-power execution moved to 22:30 without urgency (imported); near miss: urgent at 22:30",
}

#: rule → what is stored for it: coercive measures created through the cases subgraph's record store
#: (so the rows, events and deadlines are real) on a clean archived case
MEASURE_INJECTIONS: dict[str, str] = {
    "S21": "seizure put in force on the evidence day, never handled or released",
    "S21b": "seizure extended lawfully (30 cd, once), released on day 40, then edited to extensions := 2,"
            " extension_days := 45 (the guard refuses such an extension) and imported as a departmental record",
    "S22": "freeze put in force on the evidence day, 冻结决定书 never served, never released; imported as a"
           " departmental record (no body of the data set is authorised by law to freeze, 强制法 Art. 29, so the"
           " platform's own guard refuses every freeze; the record is built with the case's body treated as"
           " authorised)",
    "S26": "emergency seizure applied on the evidence day, never reported to the agency head",
    "S34": "seizure of an item already sealed by another organ, released after 5 cd",
}

#: rule → the lawful measure that comes right up to it
MEASURE_NEAR_MISSES: dict[str, str] = {
    "S21": "seizure released on the last day of its 30 cd term",
    "S21b": "seizure extended lawfully (30 cd, once), released on day 40",
    "S22": "freeze whose 冻结决定书 is served on its third working day, released after 5 cd (imported, as for S22)",
    "S26": "emergency seizure reported 23 hours after it was applied (disapproved: released)",
    "S34": "seizure of items no other organ has sealed, released after 5 cd",
}

#: S33 is a body finding: inspections of one object by one body, created through the record store
INSPECTION_INJECTION = "three inspections of one object by one body 30 cd apart (cap: 2 in 365 cd)"
INSPECTION_NEAR_MISS = "two inspections of the same enterprise (by USCC) by another body 30 cd apart (at the cap)"


def near_miss(env: Env, rule: str, b: Built) -> CaseSnapshot:
    """A case that comes right up to `rule` without breaking it."""
    s = b.snapshot
    assert s.decision is not None
    assert s.service is not None
    assert s.publicity is not None
    assert s.closure is not None
    if rule == "S03":
        due = service_deadline(env.cal, env.cfg, decided_on=s.decision.decided_on).due
        return replace(s, service=replace(s.service, served_on=due))
    if rule == "S24":
        return replace(s, publicity=replace(s.publicity, published_on=s.publicity.deadline.due))
    if rule == "S32":
        return replace(s, closure=replace(s.closure, archived_on=s.closure.archive_deadline.due))
    if rule == "S16":
        return replace(s, violation=Violation(add_years(s.discovered_on, -2)))
    if rule == "S11":
        return _held_hearing(env, b, lead_wd=7, chair=_other_chair(env, b), audiovisual=True)
    if rule == "S25":
        day = s.evidence[0].collected_on
        deadline = preservation_deadline(env.cal, env.cfg, preserved_on=day)
        return replace(s, preservations=(Preservation(f"{s.case_id}-P1", day, "HEAD", deadline, deadline.due),))
    if rule == "S14":
        band = b.item.band(CircumstanceLevel.LIGHTER)
        assert band is not None
        return _set_penalty(b, replace(s.decision.proposal, fine_fen=band.max_fen))
    raise KeyError(rule)


NEAR_MISS_RULES = ("S03", "S11", "S14", "S16", "S24", "S25", "S32")


@dataclass
class GroundTruth:
    as_of: datetime
    seed: int
    count: int
    alerts: list[dict[str, str]] = field(default_factory=list)
    near_misses: list[dict[str, str]] = field(default_factory=list)
    edits: dict[str, str] = field(default_factory=dict)
    #: (rule, case id, injected?) of the measures `store_measures` creates once the cases are written
    measure_plans: list[tuple[str, str, bool]] = field(default_factory=list)
    #: (clean case whose body, item, region and officers carry out the inspections, how many)
    inspection_plans: list[tuple[CaseSnapshot, int]] = field(default_factory=list)
    #: near misses that concern a body rather than a case (S33)
    body_near_misses: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "seed": self.seed, "count": self.count,
                "alerts": sorted(self.alerts, key=lambda a: json.dumps(a, sort_keys=True)),
                "near_misses": self.near_misses, "body_near_misses": self.body_near_misses, "edits": self.edits,
                "stored_records": {**MEASURE_INJECTIONS, "S33": INSPECTION_INJECTION},
                "other_injections": OTHER_INJECTIONS, "imported_from": IMPORT_SOURCE}


def build_dataset(world: World, *, seed: int, count: int, as_of: datetime = AS_OF
                  ) -> tuple[list[CaseEntry], GroundTruth]:
    """`count` clean cases (at least one per injection and near miss; about one in ten decided on the
    spot), the injected and open cases, and the ground truth. Pure: the same world and seed give the
    same cases. Cases the state machine built are `CaseHistory`s; edited ones are `ImportedCase`s."""
    rng = random.Random(seed)
    builder = Builder(world, seed)
    env = Env(world, builder, world.ctx.calendar, world.ctx.config)
    truth = GroundTruth(as_of, seed, count, edits={r: d for r, (d, _f) in INJECTIONS.items()})
    entries: list[CaseEntry] = []
    used: set[str] = set()
    n = 0

    def new_id() -> str:
        nonlocal n
        n += 1
        return f"C{seed:04d}-{n:07d}"

    def imported(snap: CaseSnapshot) -> ImportedCase:
        return ImportedCase(snap, IMPORT_SOURCE, f"EXT-{snap.case_id}", as_of - timedelta(days=7))

    reserved = len(INJECTIONS) + len(NEAR_MISS_RULES) + len(MEASURE_INJECTIONS) + len(MEASURE_NEAR_MISSES) + 8
    n_simple = max(count // 10, 1)
    clean = [builder.ordinary(new_id(), rng) for _ in range(max(count - n_simple, reserved))]
    targets = iter(clean)

    def take() -> Built:
        b = next(targets)
        used.add(b.snapshot.case_id)
        return b

    for rule, (_doc, inject) in INJECTIONS.items():
        b = take()
        edited = inject(env, b)
        truth.alerts.append(_alert(rule, edited, b))
        entries.append(imported(edited))
    for rule in NEAR_MISS_RULES:
        b = take()
        entries.append(imported(near_miss(env, rule, b)))
        truth.near_misses.append({"rule": rule, "case_id": b.snapshot.case_id})
    # S17: a second fine for the same violation; near miss: the same party, another violation
    base = take()
    dup = replace(base.snapshot, case_id=base.snapshot.case_id + "-dup")
    entries += [base.history(), imported(dup)]
    truth.alerts.append({"rule": "S17", "case_id": dup.case_id, "severity": "RED"})
    other = take()
    near = replace(other.snapshot, case_id=other.snapshot.case_id + "-nm",
                   violation=Violation(other.snapshot.violation.start - timedelta(days=30)))
    entries += [other.history(), imported(near)]
    truth.near_misses.append({"rule": "S17", "case_id": near.case_id})
    # S18: three decisions on one party within a year (different violations: no S17)
    third = take()
    runs = [replace(third.snapshot, case_id=third.snapshot.case_id + f"-f{k}",
                    violation=Violation(third.snapshot.violation.start - timedelta(days=40 * k))) for k in (1, 2)]
    entries += [third.history(), *(imported(r) for r in runs)]
    truth.alerts.append({"rule": "S18", "case_id": runs[-1].case_id, "severity": "INFO"})
    # S15: a basis not in force at the violation (imported: the guard refuses it), a 规范性文件 as the
    # basis (the guard lets it through: it resolves); near miss: a later, lighter version (从旧兼从轻)
    refs = world.basis_refs
    b = take()
    assert b.snapshot.decision is not None
    stricter = replace(b.snapshot, decision=replace(b.snapshot.decision, basis_refs=(refs.stricter_later,)))
    entries.append(imported(stricter))
    truth.alerts.append({"rule": "S15", "case_id": stricter.case_id, "severity": "RED"})
    normative = builder.ordinary(new_id(), rng, basis=refs.normative)
    entries.append(normative.history())
    truth.alerts.append({"rule": "S15", "case_id": normative.snapshot.case_id, "severity": "RED"})
    lighter = builder.ordinary(new_id(), rng, basis=refs.lighter_later)
    entries.append(lighter.history())
    truth.near_misses.append({"rule": "S15", "case_id": lighter.snapshot.case_id})
    entries += _simple_and_execution_cases(env, rng, new_id, truth, imported)
    # coercive measures: stored after the cases are written (`store_measures`); the cases stay clean
    for rule in MEASURE_INJECTIONS:
        b = take()
        truth.measure_plans.append((rule, b.snapshot.case_id, True))
        truth.alerts.append({"rule": rule, "case_id": b.snapshot.case_id, "severity": "RED"})
    for rule in MEASURE_NEAR_MISSES:
        b = take()
        truth.measure_plans.append((rule, b.snapshot.case_id, False))
        truth.near_misses.append({"rule": rule, "case_id": b.snapshot.case_id})
    # S33: inspections (no case); the near miss is by another body
    hit = clean[0].snapshot
    near_body = next((b.snapshot for b in clean if b.snapshot.body_id != hit.body_id), None)
    truth.inspection_plans.append((hit, 3))
    truth.alerts.append({"rule": "S33", "body_id": hit.body_id, "severity": "RED"})
    if near_body is not None:
        truth.inspection_plans.append((near_body, 2))
        truth.body_near_misses.append({"rule": "S33", "body_id": near_body.body_id})
    planned = {case_id for _rule, case_id, _inj in truth.measure_plans}
    entries += [b.history() for b in clean if b.snapshot.case_id not in used or b.snapshot.case_id in planned]
    for _ in range(n_simple):  # clean on-the-spot decisions: filed, handed over and banked on time
        entries.append(builder.simple(new_id(), rng, file_wd=rng.randint(1, 3), hand_wd=rng.randint(1, 2),
                                      bank_wd=rng.randint(1, 2), cash=rng.random() < 0.7).history())
    entries += [b.history() for b in _open_cases(env, rng, new_id, as_of, truth)]
    return entries, truth


def _simple_and_execution_cases(env: Env, rng: random.Random, new_id: Callable[[], str], truth: GroundTruth,
                                imported: Callable[[CaseSnapshot], ImportedCase]) -> list[CaseEntry]:
    """S07, S07b, S19b and S23: each injected once and approached once without being broken."""
    builder, cfg = env.builder, env.cfg
    out: list[CaseEntry] = []

    def hit(rule: str, entry: CaseEntry) -> None:
        out.append(entry)
        truth.alerts.append({"rule": rule, "case_id": entry_snapshot(entry).case_id, "severity": "RED"})

    def miss(rule: str, entry: CaseEntry) -> None:
        out.append(entry)
        truth.near_misses.append({"rule": rule, "case_id": entry_snapshot(entry).case_id})

    # S07: 通报批评 added to an on-the-spot fine (imported: the guard refuses it); near miss: an
    # on-the-spot fine alone, within the organisation limit
    b = builder.simple(new_id(), rng, cash=False)
    assert b.snapshot.decision is not None
    decision = b.snapshot.decision
    widened = replace(decision.proposal, kinds=decision.proposal.kinds | {PenaltyKind.PUBLIC_CRITICISM})
    hit("S07", imported(replace(b.snapshot, decision=replace(decision, proposal=widened))))
    miss("S07", builder.simple(new_id(), rng, cash=False).history())
    # S07b: never filed with the agency; near miss: filed on the last day of the period
    hit("S07b", builder.simple(new_id(), rng, file_wd=None).history())
    miss("S07b", builder.simple(new_id(), rng, file_wd=cfg.simple_procedure.record_working_days).history())
    # S19b: handed to the agency on the third working day; near miss: handed and banked on the second
    hit("S19b", builder.simple(new_id(), rng, hand_wd=3, bank_wd=1).history())
    miss("S19b", builder.simple(new_id(), rng, hand_wd=2, bank_wd=2).history())
    # S23: executed at 22:30 without urgency (imported: the guard refuses it); near miss: an urgent
    # execution at 22:30 (Art. 43 allows it)
    b = builder.executed_by_force(new_id(), rng, at_time=time(10, 0), urgent=False)
    assert b.snapshot.enforcement is not None
    done = b.snapshot.enforcement
    assert done.executed_at is not None
    night = done.executed_at.replace(hour=22, minute=30)
    hit("S23", imported(replace(b.snapshot, enforcement=replace(done, executed_at=night))))
    miss("S23", builder.executed_by_force(new_id(), rng, at_time=time(22, 30), urgent=True).history())
    return out


def _alert(rule: str, edited: CaseSnapshot, b: Built) -> dict[str, str]:
    if rule in ("S05", "S06"):
        officer = edited.investigators[-1]
        return {"rule": rule, "officer_id": officer, "case_id": edited.case_id, "severity": "RED"}
    if rule == "S11b":
        assert edited.hearing is not None
        assert edited.hearing.chair_id is not None
        return {"rule": rule, "officer_id": edited.hearing.chair_id, "case_id": edited.case_id, "severity": "RED"}
    return {"rule": rule, "case_id": edited.case_id, "severity": "INFO" if rule == "S29" else "RED"}


def _open_cases(env: Env, rng: random.Random, new_id: Callable[[], str], as_of: datetime,
                truth: GroundTruth) -> list[Built]:
    """Cases still running at `as_of`: breaches, yellow pre-warnings and quiet ones."""
    cal, today = env.cal, as_of.date()
    out: list[Built] = []

    def back_wd(n: int) -> date:
        day = today
        for _ in range(n):
            day -= timedelta(days=1)
            while not cal.is_working_day(day):
                day -= timedelta(days=1)
        return day

    # S01: a clue unhandled for 20 wd (RED), for 13 of 15 wd (YELLOW), for 3 wd (quiet)
    for wd_back, severity in ((20, "RED"), (13, "YELLOW"), (3, None)):
        b = env.builder.ordinary(new_id(), rng, start=back_wd(wd_back), stop="VERIFYING")
        out.append(b)
        if severity:
            truth.alerts.append({"rule": "S01", "case_id": b.snapshot.case_id, "severity": severity})
        else:
            truth.near_misses.append({"rule": "S01", "case_id": b.snapshot.case_id})
    # S02: filed 100 cd ago (RED), 80 cd ago (YELLOW: 89 %), 50 cd ago (quiet), investigation open
    for cd_back, severity in ((100, "RED"), (80, "YELLOW"), (50, None)):
        start = cal.roll_forward_to_working_day(today - timedelta(days=cd_back + 3))
        b = env.builder.ordinary(new_id(), rng, start=start, stop="EVIDENCE")
        filed = b.snapshot.filed_on
        assert filed is not None
        out.append(b)
        if severity and severity == "YELLOW" and (today - filed).days * 100 < 80 * 90:
            severity = None
        if severity:
            truth.alerts.append({"rule": "S02", "case_id": b.snapshot.case_id, "severity": severity})
        else:
            truth.near_misses.append({"rule": "S02", "case_id": b.snapshot.case_id})
    # S20: served 40 cd ago, unpaid (YELLOW by the rule's definition)
    start = cal.roll_forward_to_working_day(today - timedelta(days=120))
    b = env.builder.ordinary(new_id(), rng, start=start, stop="PERFORMING")
    out.append(b)
    if b.snapshot.payment is not None and b.snapshot.payment.due < today:
        truth.alerts.append({"rule": "S20", "case_id": b.snapshot.case_id, "severity": "YELLOW"})
    return out


# --- writing to the case store -----------------------------------------------------------------


async def store_reference(engine: Any, seed_dir: Path, world: World) -> None:
    """The item catalogue (through its reviewed workflow) and the 法规库 the cases cite, where absent."""
    from sqlalchemy import select

    from subgraphs.cases.catalogue import publish_reviewed
    from subgraphs.cases.regulations import add_regulation
    from subgraphs.cases.rows import CatalogueItemRow, RegulationRow

    async with engine.connect() as conn:
        known = set((await conn.execute(select(CatalogueItemRow.code))).scalars())
        titles = set((await conn.execute(select(RegulationRow.title))).scalars())
    stamp = datetime(2020, 1, 1, tzinfo=CHINA_TZ)
    for row in _lines(seed_dir / "items.jsonl"):
        if str(row["code"]) not in known:
            await publish_reviewed(engine, row, drafter="seed-catalogue", reviewer="seed-legal-review", now=stamp,
                                   valid_from=date(2020, 1, 1))
    for title, level, versions in world.regulations:
        if title not in titles:
            await add_regulation(engine, title=title, level=level, versions=versions)


async def write_cases(url: str, entries: Sequence[CaseEntry], world: World, seed_dir: Path | None = None,
                      *, progress: Callable[[int], None] | None = None, batch: int = 1000) -> int:
    """Write the cases with the cases subgraph's bulk writer (rows, event chains, deadlines, outbox:
    `subgraphs.cases.bulk`), after the reference data they need when `seed_dir` is given. A case
    already stored is skipped. Returns the number of cases written; `progress` gets the number of
    entries done after every batch."""
    from subgraphs.cases.bulk import BulkWriter
    from subgraphs.common.db import create_engine

    engine = create_engine(url)
    try:
        if seed_dir is not None:
            await store_reference(engine, seed_dir, world)
        writer = BulkWriter(engine, world.ctx)
        result = await writer.write(entries, batch=batch,
                                    progress=(lambda r: progress(r.seen)) if progress is not None else None)
        if result.refused:
            raise ValueError(f"{len(result.refused)} case(s) not written; first: {result.refused[0]}")
        return result.written
    finally:
        await engine.dispose()


def entry_snapshot(entry: CaseEntry) -> CaseSnapshot:
    return entry.snapshot if isinstance(entry, ImportedCase) else entry.steps[-1].after


def _measure_commands(world: World, snap: CaseSnapshot, rule: str, injected: bool) -> list[Any]:
    """The commands that create (first) and move one measure on `snap` for `rule`."""
    from subgraphs.cases.domain import coercive as m
    from subgraphs.cases.domain.enums import BasisLevel, CoerciveKind

    day = snap.evidence[0].collected_on
    start = _at(day)
    officers = tuple(snap.investigators[:2])
    common: dict[str, Any] = {
        "actor_id": officers[0], "measure_id": f"{snap.case_id}-M1", "case_id": snap.case_id,
        "kind": CoerciveKind.SEIZE, "basis_level": BasisLevel.LAW, "basis_text": "《行政强制法》第二十二条",
        "body_id": snap.body_id, "item_code": snap.item_code, "item_version": snap.item_version,
        "region_code": snap.region_code}
    elsewhere = rule == "S34" and injected
    on_site = m.OnSiteFacts(officer_ids=officers, party_present=True,
                            items=(m.MeasureItem("涉案物品", "1批", sealed_by_other_organ=elsewhere),))
    if rule == "S22":
        freeze = {**common, "kind": CoerciveKind.FREEZE, "basis_text": "《行政强制法》第二十九条"}
        approve_freeze = m.ApproveMeasure(at=start - timedelta(hours=2), head_approved=True,
                                          **{**freeze, "actor_id": "HEAD"})
        frozen = m.PutInForce(at=start, actor_id=officers[0], on_site=on_site)
        if injected:
            return [approve_freeze, frozen]
        served = _at(world.ctx.calendar.add_working_days(day, 3))
        return [approve_freeze, frozen, m.ServeFreezeDecision(at=served, actor_id=officers[0]),
                m.Release(at=_at(day + timedelta(days=5)), actor_id=officers[0], ground="no violation")]
    if rule == "S26":
        first = m.ApplyEmergencyMeasure(at=start, on_site=on_site, **common)
        if injected:
            return [first]
        return [first, m.ReportEmergency(at=start + timedelta(hours=23), actor_id="HEAD", head_approves=False)]
    approve = m.ApproveMeasure(at=start - timedelta(hours=2), head_approved=True, **{**common, "actor_id": "HEAD"})
    in_force = m.PutInForce(at=start, actor_id=officers[0], on_site=on_site)
    if rule == "S21" and injected:
        return [approve, in_force]
    if rule == "S21b":
        return [approve, in_force,
                m.Extend(at=_at(day + timedelta(days=25)), actor_id="HEAD", days=30, complex_case=True,
                         head_approved=True, written_notice=True),
                m.Release(at=_at(day + timedelta(days=40)), actor_id=officers[0], ground="no violation")]
    if rule == "S21":
        cfg = world.ctx.config
        from subgraphs.cases.domain.deadlines import seal_seize_term

        due = seal_seize_term(world.ctx.calendar, cfg, started_on=day, extension_days=0, testing_periods=()).due
        return [approve, in_force, m.Release(at=_at(due), actor_id=officers[0], ground="no violation")]
    return [approve, in_force, m.Release(at=_at(day + timedelta(days=5)), actor_id=officers[0], ground="no violation")]


async def store_measures(url: str, world: World, cases: Sequence[CaseSnapshot], truth: GroundTruth) -> None:
    """Create the planned coercive measures through the cases subgraph's record store (real rows,
    event chains and deadlines); the guards of the measure state machine apply to every command."""
    from subgraphs.cases.aggregates import RecordStore
    from subgraphs.cases.domain.coercive import CoerciveMeasure
    from subgraphs.cases.facts import FixedFacts
    from subgraphs.cases.measures import MEASURE, apply_to_measure, register_measure
    from subgraphs.common.db import create_engine

    by_id = {s.case_id: s for s in cases}
    engine = create_engine(url)
    try:
        for rule, case_id, injected in truth.measure_plans:
            snap = by_id[case_id]
            ctx = _freezing_context(world, snap.body_id) if rule == "S22" else world.ctx
            store = RecordStore(engine, FixedFacts(ctx))
            first, *rest = _measure_commands(world, snap, rule, injected)
            if rule == "S22" or (rule == "S21b" and injected):  # imported departmental records (MEASURE_INJECTIONS)
                measure: CoerciveMeasure | None = None
                for command in (first, *rest):
                    measure = MEASURE.machine(measure, command, ctx).after
                assert measure is not None
                edited = replace(measure, extensions=2, extension_days=45) if rule == "S21b" else measure
                await store.import_record(MEASURE, edited, source=IMPORT_SOURCE, source_id=f"EXT-{edited.measure_id}",
                                          at=truth.as_of - timedelta(days=7))
                continue
            created = await register_measure(store, first)
            for command in rest:
                created = await apply_to_measure(store, created.record.record_id, command)
        store = RecordStore(engine, FixedFacts(world.ctx))
        inspected = next(p.uscc for p in world.entities if p.uscc)
        for n, (snap, times) in enumerate(truth.inspection_plans):
            # every plan inspects the same enterprise: S33 counts per (body, object), so only the body differs
            await _inspections(store, snap, times, prefix=f"INS{truth.seed:04d}-{n}", object_uscc=inspected)
    finally:
        await engine.dispose()


def _freezing_context(world: World, body_id: str) -> GuardContext:
    """The world's facts with `body_id` authorised by law to freeze (the data set names no such body)."""
    facts = world.facts
    bodies = dict(facts.bodies)
    bodies[body_id] = replace(bodies[body_id], freeze_authorised=True)
    marked = replace(facts, bodies=bodies)
    return replace(world.ctx, personnel=marked, catalogue=marked, bodies=marked, regulations=marked)


async def _inspections(store: Any, snap: CaseSnapshot, times: int, *, prefix: str, object_uscc: str) -> None:
    """`times` inspections, 30 cd apart, of one object by the case's body and investigators."""
    from subgraphs.cases.domain.inspection import AssignInspectors, PlanInspection, StartOnSite
    from subgraphs.cases.inspections import apply_to_inspection, plan_inspection

    day = snap.evidence[0].collected_on
    officers = tuple(snap.investigators[:2])
    for k in range(times):
        at = _at(day + timedelta(days=30 * k))
        ins_id = f"{prefix}-{k}"
        await plan_inspection(store, PlanInspection(
            at=at - timedelta(hours=2), actor_id="HEAD", inspection_id=ins_id, body_id=snap.body_id,
            item_code=snap.item_code, item_version=snap.item_version, region_code=snap.region_code,
            object_name=f"检查对象{prefix}", plan_id=f"{prefix}-PLAN", object_uscc=object_uscc))
        await apply_to_inspection(store, ins_id, AssignInspectors(at=at - timedelta(hours=1), actor_id="HEAD",
                                                                   officer_ids=officers))
        await apply_to_inspection(store, ins_id, StartOnSite(at=at, actor_id=officers[0], certificates_shown=True))


def load_world(seed_dir: Path, secret: bytes) -> World:
    from subgraphs.cases.domain.config import load_config
    from subgraphs.cases.domain.standards import calendar_dir, deadlines_file

    return World.load(seed_dir, secret=secret, calendar=WorkingCalendar.from_directory(calendar_dir()),
                      config=load_config(deadlines_file()))


async def seed_with_violations(url: str, seed_dir: Path, out_dir: Path, *, seed: int, count: int,
                               secret: bytes, as_of: datetime = AS_OF) -> GroundTruth:
    """Build, inject, write the cases; write `out_dir/ground_truth.json`. Returns the ground truth."""
    world = load_world(seed_dir, secret)
    entries, truth = build_dataset(world, seed=seed, count=count, as_of=as_of)
    await write_cases(url, entries, world, seed_dir)
    await store_measures(url, world, [entry_snapshot(e) for e in entries], truth)
    write_ground_truth(out_dir, truth)
    return truth


def write_ground_truth(out_dir: Path, truth: GroundTruth) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / GROUND_TRUTH).write_text(json.dumps(truth.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
