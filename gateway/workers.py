"""Several gateway processes on one port: a supervisor and its worker processes.

The supervisor binds the listening socket once and hands that same socket to every worker (started
with the ``spawn`` method, so each worker is a fresh interpreter with its own event loop, plan cache
and subgraph connection pool). The kernel gives each new connection to one worker that is waiting in
``accept``; a busy worker accepts less. A pre-bound shared socket was chosen over one
``SO_REUSEPORT`` socket per worker: its accept queue belongs to the supervisor, so connections queued
when a worker dies are taken by the others instead of being reset, and no other process can bind into
the group.

The supervisor

* forwards ``SIGHUP`` to every worker that is serving (each reloads its supergraph; a worker still
  starting gets it as soon as it serves);
* restarts a worker that exits while the gateway is not stopping, with a growing delay (0.5 s up
  to 30 s) while workers keep dying within 10 s of their start; gives up (exit status 1) when every
  worker of the first round fails before it served;
* on ``SIGTERM`` or ``SIGINT`` asks every worker to stop (``SIGTERM``: uvicorn finishes the requests
  in flight), waits up to `stop_timeout_s` and kills what is left.

Workers stop on their own when the supervisor is gone (checked every second), so a killed supervisor
never leaves workers holding the port.

Metrics: the supervisor creates a fresh directory per run and names it in ``PROMETHEUS_MULTIPROC_DIR``
before it starts the workers, which puts prometheus_client in its multi-process mode: every worker
writes its values to its own files there and ``/metrics`` (served by whichever worker accepts the
scrape) sums counters and histograms over every worker of the run, including workers that died
(a restart does not make a counter go down). The directory is removed when the supervisor ends.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Any

from starlette.types import ASGIApp

log = logging.getLogger("gateway.workers")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
BACKLOG = 2048
QUICK_DEATH_S = 10.0  # a worker dying sooner than this after its start counts towards the restart delay
MAX_RESTART_DELAY_S = 30.0


@dataclass(frozen=True)
class WorkerOptions:
    """How each worker serves. `factory` builds the ASGI app inside the worker; it must be picklable (a
    module-level function or a `functools.partial` of one)."""

    factory: Callable[[], ASGIApp]
    log_level: str = "warning"
    log_config: dict[str, Any] | None = None
    stop_timeout_s: float = 20.0


@dataclass
class _Slot:
    """One worker position: the process in it now, when it started and whether it serves yet."""

    index: int
    process: BaseProcess | None = None
    ready: Event | None = None
    started_at: float = 0.0
    served: bool = False  # it has signalled readiness
    hup_pending: bool = False
    restart_at: float = 0.0
    delay_s: float = 0.0
    history: list[int] = field(default_factory=list)  # pids that held this slot


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket every worker shares (port 0: any free port, read it from ``getsockname``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def run_workers(options: WorkerOptions, *, workers: int, host: str, port: int) -> int:
    """Serve with `workers` processes until SIGTERM/SIGINT; the exit status (0, or 1 when no worker came up)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    sock = bind_socket(host, port)
    metrics_dir = tempfile.mkdtemp(prefix="gateway-metrics-")
    previous_env = os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = metrics_dir  # inherited by the spawned workers
    try:
        return _Supervisor(options, sock, workers, metrics_dir).run()
    finally:
        if previous_env is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous_env
        sock.close()
        shutil.rmtree(metrics_dir, ignore_errors=True)


