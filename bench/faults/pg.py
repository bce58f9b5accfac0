"""A PostgreSQL server of the run's own on 127.0.0.1 that the harness may stop, restart and crash.

The test server of `make test` (HUB_TEST_POSTGRES_URL) is shared with other tests, so it is never
restarted: this module starts a second one in a temporary directory, as scripts/throwaway_pg.py does,
with the binaries it finds, and deletes it afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import ModuleType

from bench.support.procs import free_port

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "throwaway_pg.py"


def _throwaway() -> ModuleType:
    spec = importlib.util.spec_from_file_location("throwaway_pg", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def available() -> bool:
    """Whether PostgreSQL's server binaries are on this machine."""
    return _throwaway().find_bindir() is not None


class PgServer:
    """initdb + pg_ctl on a free port; `restart` and `crash_restart` are the faults."""

    def __init__(self) -> None:
        tp = _throwaway()
        bindir = tp.find_bindir()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
        self._tp, self.bindir = tp, Path(bindir)
        self.root = Path(tempfile.mkdtemp(prefix="hub-faults-pg-"))
        self.datadir, self.sockdir = self.root / "data", self.root / "sock"
        self.port = free_port()
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"postgresql://hub@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str, check: bool = True) -> None:
        cmd = self._tp.as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args])
        subprocess.run(cmd, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        if not self.datadir.exists():
            self.datadir.mkdir(parents=True)
            self.sockdir.mkdir()
            if os.geteuid() == 0:
                for p in (self.root, self.datadir, self.sockdir):
                    shutil.chown(p, "postgres")
            locale = "--locale=C.UTF-8" if self._tp._has_c_utf8() else "--locale=C"
            subprocess.run(self._tp.as_server_user([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "hub",
                                                     "-A", "trust", "-E", "UTF8", locale]),
                           check=True, stdout=subprocess.DEVNULL, timeout=120)
        # synchronous_commit stays on: a commit is acknowledged once its WAL is written, so an immediate
        # stop (a crash of the server, not of the machine) loses nothing acknowledged. With it off, as the
        # test server runs, a crash loses the last commits — acknowledged steps — by design.
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockdir} -c max_connections=200 "
                "-c fsync=off -c full_page_writes=off")
        self._ctl("-o", opts, "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "-t", "60", "stop", check=False)

    def restart(self, *, down_s: float = 0.0, mode: str = "fast") -> float:
        """Stop (`fast`: clients disconnected, `immediate`: as a crash), stay down `down_s`, start again.
        Returns the seconds the server was away."""
        started = time.monotonic()
        self.stop(mode)
        time.sleep(down_s)
        self.start()
        self.restarts += 1
        return time.monotonic() - started

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
