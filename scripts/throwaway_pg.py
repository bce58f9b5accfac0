"""Run a command with a throwaway PostgreSQL server on 127.0.0.1 and its URL in HUB_TEST_POSTGRES_URL.

Used by `make test`. With CI=true a missing server is installed from Debian's packages; elsewhere
one is started if the binaries are there, and otherwise the command runs without it (the tests
that need PostgreSQL then skip and say why). The data directory is deleted afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hub.trial_pg import find_bindir  # the hub finds the server binaries the same way for its trial


def log(msg: str) -> None:
    print(f"[throwaway-pg] {msg}", file=sys.stderr, flush=True)


def install_debian_postgres() -> None:
    log("PostgreSQL is absent; installing Debian's postgresql package")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_server_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; drop to the postgres account when we are root."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def start(bindir: Path) -> tuple[str, Path, Path]:
    root = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    datadir, sockdir = root / "data", root / "sock"
    datadir.mkdir()
    sockdir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(datadir, "postgres")
        shutil.chown(sockdir, "postgres")
    port = free_port()
    subprocess.run(
        as_server_user([str(bindir / "initdb"), "-D", str(datadir), "-U", "hub", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C"]),
        check=True, stdout=subprocess.DEVNULL,
    )
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockdir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", opts, "-l", str(root / "server.log"), "-w", "-t", "60", "start"]),
        check=True, stdout=subprocess.DEVNULL,
    )
    url = f"postgresql://hub@127.0.0.1:{port}/postgres"
    log(f"PostgreSQL started on 127.0.0.1:{port} (data in a temporary directory)")
    return url, datadir, root


def _has_c_utf8() -> bool:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.lower()
    return "c.utf8" in out or "c.utf-8" in out


def stop(bindir: Path, datadir: Path, root: Path) -> None:
    subprocess.run(as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"]),
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: throwaway_pg.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    env = dict(os.environ)
    handle: tuple[str, Path, Path] | None = None
    bindir: Path | None = None
    if env.get("HUB_TEST_POSTGRES_URL"):
        log("using the PostgreSQL server given in HUB_TEST_POSTGRES_URL")
    else:
        bindir = find_bindir()
        if bindir is None and env.get("CI") == "true":
            install_debian_postgres()
            bindir = find_bindir()
        if bindir is None:
            log("no PostgreSQL binaries found: PostgreSQL tests will be skipped")
        else:
            try:
                handle = start(bindir)
                env["HUB_TEST_POSTGRES_URL"] = handle[0]
            except (subprocess.CalledProcessError, OSError) as exc:
                if env.get("CI") == "true":
                    raise
                log(f"could not start PostgreSQL ({exc}): PostgreSQL tests will be skipped")
    started = time.monotonic()
    try:
        return subprocess.call(argv, env=env)
    finally:
        if handle is not None and bindir is not None:
            stop(bindir, handle[1], handle[2])
            log(f"PostgreSQL stopped after {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
