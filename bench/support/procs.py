"""Process helpers for benchmarks: pinned starts, readiness waits, peak memory, clean stops."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(cmd: list[str], core: int | None) -> list[str]:
    """Prefix `cmd` with taskset so it runs on one core (when taskset exists and the core does)."""
    if core is None or shutil.which("taskset") is None or core >= (os.cpu_count() or 1):
        return cmd
    return ["taskset", "-c", str(core), *cmd]


@contextlib.contextmanager
def started(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            log: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    out = log.open("wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if log and out is not subprocess.DEVNULL:
            out.close()  # type: ignore[union-attr]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready within {timeout:.0f} s ({last})")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children started in its session."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024.0
        except OSError:
            continue
    return total


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(x) for x in text.split()]
    return kids + [g for k in kids for g in _children(k)]
