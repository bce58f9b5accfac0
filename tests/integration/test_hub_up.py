"""`hub up` (what `make run` starts) brings every part up over real HTTP and stops cleanly.

One `hub up` serves the module (the tests run in file order, the last one stops it), started as a new
user would meet it at its narrowest: 40 columns, its output a pipe, and traces exported to a real
OTLP/HTTP receiver in this process.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.otlp import ReceivedSpan, TraceReceiver
from tests.support.servers import free_port_block, serve

pytestmark = pytest.mark.slow

STARTUP_BUDGET_S = 120.0  # a timeout, not a speed target: two test workers share two cores


BIND_ATTEMPTS = 3


def _start_hub(tmp_path: Path, data_dir: Path, n_ports: int, n_sims: int, n_subgraphs: int,
               extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], list[str], int, int]:
    """Start `hub up` on a block of free ports; on a lost race for a port (another process bound it between
    the check and the bind) stop it and try another block. Returns the process, its output so far, the
    simulators' base port and the gateway port."""
    for attempt in range(BIND_ATTEMPTS):
        base = free_port_block(n_ports, seed=os.getpid() * 10 + attempt)
        gateway_port = base + n_sims + n_subgraphs
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_DATA_DIR=str(data_dir), HUB_SIMULATORS__BASE_PORT=str(base),
                   HUB_SUBGRAPHS__BASE_PORT=str(base + n_sims), HUB_GATEWAY__PORT=str(gateway_port),
                   HUB_WEB__PORT=str(gateway_port + 1),
                   HUB_SUPERVISION__FOLLOW_INTERVAL_S="1", HUB_SUPERVISION__FOLLOW_SETTLE_S="0",
                   PYTHONUNBUFFERED="1", COLUMNS="200")
        env.update(extra_env or {})
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "hub", "up"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        output: list[str] = []
        while time.monotonic() - started < STARTUP_BUDGET_S:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "press Ctrl-C to stop" in line:
                return proc, output, base, gateway_port
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
        output.append(rest)
        text = "".join(output)
        # `hub up` names the failure (with the end of the part's log) and stops everything it started;
        # only a lost bind race is retried
        assert "address already in use" in text, text
    raise AssertionError(f"every one of {BIND_ATTEMPTS} port blocks was taken while hub up started")


def _eventually(count: Callable[[httpx.Client], int], *, attempts: int = 60) -> int:
    """Ask `count` once a second until it is above zero; the last answer (bounded: `attempts` seconds)."""
    total = 0
    with httpx.Client(timeout=10) as client:
        for _ in range(attempts):
            total = count(client)
            if total:
                break
            time.sleep(1)
    return total



@dataclass
class HubRun:
    proc: subprocess.Popen[str]
    output: list[str]
    base: int
    gateway_port: int
    data_dir: Path
    cwd: Path
    receiver: TraceReceiver
    env: dict[str, str]

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def sim(self, name: str) -> str:
        from simulators.registry import SIMULATORS

        return f"http://127.0.0.1:{self.base + SIMULATORS[name].port_offset}"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, small_seed: Path) -> Iterator[HubRun]:
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    tmp_path = tmp_path_factory.mktemp("hub-up")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # Reuse the session's seeded data so the test measures start-up, not generation.
    os.symlink(small_seed, data_dir / "seed")
    receiver = TraceReceiver()
    n_sims, n_subgraphs = len(SIMULATORS), len(SUBGRAPHS)
    with serve(receiver.app()) as collector:
        # narrow and piped (stdout is a pipe here); every part exports its spans to the receiver at once
        extra = {"COLUMNS": "40", "HUB_TELEMETRY__OTLP_ENDPOINT": collector, "OTEL_BSP_SCHEDULE_DELAY": "200"}
        proc, output, base, gateway_port = _start_hub(tmp_path, data_dir, n_sims + n_subgraphs + 2, n_sims,
                                                      n_subgraphs, extra)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env["HUB_DATA_DIR"] = str(data_dir)
        run = HubRun(proc, output, base, gateway_port, data_dir, tmp_path, receiver, env)
        try:
            yield run
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.communicate(timeout=30)


