"""`hub audit verify` and `hub archive export|verify` on a seeded store, through the real command line."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from simulators.datagen.generator import generate
from subgraphs.cases.seed import seed_cases

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("case-cli")
    generate(size="small", seed=7, out=root / "seed", progress=False)
    asyncio.run(seed_cases(f"sqlite:///{root / 'hub.db'}", root / "seed", seed=7, count=6,
                           id_hash_secret=b"case-cli-test-pepper"))
    return root / "hub.db"


def hub(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"HUB_DATABASE_URL": f"sqlite:///{db}", "HUB_DATA_DIR": str(db.parent), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120, check=False)


def test_audit_verify_passes_then_names_the_edited_event(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "hub.db"
    copy.write_bytes(store.read_bytes())
    ok = hub("audit", "verify", db=copy, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    with sqlite3.connect(copy) as conn:
        case_id, seq = conn.execute("SELECT case_id, seq FROM case_event ORDER BY global_seq LIMIT 1 OFFSET 3").fetchone()
        conn.execute("UPDATE case_event SET summary = summary || ' (edited)' WHERE case_id = ? AND seq = ?",
                     (case_id, seq))
    bad = hub("audit", "verify", db=copy, cwd=tmp_path)
    assert bad.returncode == 1
    assert case_id in bad.stdout
    assert "EDITED" in bad.stdout.upper()


def test_archive_round_trip_and_tamper(store: Path, tmp_path: Path) -> None:
    with sqlite3.connect(store) as conn:
        (case_id,) = conn.execute("SELECT id FROM penalty_case ORDER BY id LIMIT 1").fetchone()
    archive = tmp_path / "case.zip"
    exported = hub("archive", "export", case_id, "--out", str(archive), db=store, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    verified = hub("archive", "verify", str(archive), db=store, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(tampered, "w") as dst:
        names = src.namelist()
        victim = next(n for n in names if "event" in n)
        for name in names:
            data = src.read(name)
            dst.writestr(name, data + b" " if name == victim else data)
    rejected = hub("archive", "verify", str(tampered), db=store, cwd=tmp_path)
    assert rejected.returncode == 1
    assert victim in rejected.stdout


def test_archive_export_of_unknown_case_is_a_clear_error(store: Path, tmp_path: Path) -> None:
    result = hub("archive", "export", "no-such-case", db=store, cwd=tmp_path)
    assert result.returncode == 2
    assert "no case no-such-case" in result.stderr
