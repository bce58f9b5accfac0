"""Each department down or hanging in turn: one query across all of them keeps what does not need it.

Real processes on loopback ports, started as `hub up` starts them (`python -m hub sim|subgraph|gateway`):
the simulated departmental systems, the subgraphs and the gateway, on the small seed with a few
seeded cases. ONE query asks for a legal entity (market-regulation registry, SOAP) with its licences
(licensing database) and its legal representative (population system), a person by ID number with
their licences, an officer (personnel), and a case with its handling body (personnel) and its parties
(registry). Then, for each department in turn:

- down: its process stopped, its port closed (the licensing database: the file moved aside, which
  is what "down" means for a database other processes read); the personnel department's data is the
  hub's own store, so its subgraph process is stopped;
- hanging: the system accepts and never answers (`hang_rate = 1`; the licensing database is locked;
  the personnel subgraph process is paused with SIGSTOP).

Every field that does not need that department equals the healthy answer; the fields that need it
are null, each with an error at the client's path (aliases included) whose code is
SOURCE_UNAVAILABLE (a departmental system failed) or SUBGRAPH_UNAVAILABLE / SUBREQUEST_TIMEOUT (a
subgraph failed); no INTERNAL_SERVER_ERROR; the answer arrives within the configured bound (an HTTP
timeout, not a speed assertion). Then the department recovers and the full answer returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.support.servers import free_port_block

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
#: the sources' budget, the gateway's subgraph timeout, and the bound of one answer
SOURCE_TIMEOUT_S = 1.0
GATEWAY_TIMEOUT_S = 4.0
ANSWER_BOUND_S = 3 * GATEWAY_TIMEOUT_S + 5.0
BREAKER_TTL_S = 1.0
START_BOUND_S = 120.0  # shared machine: a bound, not a target
SIMULATORS = ("population", "legal_person", "licence", "national_credit", "certificates", "identity")
SUBGRAPHS = ("population", "legal_person", "licence", "personnel", "cases")
#: an officer (its body's cases and every registry), signed in with a token from the identity provider
USER = "officer1"
QUERY = """query AcrossDepartments($uscc: String!, $idNumber: String!, $officer: ID!, $case: ID!) {
  entity: legalEntity(uscc: $uscc) {
    uscc name status
    licences { certificateNo status }
    rep: legalRepresentative { name }
  }
  person: personByIdNumber(idNumber: $idNumber) { gender held: licences { certificateNo } }
  officer(id: $officer) { name status }
  case: penaltyCase(id: $case) { caseNo status body { uscc name } parties { partyType entity { name } } }
}"""


@dataclass
class Proc:
    """One part of the hub in its own process (started, stopped, paused by this test only)."""

    name: str
    args: list[str]
    env: dict[str, str]
    url: str
    log: Path
    cwd: Path
    process: subprocess.Popen[bytes] | None = None
    _out: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._out = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "hub", *self.args], cwd=self.cwd, env=self.env,
                                        stdout=self._out, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGCONT)  # a paused process cannot handle SIGTERM
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None
        if self._out is not None:
            self._out.close()

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        os.kill(self.process.pid, sig)

    def wait_healthy(self, deadline: float) -> None:
        with httpx.Client(timeout=5) as client:
            while True:
                assert self.process is not None
                assert self.process.poll() is None, f"{self.name} exited: {self.log.read_text(errors='replace')[-3000:]}"
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(self.url + "/health").status_code == 200:
                        return
                assert time.monotonic() < deadline, f"{self.name} not healthy in time"
                time.sleep(0.2)


@dataclass
class Hub:
    sims: dict[str, Proc]
    subgraphs: dict[str, Proc]
    gateway: Proc
    variables: dict[str, str]
    headers: dict[str, str]

    def ask(self) -> dict[str, Any]:
        response = httpx.post(self.gateway.url + "/graphql", json={"query": QUERY, "variables": self.variables},
                              headers=self.headers, timeout=ANSWER_BOUND_S)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def knobs(self, name: str, **values: object) -> None:
        response = httpx.put(f"{self.sims[name].url}/__admin/knobs", json=values, timeout=10)
        assert response.status_code == 200, response.text


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pick(seed: Path) -> dict[str, str]:
    """A city entity holding a licence whose representative the population system knows; a person
    holding a licence; an officer (from the seed files, not from the hub's answers)."""
    persons = {p["id_number"] for p in _jsonl(seed / "persons.jsonl")}
    licences = _jsonl(seed / "licences.jsonl")
    held = {lic["holder_uscc"] for lic in licences if lic.get("holder_uscc")}
    entity = next(e for e in _jsonl(seed / "entities.jsonl")
                  if e["in_city"] and e["uscc"] in held and e.get("legal_rep_id_number") in persons)
    person = next(lic["holder_id_number"] for lic in licences
                  if lic.get("holder_id_number") in persons and lic.get("holder_id_type") == "RESIDENT_ID")
    officer = _jsonl(seed / "officers.jsonl")[0]["id"]
    return {"uscc": entity["uscc"], "idNumber": person, "officer": officer}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, small_seed: Path) -> Iterator[Hub]:
    from hub.runner import migrate_store, plan_up
    from hub.settings import load_settings
    from simulators.registry import SIMULATORS as SIM_SPECS
    from subgraphs.cases.seed import seed_cases
    from subgraphs.registry import SUBGRAPHS as SUBGRAPH_SPECS

    tmp = tmp_path_factory.mktemp("each-department")
    data_dir = tmp / "data"
    data_dir.mkdir()
    os.symlink(small_seed, data_dir / "seed")
    n_sims, n_subgraphs = len(SIM_SPECS), len(SUBGRAPH_SPECS)
    base = free_port_block(n_sims + n_subgraphs + 1, seed=os.getpid() * 7 + 14)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATA_DIR=str(data_dir), HUB_SIMULATORS__BASE_PORT=str(base),
               HUB_SUBGRAPHS__BASE_PORT=str(base + n_sims), HUB_GATEWAY__PORT=str(base + n_sims + n_subgraphs),
               HUB_GATEWAY__SUBGRAPH_TIMEOUT_S=str(GATEWAY_TIMEOUT_S), HUB_SOURCES__TIMEOUT_S=str(SOURCE_TIMEOUT_S),
               HUB_SOURCES__BREAKER_THRESHOLD="3", HUB_SOURCES__BREAKER_TTL_S=str(BREAKER_TTL_S),
               HUB_SUPERVISION__FOLLOW_INTERVAL_S="0", HUB_OUTBOX__INTERVAL_S="0", HUB_LOG_LEVEL="WARNING",
               PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            if key.startswith("HUB_"):
                mp.setenv(key, value)
        settings = load_settings()
        plan = plan_up(settings, data_dir / "seed")
        migrate_store(settings)
        asyncio.run(seed_cases(settings.store_url, small_seed, seed=7, count=40,
                               id_hash_secret=settings.id_hash_secret.encode()))

    def proc(part: Any) -> Proc:
        return Proc(part.name, part.args, {**env, **part.env}, part.url, tmp / f"{part.kind[:3]}-{part.name}.log", tmp)

    sims = {p.name: proc(p) for p in plan.simulators if p.name in SIMULATORS}
    subgraphs = {p.name: proc(p) for p in plan.subgraphs if p.name in SUBGRAPHS}
    gateway = proc(plan.gateway)
    everything = [*sims.values(), *subgraphs.values(), gateway]
    try:
        deadline = time.monotonic() + START_BOUND_S
        for stage in (list(sims.values()), list(subgraphs.values()), [gateway]):
            for p in stage:
                p.start()
            for p in stage:
                p.wait_healthy(deadline)
        variables = _pick(small_seed)
        token = httpx.post(sims["identity"].url + "/oauth/token", timeout=30, data={
            "grant_type": "password", "username": USER, "password": f"{USER}-pass"}).json()["access_token"]
        headers = {"authorization": f"Bearer {token}", "x-purpose-code": "CASE_HANDLING"}
        cases = httpx.post(gateway.url + "/graphql", headers=headers, timeout=30, json={
            "query": "{ penaltyCases(first: 50) { items { id parties { partyType } } } }"}).json()
        items = cases["data"]["penaltyCases"]["items"]
        assert items, "the officer's body has seeded cases"
        # personal data needs a purpose bound to a case the officer holds: take the first such case
        # (one with an organisation among its parties when there is one)
        items.sort(key=lambda c: all(p["partyType"] == "PERSON" for p in c["parties"]))
        for case in items:
            bound = {**headers, "x-purpose-ref": f"case:{case['id']}"}
            probe = httpx.post(gateway.url + "/graphql", headers=bound, timeout=30, json={
                "query": "query($n: String!) { personByIdNumber(idNumber: $n) { gender } }",
                "variables": {"n": variables["idNumber"]}}).json()
            if "errors" not in probe:
                variables["case"], headers = case["id"], bound
                break
        assert "case" in variables, "no case binds the officer's purpose"
        yield Hub(sims, subgraphs, gateway, variables, headers)
    finally:
        for p in reversed(everything):
            p.stop()


