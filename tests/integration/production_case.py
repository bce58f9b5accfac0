"""One penalty case from the clue to the published decision, driven through a gateway as its people would.

The officers, the body, the item and the party come from the seeded data set; every step is one
mutation sent with its caller's token (an officer's, the body head's, i.e. the approver's), each with
an idempotency key and the version it read. The decision is published 20 days after it was taken,
past the 7 working days allowed for 双公示 (国办发〔2018〕118号): the platform records a late fact and
leaves it to supervision, which has one thing to find in this case: S24.

`DOCUMENTS` are the operations sent, for a manifest of trusted documents.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

#: the rule the case breaks: its decision is published too late
EXPECTED_RULE = "S24"
BASE = date(2026, 9, 1)  # a Tuesday, inside the seeded certificates' validity

_FIELDS = "{ id version status }"


def _mutation(name: str, with_case: bool = True, input_required: bool = True) -> str:
    input_type = f"{name[0].upper()}{name[1:]}Input{'!' if input_required else ''}"
    case = "$caseId: ID!, " if with_case else ""
    case_arg = "caseId: $caseId, " if with_case else ""
    return (f"mutation({case}$input: {input_type}, $v: Int, $key: String) "
            f"{{ {name}({case_arg}input: $input, expectedVersion: $v, idempotencyKey: $key) {_FIELDS} }}")


REGISTER = ("mutation($input: RegisterClueInput!, $key: String) "
            f"{{ registerClue(input: $input, idempotencyKey: $key) {_FIELDS} }}")
STEPS = {name: _mutation(name, input_required=name not in {"submitForReview", "startPayment", "publishDecision"})
         for name in ("assignVerifier", "fileCase", "startInvestigation", "recordEvidence", "concludeInvestigation",
                      "submitForReview", "serveNotice", "recordStatement", "reviewStatement", "reassess", "decide",
                      "serveDecision", "startPayment", "publishDecision")}
CASE_QUERY = ("query($id: ID!) { penaltyCase(id: $id) { id status decidedOn "
              "alerts { ruleId } } }")
ACCESS_LOG_NOTE = "the auditor reads GET /audit/access-log"
DOCUMENTS = (REGISTER, *STEPS.values(), CASE_QUERY)


def _rows(seed: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (seed / name).read_text(encoding="utf-8").splitlines() if x.strip()]


@dataclass(frozen=True)
class Cast:
    body: dict[str, Any]
    officers: tuple[str, str]
    item: dict[str, Any]
    party: dict[str, Any]


def cast(seed: Path, officer_ids: tuple[str, str]) -> Cast:
    """The body of the two officers, one of its penalty items, and an adult party from the register."""
    officers = {o["id"]: o for o in _rows(seed, "officers.jsonl")}
    body_uscc = officers[officer_ids[0]]["body_uscc"]
    body = next(b for b in _rows(seed, "bodies.jsonl") if b["uscc"] == body_uscc)
    items = {i["code"]: i for i in _rows(seed, "items.jsonl")}
    item = next(items[code] for code in body["item_codes"] if code in items
                and items[code]["action_type"] == "PENALTY" and "FINE" in items[code]["allowed_kinds"]
                and not items[code]["major_decision"])
    party = next(p for p in _rows(seed, "persons.jsonl")
                 if p["id_type"] == "RESIDENT_ID" and p["birth_date"] < "1990-01-01" and not p["death_flag"])
    return Cast(body, officer_ids, item, party)


def _at(day: date) -> str:
    return f"{day.isoformat()}T10:00:00+08:00"


def drive_case(send: Callable[[str, str, dict[str, Any]], dict[str, Any]], who: Cast) -> dict[str, Any]:
    """Run the case; `send(role, query, variables)` posts as "officer" or "approver" and returns `data`.

    Returns the last answer (the published case)."""
    officer, partner = who.officers
    item = who.item
    band = next(b for b in item["discretion_benchmarks"] if b["circumstance_level"] == "一般")
    proposal = {"kinds": ["FINE"], "circumstance": "ORDINARY", "fineFen": band["min_fen"],
                "confiscatedGainsFen": 0, "confiscatedPropertyFen": 0, "mitigatingFactors": []}
    basis = [f"《{p['regulation']}》{p['article']}" for p in item["penalty_provisions"]]
    hearing = who.party and band["min_fen"] >= item["hearing_threshold_individual_fen"]
    party = {"partyType": "NATURAL_PERSON", "name": who.party["name"], "birthDate": who.party["birth_date"],
             "idType": "RESIDENT_ID", "idNumber": who.party["id_number"]}
    clue = send("officer", REGISTER, {"key": str(uuid.uuid4()), "input": {
        "bodyId": who.body["uscc"], "itemCode": item["code"], "itemVersion": str(item["version"]),
        "regionCode": who.body["region_code"], "source": "INSPECTION", "parties": [party],
        "violation": {"start": (BASE - timedelta(days=12)).isoformat(), "continuous": False,
                      "endangersLifeOrFinance": False, "harmfulConsequences": False},
        "discoveredOn": (BASE - timedelta(days=3)).isoformat(), "at": _at(BASE - timedelta(days=3))}})["registerClue"]
    case_id, version = clue["id"], clue["version"]
    decided = BASE + timedelta(days=48)  # after the statement and hearing windows (National Day falls between)
    plan: list[tuple[str, str, dict[str, Any] | None, date]] = [
        ("approver", "assignVerifier", {"verifierId": officer}, BASE - timedelta(days=2)),
        ("approver", "fileCase", {"filingStandardMet": True, "filedFirstElsewhere": False}, BASE),
        ("officer", "startInvestigation", {"officerIds": [officer, partner], "recusalChecked": True},
         BASE + timedelta(days=3)),
        ("officer", "recordEvidence", {"evidence": {
            "evidenceId": f"EV-{case_id[:8]}", "kind": "INSPECTION_RECORD",
            "collectedOn": (BASE + timedelta(days=4)).isoformat(), "collectedBy": [officer, partner],
            "signed": True, "sm3": "0" * 64}}, BASE + timedelta(days=4)),
        ("officer", "concludeInvestigation", {"reportDocId": "调查终结报告"}, BASE + timedelta(days=20)),
        ("officer", "submitForReview", {}, BASE + timedelta(days=21)),
        ("officer", "serveNotice", {"proposal": proposal, "factsStated": True, "reasonsStated": True,
                                    "basisStated": True, "rightsStated": True, "includesHearingRight": hearing},
         BASE + timedelta(days=25)),
        ("officer", "recordStatement", {"summary": "当事人提出陈述申辩"}, BASE + timedelta(days=27)),
        ("officer", "reviewStatement", {"index": 0, "adopted": False}, BASE + timedelta(days=28)),
        ("approver", "reassess", {"proposal": proposal, "newFacts": False}, BASE + timedelta(days=45)),
        ("approver", "decide", {"docNo": f"罚〔2026〕{case_id[:4]}号", "proposal": proposal, "signedBy": "head1",
                                "sealed": True, "contentsComplete": True, "basisRefs": basis}, decided),
        ("officer", "serveDecision", {"method": "DIRECT", "onSpot": False}, decided + timedelta(days=2)),
        ("officer", "startPayment", {}, decided + timedelta(days=2)),
        # published 20 days after the decision: past the 7 working days (rule S24)
        ("officer", "publishDecision", {}, decided + timedelta(days=20)),
    ]
    answer: dict[str, Any] = clue
    for role, name, given, day in plan:
        variables = {"caseId": case_id, "v": version, "key": str(uuid.uuid4()),
                     "input": {**(given or {}), "at": _at(day)}}
        answer = send(role, STEPS[name], variables)[name]
        version = answer["version"]
    return answer