class _Supervisor:
    def __init__(self, options: WorkerOptions, sock: socket.socket, workers: int, metrics_dir: str) -> None:
        self.options = options
        self.sock = sock
        self.metrics_dir = metrics_dir
        self.context = multiprocessing.get_context("spawn")
        self.slots = [_Slot(i) for i in range(workers)]
        self.stopping = False
        self.any_served = False
        self.failed_first = set[int]()  # slots whose worker ended before any worker served

    def run(self) -> int:
        old = {sig: signal.signal(sig, self._on_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        old[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._on_hup)
        address = self.sock.getsockname()
        try:
            for slot in self.slots:
                self._start(slot)
            log.warning("gateway on %s:%s with %d worker processes", address[0], address[1], len(self.slots))
            while not self.stopping:
                if self._tick():
                    return 1
            return 0
        finally:
            self._stop_all()
            for sig, handler in old.items():
                signal.signal(sig, handler)

    # ------------------------------------------------------------------ signals (main thread, between waits)

    def _on_stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _on_hup(self, signum: int, frame: Any) -> None:
        for slot in self.slots:
            if slot.served and slot.process is not None and slot.process.is_alive():
                _signal(slot.process, signal.SIGHUP)
            else:
                slot.hup_pending = True  # sent once it serves

    # ------------------------------------------------------------------ the loop

    def _tick(self) -> bool:
        """Wait a little for a worker to end; restart ended ones, forward pending SIGHUPs. True: give up."""
        sentinels = [s.process.sentinel for s in self.slots if s.process is not None]
        wait(sentinels, timeout=0.25)
        now = time.monotonic()
        for slot in self.slots:
            process = slot.process
            if process is not None and slot.ready is not None and not slot.served and slot.ready.is_set():
                slot.served = self.any_served = True
                if slot.hup_pending:
                    slot.hup_pending = False
                    _signal(process, signal.SIGHUP)
            if process is not None and not process.is_alive():
                process.join(0)
                self._ended(slot, process, now)
            if slot.process is None and not self.stopping and now >= slot.restart_at:
                self._start(slot)
        if not self.any_served and len(self.failed_first) == len(self.slots):
            log.error("no gateway worker came up: giving up")
            return True
        return False

    def _ended(self, slot: _Slot, process: BaseProcess, now: float) -> None:
        if self.stopping:
            return
        lived = now - slot.started_at
        log.warning("gateway worker %s (pid %s) ended with status %s after %.1f s; restarting",
                    slot.index, process.pid, process.exitcode, lived)
        _mark_dead(process.pid, self.metrics_dir)
        if not self.any_served:
            self.failed_first.add(slot.index)
        slot.process = None
        slot.ready = None
        # a worker that dies right after its start waits longer before the next try
        slot.delay_s = min(MAX_RESTART_DELAY_S, max(0.5, slot.delay_s * 2)) if lived < QUICK_DEATH_S else 0.0
        slot.restart_at = now + slot.delay_s
        if not slot.served:
            slot.hup_pending = False  # the next worker reads the supergraph afresh
        slot.served = False

    def _start(self, slot: _Slot) -> None:
        ready = self.context.Event()
        process = self.context.Process(target=_worker_main, name=f"gateway-worker-{slot.index}",
                                       args=(self.options, self.sock, ready, os.getpid()), daemon=False)
        process.start()
        slot.process, slot.ready, slot.started_at = process, ready, time.monotonic()
        assert process.pid is not None
        slot.history.append(process.pid)

    def _stop_all(self) -> None:
        self.stopping = True
        live = [s.process for s in self.slots if s.process is not None and s.process.is_alive()]
        for process in live:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + self.options.stop_timeout_s
        for process in live:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in live:
            if process.is_alive():
                log.warning("gateway worker pid %s did not stop in time: killed", process.pid)
                process.kill()
                process.join(5.0)


def _signal(process: BaseProcess, sig: int) -> None:
    if process.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, sig)


def _mark_dead(pid: int | None, metrics_dir: str) -> None:
    """Drop the dead worker's live gauges (its counters and histograms stay counted)."""
    if pid is None:
        return
    from prometheus_client import multiprocess

    with contextlib.suppress(OSError):
        multiprocess.mark_process_dead(pid, metrics_dir)  # type: ignore[no-untyped-call]


# ---------------------------------------------------------------------- inside a worker


def _worker_main(options: WorkerOptions, sock: socket.socket, ready: Event, parent_pid: int) -> None:
    # a SIGHUP before the app installs its reload handler must not end the worker (it loads afresh anyway)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watch").start()
    import asyncio

    import uvicorn

    app = options.factory()
    config = uvicorn.Config(app, log_level=options.log_level, access_log=False, log_config=options.log_config,
                            lifespan="on", timeout_graceful_shutdown=max(1, int(options.stop_timeout_s)))
    server = uvicorn.Server(config)

    async def serve() -> None:
        async def announce() -> None:
            # uvicorn's Server offers `started` as a flag only, no event to wait on
            while not server.started and not server.should_exit:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            if server.started:
                ready.set()

        announcer = asyncio.ensure_future(announce())
        try:
            await server.serve(sockets=[sock])
        finally:
            announcer.cancel()

    asyncio.run(serve())


def _watch_parent(parent_pid: int) -> None:
    """End this worker (gracefully) once its supervisor is gone."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)