def test_hub_up_starts_every_part_and_serves_the_seeded_data(hub: HubRun) -> None:
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    text = "".join(hub.output)
    assert "press Ctrl-C to stop" in text, text
    urls = sorted(set(re.findall(r"http://127\.0\.0\.1:(\d+)", text)))
    # simulated systems, subgraphs, the gateway and the web console
    assert len(urls) == len(SIMULATORS) + len(SUBGRAPHS) + 2, text
    with httpx.Client(timeout=10) as client:
        for port in urls:
            assert client.get(f"http://127.0.0.1:{port}/health").status_code == 200, port
        # one query through the gateway reaches the personnel subgraph and its seeded data
        answer = client.post(f"{hub.gateway}/graphql", json={
            "query": '{ searchEnforcementBodies(level: "CITY", first: 3) { items { name level } } }'}).json()
        assert "errors" not in answer, answer
        items = answer["data"]["searchEnforcementBodies"]["items"]
        assert len(items) == 3
        assert all(i["level"] == "CITY" for i in items)

    # the demo cases are seeded in the background; the supervision subgraph follows their events and
    # raises alerts without any sweep (facts through the gateway)
    def alerts(client: httpx.Client) -> int:
        answer = client.post(f"{hub.gateway}/graphql",
                             json={"query": "{ supervisionAlerts(first: 1) { total } }"}).json()
        assert "errors" not in answer, answer
        return int(answer["data"]["supervisionAlerts"]["total"])

    assert _eventually(alerts, attempts=120) > 0, "no alert from the follower"
    # ... and the cases subgraph delivers their outbound messages to the simulated data centre
    received = _eventually(lambda client: int(client.get(f"{hub.sim('data_centre')}/api/exchange/v1/records",
                                                         params={"type": "PENALTY_CASE", "limit": 1}).json()["total"]))
    assert received > 0, "no case reached the data centre"
    # ... and the demo decisions that were published reach the 双公示 credit platform
    published = _eventually(lambda client: int(client.get(f"{hub.sim('credit_publicity')}/api/credit/v1/penalties",
                                                          params={"status": "PUBLISHED", "limit": 1}).json()["total"]))
    assert published > 0, "no published decision reached the credit platform"


