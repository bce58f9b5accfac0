"""Per-part log files of `hub up`: ``<data_dir>/logs/<part>.log``, the previous run's kept as ``<part>.log.1``.

Each part's stdout and stderr go to its own file, so the terminal keeps to the status table and the
lines that matter; `tail` reads the end of a file without reading all of it, `follow` yields what a
running part appends (`hub logs PART`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

LOGS = "logs"
#: a simulated system's part name (its log file, `hub logs`): the subgraph over it has the system's own name
SIM_PREFIX = "sim-"
#: how much of a file's end `tail` reads at most (a line longer than this is cut at its start)
_TAIL_WINDOW = 256 * 1024


def logs_dir(data_dir: Path) -> Path:
    return data_dir / LOGS


def log_path(data_dir: Path, part: str) -> Path:
    return logs_dir(data_dir) / f"{part}.log"


def open_for_part(data_dir: Path, part: str) -> IO[bytes]:
    """A fresh log file for `part` (the last run's moved to ``.log.1``), opened for its process to write."""
    path = log_path(data_dir, part)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.stat().st_size:
        os.replace(path, path.with_name(path.name + ".1"))
    handle = path.open("ab")
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    handle.write(f"--- hub up: {part} started {started} ---\n".encode())
    handle.flush()
    return handle


def tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of `path` (fewer when it is shorter; none when it does not exist)."""
    if lines <= 0 or not path.is_file():
        return []
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - _TAIL_WINDOW))
        chunk = fh.read()
    text = chunk.decode("utf-8", errors="replace")
    return text.splitlines()[-lines:]


def follow(path: Path, *, poll_s: float = 0.3, stop: Callable[[], bool] = lambda: False,
           sleep: Callable[[float], None] = time.sleep) -> Iterator[str]:
    """Lines appended to `path` from now on, until `stop()` says so; a file replaced (a new `hub up`) or
    cut short is read again from its start."""
    handle = path.open("rb")
    try:
        handle.seek(0, os.SEEK_END)
        identity = os.fstat(handle.fileno()).st_ino
        pending = b""
        while not stop():
            chunk = handle.read()
            if chunk:
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    yield line.decode("utf-8", errors="replace")
                continue
            try:
                current = path.stat()
            except FileNotFoundError:
                current = None
            if current is not None and (current.st_ino != identity or current.st_size < handle.tell()):
                handle.close()
                handle = path.open("rb")
                identity = os.fstat(handle.fileno()).st_ino
                pending = b""
                continue
            sleep(poll_s)
    finally:
        handle.close()
