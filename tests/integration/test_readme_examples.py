"""The README's examples, run as written on the data the README says they assume.

The hub is started as the README says (`make run DATA=ground-truth` is `hub up --data ground-truth`), on
free ports; every shell and GraphQL example is run in README order (the walkthrough's sweep before its
questions) with the README's default ports moved to the test's. Each must answer data without errors,
no root field null or empty, and hold the answer the README shows after it. The format of the examples
and the skip marker are in `tests/integration/readme_examples.py`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.readme_examples import (
    Example,
    answer_problems,
    extract,
    local_ports,
    mismatches,
    operations,
)
from tests.support.servers import free_port_block

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
STARTUP_BUDGET_S = 240.0  # a bound, not a target: seeding and fifteen processes on a shared machine
BIND_ATTEMPTS = 3


def test_every_readme_block_is_run_or_marked() -> None:
    found = extract(README)
    assert not found.problems, "\n".join(found.problems)
    assert len(found.runnable) >= 10, [e.where for e in found.runnable]
    assert all(e.skip and e.skip.strip() for e in found.skipped)


def test_a_broken_example_is_caught() -> None:
    """The checks themselves: an answer that differs from the README's, a null, an unmarked block."""
    shown = {"data": {"penaltyCase": {"caseNo": "1", "alerts": [{"ruleId": "S05"}, "…"]}}}
    assert not mismatches(shown, {"data": {"penaltyCase": {"caseNo": "1", "x": 2,
                                                            "alerts": [{"ruleId": "S01"}, {"ruleId": "S05"}]}}})
    assert mismatches(shown, {"data": {"penaltyCase": {"caseNo": "2", "alerts": [{"ruleId": "S05"}]}}})
    assert mismatches(shown, {"data": {"penaltyCase": {"caseNo": "1", "alerts": [{"ruleId": "S01"}]}}})
    assert mismatches({"a": [1, 2]}, {"a": [1, 2, 3]})  # no "…": exactly the items shown
    assert answer_problems({"data": {"penaltyCase": None}})
    assert answer_problems({"data": {"x": {"total": 0, "items": []}}})
    assert answer_problems({"errors": [{"message": "boom"}], "data": {"x": 1}})
    assert not answer_problems({"data": {"x": {"total": 1, "items": [{}]}}})
    broken = extract("text\n\n```toml\nx = 1\n```\n\n```json\n{}\n```\n")
    assert len(broken.problems) == 2  # an unmarked toml block; a json answer with nothing to answer
    ops = operations('query($id: ID!) { a(id: $id) }   # variables: {"id": "7"}\n{ b }')
    assert [(o.variables, o.needs_variables) for o in ops] == [({"id": "7"}, True), (None, False)]
    assert local_ports("http://127.0.0.1:4000/g http://127.0.0.1:4106/t http://127.0.0.1:4006/s",
                       gateway=9000, subgraphs=9100, simulators=9200) == \
        "http://127.0.0.1:9000/g http://127.0.0.1:9205/t http://127.0.0.1:9105/s"


@dataclass(frozen=True)
class Hub:
    cwd: Path
    env: dict[str, str]
    gateway: int
    subgraphs: int
    simulators: int

    def local(self, text: str) -> str:
        return local_ports(text, gateway=self.gateway, subgraphs=self.subgraphs, simulators=self.simulators)


@pytest.fixture(scope="module")
def walkthrough_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """`hub up --data ground-truth` in a fresh directory (what `make run DATA=ground-truth` runs)."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    work = tmp_path_factory.mktemp("readme")
    bin_dir = work / "bin"  # `hub` on PATH, as `.venv/bin` is for the README's reader
    bin_dir.mkdir()
    (bin_dir / "hub").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hub "$@"\n', encoding="utf-8")
    (bin_dir / "hub").chmod(0o755)
    n_sims, n_subgraphs = len(SIMULATORS), len(SUBGRAPHS)
    for attempt in range(BIND_ATTEMPTS):
        cwd = work / f"hub-{attempt}"
        cwd.mkdir()
        base = free_port_block(n_sims + n_subgraphs + 2, seed=os.getpid() * 10 + attempt + 3)
        ports = {"HUB_SIMULATORS__BASE_PORT": str(base), "HUB_SUBGRAPHS__BASE_PORT": str(base + n_sims),
                 "HUB_GATEWAY__PORT": str(base + n_sims + n_subgraphs),
                 "HUB_WEB__PORT": str(base + n_sims + n_subgraphs + 1)}
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(ports, PYTHONPATH=str(ROOT), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
                   PYTHONUNBUFFERED="1", COLUMNS="200")
        proc = subprocess.Popen([sys.executable, "-m", "hub", "up", "--data", "ground-truth"], cwd=cwd, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        output: list[str] = []
        started = time.monotonic()
        ready = False
        while time.monotonic() - started < STARTUP_BUDGET_S:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "press Ctrl-C to stop" in line:
                ready = True
                break
        if ready:
            try:
                yield Hub(cwd, env, base + n_sims + n_subgraphs, base + n_sims, base)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.communicate(timeout=60)
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
        text = "".join(output) + rest
        assert "address already in use" in text, text  # only a lost race for a port is tried again
    raise AssertionError(f"every one of {BIND_ATTEMPTS} port blocks was taken while hub up started")


def _run_shell(example: Example, hub: Hub) -> tuple[list[str], object]:
    script = hub.local(example.text)
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=hub.cwd, env=hub.env,
                            capture_output=True, text=True, timeout=600, check=False)
    said = result.stdout + result.stderr
    if result.returncode != 0 or "Traceback" in said:
        return [f"exit {result.returncode}: {said.strip()[-800:]}"], None
    out = result.stdout.strip()
    if not out.startswith("{"):
        return ([] if out else ["printed nothing"]), None
    try:
        answer = json.loads(out)
    except ValueError as exc:
        return [f"printed something that is not JSON ({exc}): {out[:300]}"], None
    return answer_problems(answer), answer


def _run_graphql(example: Example, hub: Hub) -> tuple[list[str], object]:
    problems: list[str] = []
    answer: object = None
    ops = operations(example.text)
    if example.has_expected and len(ops) != 1:
        return ["a json answer follows a block of several operations"], None
    with httpx.Client(timeout=120) as client:
        for op in ops:
            if op.needs_variables and op.variables is None:
                problems.append(f"{op.text[:60]}…: declares variables but gives none (# variables: {{...}})")
                continue
            answer = client.post(f"http://127.0.0.1:{hub.gateway}/graphql",
                                 json={"query": op.text, "variables": op.variables}).json()
            problems += [f"{op.text[:60]}…: {p}" for p in answer_problems(answer)]
    return problems, answer


@pytest.mark.slow
def test_readme_examples_run_as_written(walkthrough_hub: Hub) -> None:
    found = extract(README)
    assert not found.problems, "\n".join(found.problems)
    failures: list[str] = []
    for example in found.runnable:
        runner = _run_shell if example.kind == "sh" else _run_graphql
        problems, answer = runner(example, walkthrough_hub)
        if not problems and example.has_expected:
            problems = mismatches(example.expected, answer)
        failures += [f"{example.where}: {p}" for p in problems]
    print(f"README examples: {len(found.runnable)} run, {len(found.skipped)} skipped ("
          + "; ".join(f"{e.where}: {e.skip}" for e in found.skipped) + ")")
    assert not failures, "\n".join(failures)
