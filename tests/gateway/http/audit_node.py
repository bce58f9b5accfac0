"""graphql-http's server audit (test-only JavaScript): one cached `npm ci`, then `node audit.mjs URL`.

The package is installed from the committed `node/package-lock.json` into a folder outside the tracked
tree (default `<repo>/.venv/node-http-audit`, or HUB_NODE_AUDIT_DIR), once per lockfile hash, under a
file lock so parallel pytest workers install it once. Outside CI a missing node/npm skips the test with
the reason; with CI=true it fails, since CI must run the audit (`make test` installs it this way).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

SOURCE = Path(__file__).parent / "node"
REPO_ROOT = Path(__file__).resolve().parents[3]
FILES = ("package.json", "package-lock.json", "audit.mjs")
INSTALL_TIMEOUT_S = 600.0
AUDIT_TIMEOUT_S = 120.0


class AuditUnavailable(Exception):
    """Node.js, npm or the audit package cannot be had here."""


def _skip_or_fail(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the GraphQL-over-HTTP audit cannot run in CI: {reason}")
    pytest.skip(f"the GraphQL-over-HTTP audit needs Node.js and npm: {reason}")


def _install() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise AuditUnavailable("node or npm is not on PATH")
    target = Path(os.environ.get("HUB_NODE_AUDIT_DIR") or REPO_ROOT / ".venv" / "node-http-audit")
    target.mkdir(parents=True, exist_ok=True)
    wanted = hashlib.sha256(b"".join((SOURCE / n).read_bytes() for n in FILES[:2])).hexdigest()
    stamp = target / ".lockfile-hash"
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        for name in FILES:
            if not (target / name).exists() or (target / name).read_bytes() != (SOURCE / name).read_bytes():
                shutil.copyfile(SOURCE / name, target / name)
        if not (stamp.exists() and stamp.read_text() == wanted and (target / "node_modules").is_dir()):
            stamp.unlink(missing_ok=True)
            try:
                done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                                      cwd=target, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S,
                                      check=False)
            except subprocess.TimeoutExpired as exc:
                raise AuditUnavailable(f"npm ci timed out after {INSTALL_TIMEOUT_S:.0f} s") from exc
            if done.returncode != 0:
                raise AuditUnavailable(f"npm ci failed ({done.returncode}): {done.stderr[-2000:]}")
            stamp.write_text(wanted)
    return target


def audit_folder() -> Path:
    """The folder holding audit.mjs and its node_modules; skips (or fails in CI) when it cannot be had."""
    try:
        return _install()
    except AuditUnavailable as exc:
        _skip_or_fail(str(exc))


def run_audit(folder: Path, url: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Every audit's result against `url`: ``{id, name, status, reason}``, status ok/error/warn/notice."""
    node = shutil.which("node")
    assert node is not None
    args = [node, str(folder / "audit.mjs"), url, *([json.dumps(headers)] if headers else [])]
    done = subprocess.run(args, capture_output=True, text=True, timeout=AUDIT_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results
