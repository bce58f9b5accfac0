"""The production profile end to end, over real processes on PostgreSQL.

`hub secrets init`, `hub db upgrade` and `hub seed` (the catalogue, the register's ID numbers in the
pseudonym vault, some cases), then `hub up --profile production` on the test server's fresh database:
the departments simulated in their production form, every secret the trial set's. Through the gateway,
with tokens from the identity provider: an officer and the body head (the approver) take a case from
the clue to the published decision; the supervision follower raises the alert the case earns (S24,
published late) within 3 follow intervals; a sweep (`hub supervise sweep`) finds it too; the outbox
delivers the case to the data centre and the decision to the credit platform; an auditor reads the
access log (an officer may not); `hub audit verify` finds every chain intact; and no line any process
wrote holds an ID number.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.identifiers import is_valid_resident_id
from gateway.security.trusted import document_id
from hub.trusted_documents import collect
from tests.integration import production_case
from tests.integration.production_trial import Trial, base_env, secrets_init, start_trial
from tests.support.db import postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CODE = Path(__file__).resolve().parents[2]
FOLLOW_INTERVAL_S = 1.0
#: what an evaluation may take on top of the follow intervals on a shared machine (a bound, not a target)
PROCESSING_S = 15.0
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@pytest.fixture(scope="module")
def trial(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trial]:
    root = tmp_path_factory.mktemp("production-e2e")
    init = secrets_init(root, CODE)
    assert init.returncode == 0, init.stderr
    # the operations the people of this test send are registered beside production's own (still enforced)
    manifest = {**collect(), **{document_id(d): d for d in production_case.DOCUMENTS}}
    (root / "trusted.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with postgres_database(postgres_url) as database:
        extra = {"HUB_DATABASE_URL": database, "HUB_SUPERVISION__FOLLOW_INTERVAL_S": str(FOLLOW_INTERVAL_S),
                 "HUB_SUPERVISION__FOLLOW_SETTLE_S": "0", "HUB_SECURITY__TRUSTED_DOCUMENTS": str(root / "trusted.json"),
                 "HUB_PROFILE": "production"}
        env = {**base_env(CODE), **extra}
        # the store as the departments' data would fill it: the catalogue, the vault, some earlier cases
        with (root / "prepare.log").open("w", encoding="utf-8") as log:
            for args in (["db", "upgrade"], ["seed", "--size", "small", "--out", "data/seed", "--cases", "10",
                                             "--no-progress"]):
                done = subprocess.run([sys.executable, "-m", "hub", *args], cwd=root, env=env, capture_output=True,
                                      text=True, timeout=600, check=False)
                log.write(done.stdout + done.stderr)
                assert done.returncode == 0, done.stdout + done.stderr
        running = start_trial(root, CODE, extra)
        try:
            yield running
        finally:
            running.stop()


def _sender(trial: Trial, tokens: dict[str, str]) -> Callable[[str, str, dict[str, Any]], dict[str, Any]]:
    def send(role: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(f"{trial.gateway}/graphql", json={"query": query, "variables": variables},
                            headers={"authorization": f"Bearer {tokens[role]}", "x-purpose-code": "CASE_HANDLING"},
                            timeout=60)
        body: dict[str, Any] = answer.json()
        assert answer.status_code == 200, (role, query[:60], body)
        assert not body.get("errors"), (role, query[:60], body)
        data: dict[str, Any] = body["data"]
        return data
    return send


def _until(probe: Callable[[], bool], *, within_s: float, step_s: float = 0.25) -> float | None:
    """Seconds until `probe()` held (bounded by `within_s`), or None."""
    started = time.monotonic()
    for _ in range(int(within_s / step_s) + 1):
        if probe():
            return time.monotonic() - started
        time.sleep(step_s)
    return None


def test_a_case_from_clue_to_published_decision_in_the_production_profile(trial: Trial) -> None:
    seed = trial.root / "data" / "seed"
    tokens = {"officer": trial.token("officer1"), "approver": trial.token("head1")}
    supervisor, auditor = trial.token("supervisor1"), trial.token("auditor1")
    officers = [json.loads(x) for x in (seed / "officers.jsonl").read_text(encoding="utf-8").splitlines() if x]
    import jwt

    me = jwt.decode(tokens["officer"], options={"verify_signature": False})
    partner = next(o["id"] for o in officers if o["body_uscc"] == me["body_uscc"] and o["id"] != me["sub"])
    who = production_case.cast(seed, (me["sub"], partner))

    published = production_case.drive_case(_sender(trial, tokens), who)
    case_id = published["id"]
    last_step = time.monotonic()

    # the follower raises the alert live: within 3 follow intervals of the last step (plus processing)
    def alerts() -> set[str]:
        answer = httpx.post(f"{trial.gateway}/graphql", json={"query": production_case.CASE_QUERY,
                                                               "variables": {"id": case_id}},
                            headers={"authorization": f"Bearer {supervisor}", "x-purpose-code": "SUPERVISION"},
                            timeout=30).json()
        assert not answer.get("errors"), answer
        return {a["ruleId"] for a in answer["data"]["penaltyCase"]["alerts"] or []}

    bound = 3 * FOLLOW_INTERVAL_S + PROCESSING_S
    took = _until(lambda: production_case.EXPECTED_RULE in alerts(), within_s=bound)
    assert took is not None, f"no {production_case.EXPECTED_RULE} alert within {bound:.0f} s: {alerts()}"
    assert time.monotonic() - last_step <= bound + 1

    # a full sweep finds it as well
    sweep = trial.hub("supervise", "sweep", "--json")
    assert sweep.returncode == 0, sweep.stderr[-3000:]
    report = json.loads(sweep.stdout)
    assert any(a.get("case_id") == case_id and a.get("rule") == production_case.EXPECTED_RULE
               for a in report["alerts"]), [a for a in report["alerts"] if a.get("case_id") == case_id]

    # the outbox delivers to both receivers, which store what they accepted
    doc_no = f"罚〔2026〕{case_id[:4]}号"

    def delivered() -> bool:
        centre = httpx.get(f"{trial.sim(6)}/api/exchange/v1/records", params={"type": "PENALTY_CASE", "limit": 500},
                           timeout=10).json()["data"]
        credit = httpx.get(f"{trial.sim(7)}/api/credit/v1/penalties", params={"status": "PUBLISHED", "limit": 500},
                           timeout=10).json()["data"]
        return any(r["key"] == case_id for r in centre) and any(r["CF_WSH"] == doc_no for r in credit)

    assert _until(delivered, within_s=90, step_s=1) is not None, "the outbox did not reach both receivers"

    # an auditor reads the access log through the gateway; an officer may not
    log = httpx.get(f"{trial.gateway}/audit/access-log", params={"limit": 50},
                    headers={"authorization": f"Bearer {auditor}"}, timeout=30)
    assert log.status_code == 200, log.text
    assert log.json()["records"]
    refused = httpx.get(f"{trial.gateway}/audit/access-log", headers={"authorization": f"Bearer {tokens['officer']}"},
                        timeout=30)
    assert refused.status_code == 403

    verify = trial.hub("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # no process wrote an ID number: neither the party's, nor any of the register's, nor anything shaped like one
    assert trial.stop() == 0
    texts = [trial.text(), *(p.read_text(encoding="utf-8", errors="replace")
                             for p in (trial.root / "data").rglob("*.log"))]
    numbers = {json.loads(x)["id_number"] for x in (seed / "persons.jsonl").read_text(encoding="utf-8").splitlines()
               if x.strip()}
    assert who.party["id_number"] in numbers
    after_start = trial.text().split("press Ctrl-C to stop", 1)[1]
    assert "step failed" not in after_start, "the supervision follower failed with everything up"
    for text in texts:
        for line in text.splitlines():
            assert not any(n in line for n in numbers), "an ID number in a log line"
            assert not [m for m in _ID_LIKE.findall(line) if is_valid_resident_id(m)], "an ID number in a log line"
