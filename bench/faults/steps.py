"""Case steps through the gateway's mutations, each with an idempotency key, retried as a phone on a
bad network retries: after a timeout, a lost connection, a 5xx or an error that says a part was away,
the SAME request with the SAME key again, until it is answered or `GIVE_UP_S` has passed.

A case goes registerClue → assignVerifier → fileCase → startInvestigation → uploadFile (the evidence
file, base64) → attachEvidence → attachDocument, each step with `expectedVersion`. An answered step is
*acknowledged*: its key, case, version and the answer's data are kept for the invariants. Some
acknowledged steps are sent once more on purpose (a duplicate send): the answer must equal the first;
and the first attempt of some steps is cut off by the client after a few milliseconds (the answer lost
on the way back, or the request on the way there), then sent again with its key.
"""

from __future__ import annotations

import asyncio
import base64
import os
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.faults.load import Answer, Recorder, Tokens, call
from bench.faults.world import ITEM, STEP_DAYS, Team
from domain.sm import sm3_hex

#: how long one step is retried before the case is given up (a bound; every fault lasts less)
GIVE_UP_S = 120.0
#: the answers that settle a step: the caller's request is wrong or the case's state refuses it
FINAL_CODES = frozenset({"GUARD_FAILED", "ILLEGAL_TRANSITION", "VERSION_CONFLICT", "IDEMPOTENCY_KEY_REUSED",
                         "BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "GRAPHQL_VALIDATION_FAILED",
                         "UNAUTHORIZED_FIELD_OR_TYPE", "BLOB_INVALID"})
DUPLICATE_SEND_RATE = 0.25
#: the share of keyed steps whose first attempt the client cuts off after a few milliseconds
LOST_ANSWER_RATE = 0.15

CASE = "id caseNo version status"
REGISTER = f"""mutation($input: RegisterClueInput!, $key: String) {{
  registerClue(input: $input, idempotencyKey: $key) {{ {CASE} }} }}"""
VERIFY = f"""mutation($id: ID!, $input: AssignVerifierInput!, $v: Int, $key: String) {{
  assignVerifier(caseId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {CASE} }} }}"""
FILE = f"""mutation($id: ID!, $input: FileCaseInput!, $v: Int, $key: String) {{
  fileCase(caseId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {CASE} }} }}"""
INVESTIGATE = f"""mutation($id: ID!, $input: StartInvestigationInput!, $v: Int, $key: String) {{
  startInvestigation(caseId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {CASE} }} }}"""
UPLOAD = """mutation($b: String!, $h: String) { uploadFile(contentBase64: $b, sm3: $h) { sm3 size } }"""
EVIDENCE = f"""mutation($id: ID!, $input: AttachEvidenceInput!, $v: Int, $key: String) {{
  attachEvidence(caseId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {CASE} }} }}"""
DOCUMENT = f"""mutation($id: ID!, $input: AttachDocumentInput!, $v: Int, $key: String) {{
  attachDocument(caseId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {CASE} }} }}"""


@dataclass(frozen=True)
class Ack:
    """An acknowledged step: the answer's data for its key (the first answer the client got)."""

    key: str
    op: str
    case_id: str
    version: int
    data: dict[str, Any]


@dataclass
class Ledger:
    """What the drivers know: acknowledged steps, keys given up, duplicate sends and their verdicts."""

    acks: list[Ack] = field(default_factory=list)
    given_up: list[tuple[str, str]] = field(default_factory=list)  # (op, key): never answered in time
    refused: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # (op, key, codes) settled by an error
    retried_refused: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # refused on a retry
    replays: int = 0  # retries and duplicate sends answered
    cut: int = 0  # first attempts the client cut off (it never saw their answer)
    replay_mismatches: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    case_ids: list[str] = field(default_factory=list)
    cases_completed: int = 0


def _at(day_index: int) -> str:
    return f"{STEP_DAYS[day_index].isoformat()}T10:00:00+08:00"


def retryable(answer: Answer) -> bool:
    """Whether a phone would send the same request again: no answer, a 5xx, or a part away."""
    if answer.status == 0 or answer.status >= 500 or answer.body is None:
        return True
    return bool(answer.codes) and not (set(answer.codes) & FINAL_CODES)


