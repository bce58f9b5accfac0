"""The `hub` command: every command it lists works, and bad input gets a clear message."""

from __future__ import annotations

import filecmp
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def hub(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False)


def _listed_commands() -> list[str]:
    out = hub("--help").stdout
    return re.findall(r"^│ (\w+)\s", out, flags=re.MULTILINE)


def test_help_lists_the_working_commands() -> None:
    """The listing comes from the installed command; each listed command's help is asked of the same
    application in this process (a process per command only repeated the imports)."""
    from typer.testing import CliRunner

    from hub.cli import app

    commands = _listed_commands()
    assert {"seed", "sim", "up", "db"} <= set(commands)
    runner = CliRunner()
    for name in commands:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.output, (name, result.output)


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


@pytest.mark.slow
def test_seed_is_deterministic_across_runs(tmp_path: Path) -> None:
    for out in ("A", "B", "C"):
        seed = "8" if out == "C" else "7"
        result = hub("seed", "--size", "small", "--seed", seed, "--out", str(tmp_path / out), "--cases", "60",
                     "--store", f"sqlite:///{tmp_path / (out + '.db')}")
        assert result.returncode == 0, result.stderr
        assert (tmp_path / out / "ground_truth.json").is_file()
    assert _same_tree(tmp_path / "A", tmp_path / "B")  # the ground truth included
    assert not _same_tree(tmp_path / "A", tmp_path / "C")


def test_seed_refuses_a_store_that_holds_cases_and_changes_nothing(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'hub.db'}"
    first = hub("seed", "--size", "small", "--out", str(tmp_path / "seed"), "--cases", "45", "--store", store)
    assert first.returncode == 0, first.stderr
    assert "injected violations over 40 rules" in first.stdout
    truth = (tmp_path / "seed" / "ground_truth.json").read_bytes()
    again = hub("seed", "--size", "small", "--seed", "9", "--out", str(tmp_path / "seed"), "--cases", "45",
                "--store", store)
    assert again.returncode == 2
    assert "the store already holds" in again.stderr
    assert "--cases 0" in again.stderr
    assert (tmp_path / "seed" / "ground_truth.json").read_bytes() == truth
    files_only = hub("seed", "--size", "small", "--out", str(tmp_path / "files"), "--cases", "0", "--store", store)
    assert files_only.returncode == 0, files_only.stderr
    assert (tmp_path / "files" / "manifest.json").is_file()
    assert not (tmp_path / "files" / "ground_truth.json").exists()
    bad = hub("seed", "--cases", "-1", "--out", str(tmp_path / "y"))
    assert bad.returncode == 2
    assert "--cases must be 0 or more" in bad.stderr


