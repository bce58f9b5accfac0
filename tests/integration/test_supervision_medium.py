"""Acceptance of the supervision platform on the medium data set, as a user runs it.

`hub seed --size medium` (a subprocess) writes the generated files, 2,000 ground-truth cases into a
fresh store and `ground_truth.json`; the stack (population and certificate systems, the personnel,
population, cases and supervision subgraphs, the gateway) serves that store over real HTTP; then
`hub supervise sweep --json` (a subprocess, facts through the gateway) must find exactly the
injected violations: precision and recall 1.0 for each of the 40 rule ids, nothing on a near miss.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.stack import running_stack

ALL_RULES = {f"S{n:02d}" for n in range(1, 35)} | {"S07b", "S08b", "S11b", "S19b", "S21b", "S24b"}

pytestmark = pytest.mark.slow


def _hub(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True, timeout=900,
                          check=False, env={**os.environ, **env}, cwd=cwd)


def _key(alert: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(alert.items()))


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    work = tmp_path_factory.mktemp("supervision-medium")
    url = f"sqlite:///{work / 'hub.db'}"
    env = {"HUB_ID_HASH_SECRET": SECRET.decode(), "HUB_DATA_DIR": str(work)}
    seeded = _hub("seed", "--size", "medium", "--out", str(work / "seed"), "--store", url, "--no-progress",
                  env=env, cwd=work)
    assert seeded.returncode == 0, seeded.stderr
    assert "building 2,000 cases" in seeded.stderr
    assert "injected violations over 40 rules" in seeded.stdout, seeded.stdout
    truth: dict[str, Any] = json.loads((work / "seed" / "ground_truth.json").read_text(encoding="utf-8"))
    return work, url, truth


def test_medium_sweep_finds_exactly_the_injected_violations(medium: tuple[Path, str, dict[str, Any]]) -> None:
    work, url, truth = medium
    assert {a["rule"] for a in truth["alerts"]} == ALL_RULES
    with running_stack(work / "seed", work, url, SECRET) as stack:
        port = stack.gateway.rsplit(":", 1)[1]
        swept = _hub("supervise", "sweep", "--json", "--as-of", truth["as_of"], cwd=work,
                     env={"HUB_ID_HASH_SECRET": SECRET.decode(), "HUB_DATA_DIR": str(work),
                          "HUB_DATABASE_URL": url.replace("sqlite://", "sqlite+aiosqlite://"),
                          "HUB_GATEWAY__PORT": port})
    assert swept.returncode == 0, swept.stderr
    report = json.loads(swept.stdout)
    got = {_key(a) for a in report["alerts"]}
    want = {_key(a) for a in truth["alerts"]}
    by_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for k in got:
        by_rule[dict(k)["rule"]]["tp" if k in want else "fp"] += 1
    for k in want - got:
        by_rule[dict(k)["rule"]]["fn"] += 1
    assert set(by_rule) == ALL_RULES
    imperfect = {rule: c for rule, c in by_rule.items() if c["fp"] or c["fn"]}
    assert not imperfect, imperfect  # precision and recall 1.0 for every rule
    near = {n["case_id"] for n in truth["near_misses"]}
    assert not [a for a in report["alerts"] if a.get("case_id") in near]
    assert report["cases"] > 2_000
    assert 0 < report["gateway_requests"] <= 16, "facts are fetched in batches, never per case"
