"""The reference JavaScript federation packages: one cached `npm ci`, the composer and the gateway script.

The packages are installed from the committed `node/package-lock.json` into a cache folder outside the
tracked tree (default `<repo>/.venv/node-ref`, overridable with HUB_NODE_REF_DIR), once per lockfile
hash, under a file lock so parallel pytest workers do not install at the same time. The scripts are
copied beside the installed `node_modules` because ES modules resolve packages from their own folder.

Errors: ReferenceUnavailable (code REFERENCE_UNAVAILABLE) when node/npm are missing or the install
fails; ReferenceFailed (code REFERENCE_FAILED) when a reference script misbehaves.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, NoReturn

NODE_SOURCE_DIR = Path(__file__).parent / "node"
REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ("gateway.mjs", "compose.mjs", "hive.mjs", "hive_gateway.mjs", "load_supergraph.mjs")
INSTALL_TIMEOUT_S = 600.0
COMPOSE_TIMEOUT_S = 60.0


class ReferenceUnavailable(Exception):
    """Node.js, npm or the reference packages cannot be had here."""

    code = "REFERENCE_UNAVAILABLE"


class ReferenceFailed(Exception):
    """A reference script ran but did not answer as expected."""

    code = "REFERENCE_FAILED"


def install_dir() -> Path:
    return Path(os.environ.get("HUB_NODE_REF_DIR") or REPO_ROOT / ".venv" / "node-ref")


def lockfile_hash() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((NODE_SOURCE_DIR / name).read_bytes())
    return digest.hexdigest()


_installed: Path | None = None
_install_guard = threading.Lock()


def ensure_installed() -> Path:
    """Install the reference packages if the cache is missing or stale; return the folder with the scripts."""
    global _installed
    with _install_guard:
        if _installed is not None:
            return _installed
        node, npm = shutil.which("node"), shutil.which("npm")
        if node is None or npm is None:
            raise ReferenceUnavailable("node and npm are needed for the reference federation packages")
        target = install_dir()
        target.mkdir(parents=True, exist_ok=True)
        wanted = lockfile_hash()
        stamp = target / ".lockfile-hash"
        with open(target.parent / f"{target.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            fresh = stamp.exists() and stamp.read_text() == wanted and (target / "node_modules").is_dir()
            if not fresh:
                for name in ("package.json", "package-lock.json"):
                    shutil.copyfile(NODE_SOURCE_DIR / name, target / name)
                stamp.unlink(missing_ok=True)
                try:
                    done = subprocess.run(
                        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                        cwd=target, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False,
                    )
                except subprocess.TimeoutExpired as exc:
                    raise ReferenceUnavailable(f"npm ci timed out after {INSTALL_TIMEOUT_S:.0f} s") from exc
                if done.returncode != 0:
                    raise ReferenceUnavailable(f"npm ci failed ({done.returncode}): {done.stderr[-2000:]}")
                stamp.write_text(wanted)
            for name in SCRIPTS:
                source = (NODE_SOURCE_DIR / name).read_bytes()
                copy = target / name
                if not copy.exists() or copy.read_bytes() != source:
                    tmp = target / f".{name}.{os.getpid()}"
                    tmp.write_bytes(source)
                    tmp.replace(copy)
        _installed = target
        return target


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise ReferenceUnavailable("node is not on PATH")
    return node


def compose_with_reference(subgraphs: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Compose `(name, url, sdl)` subgraphs with the reference composer.

    Returns `{"supergraph": sdl}` on success or `{"errors": [{"code", "message"}, ...]}`.
    """
    return _run_compose([{"name": n, "url": u, "sdl": s} for n, u, s in subgraphs])


def compose_many_with_reference(compositions: list[list[tuple[str, str, str]]], *,
                                composer: str = "guild") -> list[dict[str, Any]]:
    """Like `compose_with_reference` for several subgraph sets at once (one Node.js process); `composer` is
    "guild" (@theguild/federation-composition) or "apollo" (@apollo/composition)."""
    payload = {"composer": composer,
               "compositions": [[{"name": n, "url": u, "sdl": s} for n, u, s in subs] for subs in compositions]}
    results: list[dict[str, Any]] = _run_compose(payload)["results"]
    if len(results) != len(compositions):
        raise ReferenceFailed(f"compose.mjs answered {len(results)} results for {len(compositions)} inputs")
    return results


def load_with_apollo_gateway(supergraphs: list[str]) -> list[dict[str, Any]]:
    """Load each supergraph SDL in @apollo/gateway (as at its start-up): `{"ok": True}` or `{"ok": False,
    "error": message}` each, in one Node.js process."""
    results: list[dict[str, Any]] = _run_compose({"supergraphs": supergraphs}, "load_supergraph.mjs")["results"]
    if len(results) != len(supergraphs):
        raise ReferenceFailed(f"load_supergraph.mjs answered {len(results)} results for {len(supergraphs)} inputs")
    return results


def _run_compose(payload: object, script: str = "compose.mjs") -> dict[str, Any]:
    folder = ensure_installed()
    try:
        done = subprocess.run(
            [node_binary(), str(folder / script)], input=json.dumps(payload), capture_output=True,
            text=True, timeout=COMPOSE_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReferenceFailed(f"{script} timed out after {COMPOSE_TIMEOUT_S:.0f} s") from exc
    if done.returncode != 0:
        raise ReferenceFailed(f"{script} exited {done.returncode}: {done.stderr[-2000:]}")
    try:
        result: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ReferenceFailed(f"{script} printed no JSON: {done.stdout[:500]!r}") from exc
    return result


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test outside CI; in CI (CI=true) fail, because CI must run the reference tests."""
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(f"reference federation packages unavailable in CI: {reason}")
    pytest.skip(f"reference federation packages unavailable: {reason}")