def test_seed_rejects_unknown_size(tmp_path: Path) -> None:
    result = hub("seed", "--size", "huge", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "--size must be one of small, medium, large" in result.stderr
    assert not (tmp_path / "x").exists()


def test_sim_rejects_unknown_name(tmp_path: Path) -> None:
    result = hub("sim", "nosuch", "--data", str(tmp_path))
    assert result.returncode == 2
    assert "unknown simulator 'nosuch'" in result.stderr


def test_sim_requires_seeded_data(tmp_path: Path) -> None:
    result = hub("sim", "population", "--data", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "hub seed" in result.stderr


def test_sim_rejects_bad_knob(tmp_path: Path) -> None:
    result = hub("sim", "population", "--data", str(tmp_path), "--error-rate", "2")
    assert result.returncode == 2
    assert "error_rate must be between 0 and 1" in result.stderr


def test_db_upgrade_creates_the_store(tmp_path: Path) -> None:
    result = hub("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "hub.db").is_file()


def _clean_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("HUB_")}, **extra}


def _write_access_log(path: Path, ages_days: list[int]) -> None:
    """An access log with one record per age (days before now), written as the dev gateway writes it."""
    import asyncio
    import time

    from gateway.audit.log import AccessLog
    from gateway.audit.store import FileAccessLog

    async def write() -> None:
        for age in ages_days:
            def clock(age: int = age) -> float:
                return time.time() - age * 86_400

            log = AccessLog(FileAccessLog(path), clock=clock)
            await log.open()
            await log.append({"operation": f"q{age}", "fields": ["Query.penaltyCases"]})
            await log.store.close()

    asyncio.run(write())


def test_audit_prune_runs_in_dev_and_what_remains_verifies(tmp_path: Path) -> None:
    """Dev has an anchor key of its own (production refuses it): prune signs the pruning point, removes the
    old records only, and `hub audit verify` checks the rest against that key."""
    data = tmp_path / "data"
    _write_access_log(data / "access_log.jsonl", [400, 300, 10, 0])
    env = _clean_env(HUB_DATA_DIR=str(data))
    pruned = subprocess.run([sys.executable, "-m", "hub", "audit", "prune"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120, check=False)
    assert pruned.returncode == 0, pruned.stderr
    assert "2 record(s) older than 184 days removed" in pruned.stdout
    lines = (data / "access_log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert hub("db", "upgrade", cwd=tmp_path).returncode == 0  # (verify walks the store's chains too)
    verified = subprocess.run([sys.executable, "-m", "hub", "audit", "verify"], capture_output=True, text=True,
                              cwd=tmp_path, env={**env, "HUB_DATABASE_URL": f"sqlite:///{data / 'hub.db'}"},
                              timeout=120, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # the signed pruning point and the head the command anchored on closing, both by the dev key
    assert "access log ok: 2 records (seq 3..4), 2 anchors verified, 0 unverified" in verified.stdout, verified.stdout


def test_production_refuses_the_dev_anchor_key() -> None:
    from hub.audit import DEV_ANCHOR_PRIVATE_KEY, gateway_security
    from hub.settings import Settings, SettingsError

    settings = Settings.model_validate({
        "profile": "production", "id_hash_secret": "p" * 40, "database_url": "postgresql://hub@127.0.0.1/hub",
        "security": {"signing": {"secret": "s" * 40}, "audit": {"anchor_private_key": DEV_ANCHOR_PRIVATE_KEY}}})
    with pytest.raises(SettingsError, match="anchor_private_key: production needs an SM2 key"):
        gateway_security(settings)


def test_outbox_deliver_in_dev_finds_the_receivers_hub_up_starts(tmp_path: Path) -> None:
    """No receiver configured in dev: the command delivers where `hub up` points the cases subgraph (the
    simulated receivers at the simulators' base port), and says so; with them not running it says what failed."""
    from simulators.registry import SIMULATORS
    from tests.support.servers import free_port_block

    base = free_port_block(len(SIMULATORS), seed=os.getpid())
    env = _clean_env(HUB_DATA_DIR=str(tmp_path / "data"), HUB_SIMULATORS__BASE_PORT=str(base))
    assert hub("db", "upgrade", cwd=tmp_path).returncode == 0  # (cwd's data/ is HUB_DATA_DIR's)
    result = subprocess.run([sys.executable, "-m", "hub", "outbox", "deliver"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120, check=False)
    data_centre = f"http://127.0.0.1:{base + SIMULATORS['data_centre'].port_offset}/api/exchange/v1/records"
    credit = f"http://127.0.0.1:{base + SIMULATORS['credit_publicity'].port_offset}/api/credit/v1/penalties"
    assert f"delivering to the simulated receivers `hub up` starts ({data_centre}, {credit})" in result.stderr
    assert "no receiver is configured" not in result.stderr
    assert result.returncode == 0, result.stderr  # an empty outbox: nothing was due
    assert "nothing was due" in result.stdout


def test_seed_creates_the_directory_of_a_new_sqlite_store(tmp_path: Path) -> None:
    """A fresh checkout has no data directory: seeding makes the store's directory, no traceback."""
    store = tmp_path / "not-yet" / "there" / "hub.db"
    result = hub("seed", "--size", "small", "--out", str(tmp_path / "seed"), "--cases", "45",
                 "--store", f"sqlite:///{store}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert store.is_file()
    assert "injected violations over 40 rules" in result.stdout


def test_seed_in_a_fresh_checkout_creates_the_default_store(tmp_path: Path) -> None:
    """`hub seed --size small --out DIR` where no data/ exists yet: the default store is created, no traceback."""
    result = subprocess.run([sys.executable, "-m", "hub", "seed", "--size", "small", "--out", "seed-out", "--cases",
                             "45", "--no-progress"], capture_output=True, text=True, cwd=tmp_path, env=_clean_env(),
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "data" / "hub.db").is_file()
    assert (tmp_path / "seed-out" / "ground_truth.json").is_file()
