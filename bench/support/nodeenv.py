"""Install the reference JavaScript packages of bench/node once, into .venv/bench-node."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "bench" / "node"
TARGET = ROOT / ".venv" / "bench-node"


def ensure_node_modules() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("the benchmark needs Node.js and npm for the reference gateways")
    lock = (SOURCE / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock).hexdigest()
    stamp = TARGET / ".lock-sha256"
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "apollo.mjs", "hive.mjs", "compose.mjs"):
        shutil.copy2(SOURCE / name, TARGET / name)
    if not (stamp.is_file() and stamp.read_text() == digest and (TARGET / "node_modules").is_dir()):
        print("installing reference gateways (npm ci) ...", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TARGET, check=True)
        stamp.write_text(digest)
    return TARGET