# ------------------------------------------------------------------------- what needs whom

Path_ = tuple[str | int, ...]


def _entity_parties(healthy: dict[str, Any]) -> list[Path_]:
    return [("case", "parties", i, "entity") for i, p in enumerate(healthy["data"]["case"]["parties"])
            if p["entity"] is not None]


#: department -> the positions of the query that need it (each is null when it is down)
def needs(department: str, healthy: dict[str, Any]) -> list[Path_]:
    table: dict[str, list[Path_]] = {
        "population": [("person",), ("entity", "rep")],
        "legal_person": [("entity",), *_entity_parties(healthy)],
        "licence": [("entity", "licences"), ("person", "held")],
        "personnel": [("officer",), ("case", "body")],
        "national_credit": [],  # the query's entities are the city's: the national registry is not asked
    }
    return table[department]


def _at(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


def _without(data: Any, holes: list[Path_]) -> Any:
    """``data`` with the values at ``holes`` replaced by None (a copy)."""
    copy = json.loads(json.dumps(data))
    for hole in holes:
        parent = _at(copy, hole[:-1])
        parent[hole[-1]] = None
    return copy


def check_outage(body: dict[str, Any], healthy: dict[str, Any], department: str, codes: set[str]) -> None:
    holes = needs(department, healthy)
    # every field that does not need the department is as in the healthy answer; the others are null
    assert body["data"] == _without(healthy["data"], holes), json.dumps(body, ensure_ascii=False)[:4000]
    errors = body.get("errors", [])
    assert all("path" in e for e in errors), errors
    for hole in holes:
        at = [e for e in errors if tuple(e["path"][:len(hole)]) == hole]
        assert at, f"no error at the client's path {list(hole)}: {errors}"
        assert {e["extensions"]["code"] for e in at} <= codes, at
    for e in errors:  # no error elsewhere than where the department's fields are
        assert any(tuple(e["path"][:len(h)]) == h for h in holes), e
    assert "INTERNAL_SERVER_ERROR" not in {e["extensions"].get("code") for e in errors}


def recovered(hub: Hub, healthy: dict[str, Any], bound_s: float = 60.0) -> None:
    deadline = time.monotonic() + bound_s
    while True:
        body = hub.ask()
        if body == healthy:
            return
        assert time.monotonic() < deadline, f"no full answer after recovery: {body.get('errors')}"
        time.sleep(BREAKER_TTL_S / 2)


@pytest.fixture(scope="module")
def healthy(hub: Hub) -> dict[str, Any]:
    body = hub.ask()
    assert "errors" not in body, body
    data = body["data"]
    assert data["entity"]["uscc"] == hub.variables["uscc"]
    assert data["entity"]["name"]
    assert data["entity"]["licences"], "the entity holds a licence"
    assert data["entity"]["rep"]["name"]
    assert data["person"]["held"]
    assert data["officer"]["name"]
    assert data["case"]["body"]["name"]
    assert data["case"]["parties"]
    return body


SOURCE = {"SOURCE_UNAVAILABLE"}


@pytest.mark.parametrize("department", ["population", "legal_person", "national_credit"])
def test_a_stopped_departmental_system(hub: Hub, healthy: dict[str, Any], department: str) -> None:
    sim = hub.sims[department]
    sim.stop()
    try:
        for _ in range(2):  # the second one meets an open or a half-counted breaker: the same answer
            check_outage(hub.ask(), healthy, department, SOURCE)
    finally:
        sim.start()
        sim.wait_healthy(time.monotonic() + START_BOUND_S)
    recovered(hub, healthy)


@pytest.mark.parametrize("department", ["population", "legal_person", "licence", "national_credit"])
def test_a_hanging_departmental_system(hub: Hub, healthy: dict[str, Any], department: str) -> None:
    hub.knobs(department, hang_rate=1.0)
    try:
        if department == "licence":
            time.sleep(0.5)  # the simulator takes its lock within a few ticks
        for _ in range(4):  # past the breaker's threshold: the later answers come at once
            check_outage(hub.ask(), healthy, department, SOURCE)
    finally:
        hub.knobs(department, hang_rate=0.0)
    recovered(hub, healthy)


def test_the_licensing_database_down(hub: Hub, healthy: dict[str, Any]) -> None:
    hub.knobs("licence", down=True)
    try:
        _eventually(lambda: httpx.get(hub.sims["licence"].url + "/health", timeout=5).status_code == 503)
        check_outage(hub.ask(), healthy, "licence", SOURCE)
    finally:
        hub.knobs("licence", down=False)
    recovered(hub, healthy)


@pytest.mark.parametrize("how", ["stopped", "paused"])
def test_the_personnel_subgraph_down_or_hanging(hub: Hub, healthy: dict[str, Any], how: str) -> None:
    personnel = hub.subgraphs["personnel"]
    if how == "stopped":
        personnel.stop()
    else:
        personnel.signal(signal.SIGSTOP)
    try:
        code = "SUBGRAPH_UNAVAILABLE" if how == "stopped" else "SUBREQUEST_TIMEOUT"
        check_outage(hub.ask(), healthy, "personnel", {code})
    finally:
        if how == "stopped":
            personnel.start()
            personnel.wait_healthy(time.monotonic() + START_BOUND_S)
        else:
            personnel.signal(signal.SIGCONT)
    recovered(hub, healthy)


def _eventually(condition: Callable[[], bool], bound_s: float = 15.0) -> None:
    deadline = time.monotonic() + bound_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
