"""The `hub` command: every command it lists works, and bad input gets a clear message."""

from __future__ import annotations

import filecmp
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
    commands = _listed_commands()
    assert {"seed", "sim", "up", "db"} <= set(commands)
    for name in commands:
        result = hub(name, "--help")
        assert result.returncode == 0, (name, result.stderr)


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


def test_audit_prune_needs_an_anchor_key_then_prunes_nothing_on_a_fresh_log(tmp_path: Path) -> None:
    import os

    from domain.sm import sm2_generate_keypair

    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    refused = subprocess.run([sys.executable, "-m", "hub", "audit", "prune"], capture_output=True, text=True,
                             cwd=tmp_path, env=env, timeout=120, check=False)
    assert refused.returncode == 2
    assert "anchor_private_key" in refused.stderr
    env["HUB_SECURITY__AUDIT__ANCHOR_PRIVATE_KEY"] = sm2_generate_keypair().private_key
    pruned = subprocess.run([sys.executable, "-m", "hub", "audit", "prune"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120, check=False)
    assert pruned.returncode == 0, pruned.stderr
    assert "0 record(s) older than 184 days removed" in pruned.stdout


def test_seed_creates_the_directory_of_a_new_sqlite_store(tmp_path: Path) -> None:
    """A fresh checkout has no data directory: seeding makes the store's directory, no traceback."""
    store = tmp_path / "not-yet" / "there" / "hub.db"
    result = hub("seed", "--size", "small", "--out", str(tmp_path / "seed"), "--cases", "45",
                 "--store", f"sqlite:///{store}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert store.is_file()
    assert "injected violations over 40 rules" in result.stdout
