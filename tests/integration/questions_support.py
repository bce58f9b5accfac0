"""A store seeded by `hub seed --size medium`, swept by `hub supervise sweep`, served by the real stack."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from subgraphs.common.db import to_async_url
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.stack import Stack, running_stack
from tests.support.db import postgres_database

OPERATIONS = Path(__file__).resolve().parents[2] / "schema" / "operations"


def operation(name: str) -> str:
    """A registered operation (schema/operations/<name>.graphql), as a front-end sends it."""
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8").strip()  # the registered text


@dataclass(frozen=True)
class Seeded:
    url: str  # the store, as the hub's commands take it (sqlite:/// or postgresql://)
    seed: Path  # the generated departmental files
    truth: dict[str, Any]  # the seed's ground_truth.json


def _hub(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True, timeout=900,
                          check=False, env={**os.environ, **env}, cwd=cwd)


def async_url(url: str) -> str:
    """The store URL with its async driver, as the hub's commands and engines take it."""
    return to_async_url(url).render_as_string(hide_password=False)


def quarter_of(day: date) -> tuple[date, date]:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def busiest_county_quarter(decided: Iterable[tuple[str, date]]) -> tuple[str, date, date]:
    """Question (a)'s parameters: the county (a 6-digit code not ending in 00) and the quarter with the
    most decisions, from (region code, decision day) pairs."""
    counts = Counter((region[:6], quarter_of(day)) for region, day in decided if not region[:6].endswith("00"))
    (county, (start, end)), _n = counts.most_common(1)[0]
    return county, start, end


@contextlib.contextmanager
def seeded_stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[Stack, Seeded]]:
    """The pytest side: `request.param` names the backend (sqlite, or postgresql on the test server)."""
    backend = request.param
    work = tmp_path_factory.mktemp(f"questions-{backend}")
    with contextlib.ExitStack() as resources:
        if backend == "postgresql":
            url = resources.enter_context(postgres_database(request.getfixturevalue("postgres_url")))
        else:
            url = f"sqlite:///{work / 'hub.db'}"
        yield resources.enter_context(serve_seeded(work, url))


@contextlib.contextmanager
def serve_seeded(work: Path, url: str, *, size: str = "medium") -> Iterator[tuple[Stack, Seeded]]:
    """Seed the empty store at `url` with `hub seed --size <size>`, serve it, sweep it; yield the stack."""
    env = {"HUB_ID_HASH_SECRET": SECRET.decode(), "HUB_DATA_DIR": str(work)}
    seeded = _hub("seed", "--size", size, "--out", str(work / "seed"), "--store", url, "--no-progress",
                  env=env, cwd=work)
    assert seeded.returncode == 0, seeded.stderr
    truth = json.loads((work / "seed" / "ground_truth.json").read_text(encoding="utf-8"))
    with running_stack(work / "seed", work, url, SECRET, licences=True) as stack:
        swept = _hub("supervise", "sweep", "--json", "--as-of", truth["as_of"], cwd=work,
                     env={**env, "HUB_DATABASE_URL": async_url(url), "HUB_GATEWAY__PORT": stack.gateway.rsplit(":", 1)[1]})
        assert swept.returncode == 0, swept.stderr
        yield stack, Seeded(url, work / "seed", truth)