def _parts() -> list[tuple[str, str]]:
    """(log name, role) of every part `hub up` starts."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    return [("gateway", "gateway"), *((n, "subgraph") for n in SUBGRAPHS), *((f"sim-{n}", "sim") for n in SIMULATORS)]


def test_the_terminal_shows_a_status_table_with_whole_urls_at_40_columns_through_a_pipe(hub: HubRun) -> None:
    lines = "".join(hub.output).splitlines()
    header = next(i for i, line in enumerate(lines) if line.split() == ["part", "state", "URL"])
    rows = {line.split()[0]: line.split() for line in lines[header + 1:header + 1 + len(_parts())]}
    assert set(rows) == {name for name, _ in _parts()}, lines
    for row in rows.values():
        assert row[1] == "up", row
        assert re.fullmatch(r"http://127\.0\.0\.1:\d{4,5}", row[2]), row  # whole, never cut to 127.0.0.1…
    assert rows["gateway"][2] == hub.gateway
    assert "…" not in "".join(hub.output)
    # the parts' own output goes to their log files, not here
    terminal = "".join(hub.output)
    for noise in ("Uvicorn running", "Started server process", "Application startup", "INFO", "step failed"):
        assert noise not in terminal, terminal


def test_each_part_writes_its_own_output_to_its_own_log_file(hub: HubRun) -> None:
    logs = hub.data_dir / "logs"
    ports = {row.split()[0]: row.split()[2].rsplit(":", 1)[1]
             for row in "".join(hub.output).splitlines() if row.startswith(tuple(n + " " for n, _ in _parts()))}
    for name, _role in _parts():
        text = (logs / f"{name}.log").read_text(encoding="utf-8")
        assert text.startswith(f"--- hub up: {name} started "), text[:200]
        # its own server's start line (and no other part's)
        running = re.findall(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", text)
        assert running == [ports[name]], (name, running)
    # the follower waited for the gateway quietly (or never had to): no failure line on a normal start
    assert "step failed" not in (logs / "supervision.log").read_text(encoding="utf-8")


def test_hub_logs_prints_the_last_lines_of_one_part(hub: HubRun) -> None:
    done = subprocess.run([sys.executable, "-m", "hub", "logs", "gateway", "--no-follow", "--lines", "5"],
                          cwd=hub.cwd, env=hub.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    shown = done.stdout.splitlines()
    assert len(shown) == 5, shown
    file_lines = (hub.data_dir / "logs" / "gateway.log").read_text(encoding="utf-8").splitlines()
    start = file_lines.index(shown[0])
    assert file_lines[start:start + 5] == shown  # five consecutive lines of the gateway's own file
    unknown = subprocess.run([sys.executable, "-m", "hub", "logs", "gatway", "--no-follow"],
                             cwd=hub.cwd, env=hub.env, capture_output=True, text=True, timeout=60)
    assert unknown.returncode != 0
    assert "unknown part 'gatway'" in unknown.stderr
    assert "gateway" in unknown.stderr.split(":", 1)[1]
    assert "sim-population" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def _licences(seed: Path) -> tuple[str, str, str]:
    """A licence held by a person (and that person's ID number), and one held by an entity."""
    person = entity = None
    with (seed / "licences.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["holder_kind"] == "PERSON" and row["holder_id_number"] and person is None:
                person = (row["id"], row["holder_id_number"])
            if row["holder_kind"] == "ENTITY" and row["holder_uscc"] and entity is None:
                entity = row["id"]
            if person and entity:
                return person[0], person[1], entity
    raise AssertionError("the seed has no licence held by a person and one held by an entity")


def _seeded_id_numbers(seed: Path) -> set[str]:
    with (seed / "persons.jsonl").open(encoding="utf-8") as fh:
        return {json.loads(line)["id_number"] for line in fh}


def _values(value: object) -> Iterator[str]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _values(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    else:
        yield str(value)


def test_one_trace_spans_gateway_subgraphs_adapters_and_the_departments_systems(hub: HubRun) -> None:
    seed = hub.data_dir / "seed"
    person_licence, id_number, entity_licence = _licences(seed)
    query = ("query Holders($ids: [ID!]!) { licences(ids: $ids) { id holderPerson { name idNumber } "
             "holderEntity { name } } }")
    with httpx.Client(timeout=30) as client:
        answer = client.post(f"{hub.gateway}/graphql", headers={"x-request-id": "trace-test-1"},
                             json={"query": query, "variables": {"ids": [person_licence, entity_licence]}})
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-request-id"] == "trace-test-1"
        body = answer.json()
        assert "errors" not in body, body
        assert {row["id"] for row in body["data"]["licences"]} == {person_licence, entity_licence}

        def request_span() -> list[ReceivedSpan]:
            return [s for s in hub.receiver.received() if s.service == "gateway" and s.name == "POST /graphql"
                    and s.attributes.get("graphql.operation.name") == "Holders"]

        deadline = time.monotonic() + 60  # spans are exported every 200 ms; bounded wait
        while not request_span() and time.monotonic() < deadline:
            time.sleep(0.2)
        (root,) = request_span()
        expected = {("gateway", "plan"), ("gateway", "fetch licence"), ("gateway", "fetch population"),
                    ("licence", "POST /graphql"), ("licence", "graphql operation"),
                    ("licence", "licence database read"), ("population", "POST /graphql"),
                    ("population", "graphql operation"), ("population", "population POST")}

        def in_trace() -> list[ReceivedSpan]:
            return [s for s in hub.receiver.received() if s.trace_id == root.trace_id]

        while not expected <= {(s.service, s.name) for s in in_trace()} and time.monotonic() < deadline:
            time.sleep(0.2)
        spans = in_trace()
        assert expected <= {(s.service, s.name) for s in spans}, sorted({(s.service, s.name) for s in spans})
        by_id = {s.span_id: s for s in spans}
        # each subgraph's request hangs under the gateway's fetch of it
        for service in ("licence", "population"):
            server = next(s for s in spans if (s.service, s.name) == (service, "POST /graphql"))
            assert by_id[server.parent_span_id].name == f"fetch {service}"
        # the population system received the adapter's span as its caller, over real HTTP
        adapter = next(s for s in spans if (s.service, s.name) == ("population", "population POST"))
        received = client.get(f"{hub.sim('population')}/__admin/traceparents").json()["received"]
        assert (root.trace_id, adapter.span_id) in [tuple(t.split("-")[1:3]) for t in received], received
        # the entity holder came from the market-regulation registry (SOAP) within the same trace
        registry = [t for t in client.get(f"{hub.sim('legal_person')}/__admin/traceparents").json()["received"]
                    if t.split("-")[1] == root.trace_id]
        assert registry, "the SOAP registry received no traceparent of this trace"
    # no span attribute of any part holds an ID number (this query's, or any seeded one)
    seeded = _seeded_id_numbers(seed)
    assert id_number in seeded
    values = [v for s in hub.receiver.received() for v in _values(s.attributes)]
    assert not [v for v in values if any(run in seeded for run in re.findall(r"\d{17}[\dX]", v))], values[:50]
    assert not any(id_number in v for v in values)


def test_hub_up_stops_every_part_cleanly(hub: HubRun) -> None:
    urls = sorted(set(re.findall(r"http://127\.0\.0\.1:(\d+)", "".join(hub.output))))
    hub.proc.send_signal(signal.SIGTERM)
    rest, _ = hub.proc.communicate(timeout=30)
    assert hub.proc.returncode == 0, "".join(hub.output) + rest
    assert "stopped" in rest
    assert "step failed" not in rest
    # nothing listens any more (connections are refused on every port)
    for port in urls:
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", int(port)))
