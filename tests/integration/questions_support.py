"""A store seeded by `hub seed --size medium`, swept by `hub supervise sweep`, served by the real stack."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.stack import Stack, running_stack
from tests.support.db import fresh_postgres_database

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


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the test server for the duration of the block (created and dropped on a
    loop of its own, so the stack's servers are free to run theirs)."""
    ready: dict[str, Any] = {}
    done = threading.Event()
    created = threading.Event()

    def own_loop() -> None:
        async def run() -> None:
            try:
                async with fresh_postgres_database(server_url) as url:
                    ready["url"] = url
                    created.set()
                    await asyncio.to_thread(done.wait)
            except BaseException as exc:  # reported to the test below
                ready["error"] = exc
                created.set()
        asyncio.run(run())

    worker = threading.Thread(target=own_loop, daemon=True)
    worker.start()
    created.wait(120)
    try:
        if "error" in ready:
            raise ready["error"]
        yield ready["url"]
    finally:
        done.set()
        worker.join(60)


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
        async_url = url.replace("sqlite://", "sqlite+aiosqlite://", 1).replace("postgresql://", "postgresql+asyncpg://", 1)
        swept = _hub("supervise", "sweep", "--json", "--as-of", truth["as_of"], cwd=work,
                     env={**env, "HUB_DATABASE_URL": async_url, "HUB_GATEWAY__PORT": stack.gateway.rsplit(":", 1)[1]})
        assert swept.returncode == 0, swept.stderr
        yield stack, Seeded(url, work / "seed", truth)