class Driver:
    """Drives cases of one team, one after another, until the run's deadline."""

    def __init__(self, http: httpx.AsyncClient, rec: Recorder, gateway: str, tokens: Tokens, team: Team,
                 ledger: Ledger, *, seed: int) -> None:
        self.http, self.rec, self.gateway, self.tokens, self.team = http, rec, gateway, tokens, team
        self.ledger = ledger
        self.rng = random.Random(seed)

    async def send(self, op: str, query: str, variables: dict[str, Any], *, key: str | None) -> Answer | None:
        """The step until it is answered (None: given up). A step answered on a retry is a replay."""
        headers = await self.tokens.headers(self.http, self.team.officers[0])
        loop = asyncio.get_running_loop()
        started, attempts, pause = loop.time(), 0, 0.5
        while True:
            attempts += 1
            if attempts == 1 and key is not None and self.rng.random() < LOST_ANSWER_RATE:
                # the network drops while the step is on its way or answered: whether it was written,
                # the phone cannot know; it sends the same request again
                await call(self.http, self.rec, self.gateway, f"cut:{op}", query, variables, headers,
                           timeout_s=self.rng.uniform(0.005, 0.25))
                self.ledger.cut += 1
                attempts += 1
            answer = await call(self.http, self.rec, self.gateway, f"step:{op}", query, variables, headers)
            if not retryable(answer):
                if attempts > 1:
                    self.ledger.replays += 1
                    if answer.codes and key is not None:
                        self.ledger.retried_refused.append((op, key, answer.codes))
                return answer
            if loop.time() - started > GIVE_UP_S:
                self.ledger.given_up.append((op, key or "-"))
                return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 4.0)

    async def step(self, op: str, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """A keyed step: the answer's data when acknowledged; None when refused or given up."""
        key = f"{op}-{uuid.uuid4().hex}"
        answer = await self.send(op, query, {**variables, "key": key}, key=key)
        if answer is None:
            return None
        if answer.codes:
            self.ledger.refused.append((op, key, answer.codes))
            return None
        data = (answer.data or {}).get(op)
        if not isinstance(data, dict):
            self.ledger.refused.append((op, key, ("NO_DATA",)))
            return None
        self.ledger.acks.append(Ack(key, op, str(data["id"]), int(data["version"]), data))
        if self.rng.random() < DUPLICATE_SEND_RATE:  # the phone sends it again: the first answer must come back
            again = await self.send(op, query, {**variables, "key": key}, key=key)
            if again is not None:
                self.ledger.replays += 1
                replayed = (again.data or {}).get(op)
                if replayed != data:
                    self.ledger.replay_mismatches.append((key, data, {"data": replayed, "codes": list(again.codes)}))
        return data

    async def one_case(self) -> bool:
        """Drive one case as far as it goes; True when every step was acknowledged."""
        officers = list(self.team.officers)
        clue = {"bodyId": self.team.body, "itemCode": ITEM, "itemVersion": "1", "regionCode": self.team.region,
                "source": "INSPECTION", "parties": [{"partyType": "ORGANISATION", "name": "潮州某食品有限公司"}],
                "violation": {"start": "2025-02-20"}, "discoveredOn": "2025-03-01", "at": _at(0)}
        case = await self.step("registerClue", REGISTER, {"input": clue})
        if case is None:
            return False
        cid = case["id"]
        self.ledger.case_ids.append(cid)
        plan: list[tuple[str, str, dict[str, Any]]] = [
            ("assignVerifier", VERIFY, {"input": {"verifierId": officers[0], "at": _at(1)}}),
            ("fileCase", FILE, {"input": {"filingStandardMet": True, "at": _at(2)}}),
            ("startInvestigation", INVESTIGATE, {"input": {"officerIds": officers, "recusalChecked": True,
                                                           "at": _at(3)}}),
        ]
        version = int(case["version"])
        for op, query, variables in plan:
            done = await self.step(op, query, {"id": cid, "v": version, **variables})
            if done is None:
                return False
            version = int(done["version"])
        photo = os.urandom(self.rng.randrange(2_000, 20_000))
        digest = sm3_hex(photo)
        uploaded = await self.send("uploadFile", UPLOAD, {"b": base64.b64encode(photo).decode(), "h": digest}, key=None)
        if uploaded is None or uploaded.codes:
            return False
        evidence = {"kind": "AUDIOVISUAL", "title": "现场视频", "sm3": digest, "capturedAt": f"{_at(3)[:10]}T09:00:00+08:00",
                    "collectedBy": officers, "deviceId": f"CAM-{self.rng.randrange(100)}", "at": _at(3)}
        done = await self.step("attachEvidence", EVIDENCE, {"id": cid, "v": version, "input": evidence})
        if done is None:
            return False
        version = int(done["version"])
        document = {"docType": "INSPECTION_RECORD", "title": "现场笔录", "sm3": digest,
                    "seal": self.rng.random() < 0.5, "at": _at(4)}
        if await self.step("attachDocument", DOCUMENT, {"id": cid, "v": version, "input": document}) is None:
            return False
        self.ledger.cases_completed += 1
        return True

    async def run(self, *, until: float) -> None:
        while self.rec.now() < until:
            await self.one_case()
