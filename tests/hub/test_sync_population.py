"""`hub sync population` over real HTTP: a stopped run resumes, a finished one has every valid person in
the vault (revealed by hash), and a population system that is down gets a clear message and exit 1."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from domain.sm import id_number_hash
from simulators.base import SimConfig
from simulators.population.app import create_app as create_population_system
from subgraphs.common.db import create_engine
from subgraphs.common.vault import PseudonymVault
from tests.support.servers import free_port, serve

SECRET = "sync-test-pepper"
KEY = "sync-test-key"


def _hub(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True, timeout=300,
                          check=False, env={**clean, **env}, cwd=cwd)


async def _revealed(url: str, hashes: list[str]) -> int:
    engine = create_engine(url)
    try:
        return len(await PseudonymVault(engine, SECRET.encode()).reveal(hashes))
    finally:
        await engine.dispose()


def test_sync_resumes_and_fills_the_vault(small_seed: Path, tmp_path: Path) -> None:
    persons = [json.loads(x) for x in (small_seed / "persons.jsonl").read_text(encoding="utf-8").splitlines() if x]
    hashes = [id_number_hash(SECRET.encode(), p["id_type"], p["id_number"]) for p in persons]
    env = {"HUB_DATA_DIR": str(tmp_path), "HUB_ID_HASH_SECRET": SECRET, "HUB_SIMULATORS__POPULATION_API_KEY": KEY}
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    assert _hub(["db", "upgrade"], env, tmp_path).returncode == 0  # the command fills an existing store
    with serve(create_population_system(SimConfig(data_dir=small_seed, credentials={"api_key": KEY}))) as base:
        env["HUB_SIMULATORS__BASE_PORT"] = base.rsplit(":", 1)[1]  # the population system's offset is 0
        first = _hub(["sync", "population", "--max-pages", "2", "--page-size", "100"], env, tmp_path)
        assert first.returncode == 0, first.stderr
        assert "stopped early" in first.stdout
        partly = asyncio.run(_revealed(url, hashes))
        assert 0 < partly <= 200
        rest = _hub(["sync", "population", "--page-size", "100"], env, tmp_path)
        assert rest.returncode == 0, rest.stderr
        assert "complete" in rest.stdout
    done = asyncio.run(_revealed(url, hashes))
    malformed = int(first.stdout.split(" malformed")[0].rsplit(" ", 1)[1]) + \
        int(rest.stdout.split(" malformed")[0].rsplit(" ", 1)[1])
    assert done == len(persons) - malformed  # every valid person, once; the resumed run re-read nothing
    assert done > partly


def test_population_down_is_a_clear_error(tmp_path: Path) -> None:
    env = {"HUB_DATA_DIR": str(tmp_path), "HUB_ID_HASH_SECRET": SECRET, "HUB_SIMULATORS__POPULATION_API_KEY": KEY,
           "HUB_SIMULATORS__BASE_PORT": str(free_port())}
    assert _hub(["db", "upgrade"], env, tmp_path).returncode == 0
    result = _hub(["sync", "population", "--max-pages", "1"], env, tmp_path)
    assert result.returncode == 1
    assert "population system:" in result.stderr
    assert "resumes" in result.stderr
    bad = _hub(["sync", "population", "--page-size", "0"], env, tmp_path)
    assert bad.returncode == 2
    assert "--page-size must be between 1 and 1000" in bad.stderr
