"""A throwaway PostgreSQL server for a trial of the production profile on one machine.

`hub up --profile production` without a `database_url` starts one with the server binaries of the
machine (Debian's `postgresql` package: `initdb` and `pg_ctl` on the PATH or under
/usr/lib/postgresql/*/bin), on a free 127.0.0.1 port, trust authentication for the local user `hub`,
its data in a temporary directory that is deleted when the trial stops.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresUnavailable", "TrialPostgres", "find_bindir", "start_postgres"]


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries, or the server would not start."""


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are (the newest installed version), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the package's postgres account then
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class TrialPostgres:
    url: str
    bindir: Path
    root: Path

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w",
                                        "-t", "30", "stop"]),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> TrialPostgres:
    """Start a server and return its URL (``postgresql://hub@127.0.0.1:PORT/postgres``)."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl): install the postgresql package, "
                                  "or set database_url to a server of yours")
    root = Path(tempfile.mkdtemp(prefix="hub-trial-pg-"))
    datadir, sockdir = root / "data", root / "sock"
    datadir.mkdir()
    sockdir.mkdir()
    if os.geteuid() == 0:
        for path in (root, datadir, sockdir):
            shutil.chown(path, "postgres")
    port = _free_port()
    handle = TrialPostgres(f"postgresql://hub@127.0.0.1:{port}/postgres", bindir, root)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockdir}"
    try:
        subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(datadir), "-U", "hub", "-A", "trust",
                                        "-E", "UTF8", "--locale=C"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options,
                                        "-l", str(root / "server.log"), "-w", "-t", "60", "start"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (subprocess.CalledProcessError, OSError) as exc:
        detail = exc.stderr.decode(errors="replace").strip() if isinstance(exc, subprocess.CalledProcessError) \
            and exc.stderr else str(exc)
        handle.stop()
        raise PostgresUnavailable(f"the throwaway PostgreSQL server did not start: {detail}") from exc
    return handle
