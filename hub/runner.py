"""`hub up`: the embedded all-in-one runner.

Seeds ./data on first run (reusing it afterwards), starts every part as its own process on
127.0.0.1 with its output in its own log file (``data/logs/PART.log``, `hub.logfiles`), waits until
each answers its health check, prints a short status table with the URLs (`hub.status`), and stops
everything on Ctrl-C or SIGTERM. A part that fails is named with the end of its log file.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import httpx
from rich.console import Console

from hub import status
from hub.logfiles import SIM_PREFIX, log_path, logs_dir, open_for_part
from hub.settings import Profile, Settings

STARTUP_TIMEOUT_S = 60.0


@dataclass
class Part:
    name: str
    kind: str
    description: str
    port: int
    args: list[str]
    health_path: str = "/health"
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_name(self) -> str:
        """The part's name in its log file and `hub logs`: a simulated system shares its name with the
        subgraph over it, so its name carries ``sim-``."""
        return f"{SIM_PREFIX}{self.name}" if self.args[:1] == ["sim"] else self.name


def port_free(port: int) -> bool:
    """Whether a listener could bind `port` on 127.0.0.1 now."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def ensure_seed(settings: Settings, size: str, console: Console) -> Path:
    """The seeded data directory: generated once, then reused."""
    from simulators.datagen.generator import generate

    seed_dir = settings.data_dir / "seed"
    if (seed_dir / "manifest.json").is_file():
        console.print(f"using seeded data in {seed_dir}")
        return seed_dir
    console.print(f"seeding {seed_dir} (size {size}, seed {settings.seed.seed}) ...")
    generate(size=size, seed=settings.seed.seed, out=seed_dir, progress=console.is_terminal)
    return seed_dir


#: the simulated systems that receive the hub's outbound data (the others serve seeded data)
RECEIVERS = frozenset({"data_centre", "credit_publicity"})


def plan_simulators(settings: Settings, seed_dir: Path) -> list[Part]:
    from simulators.registry import SIMULATORS

    parts: list[Part] = []
    for spec in SIMULATORS.values():
        port = settings.simulators.base_port + spec.port_offset
        # the receivers of outbound data keep what they receive under the data directory, not the seed
        data = settings.data_dir if spec.name in RECEIVERS else seed_dir
        # dev: the admin API (knobs, counters, key rotation, file drops) is on; the licence subgraph asks
        # the licensing system's /__admin/dsn for its database
        parts.append(Part(spec.name, f"simulator ({spec.protocol})", spec.description, port,
                          ["sim", spec.name, "--port", str(port), "--data", str(data), "--admin"]))
    return parts


def _without_password(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def expected_systems(settings: Settings) -> list[tuple[str, str]]:
    """The outside systems a production hub talks to, and where the settings say they are."""
    from subgraphs.common.config import SubgraphConfig

    config = SubgraphConfig.from_settings(settings)
    outbox = settings.outbox
    return [
        ("population system", config.population_url),
        ("market-regulation registry (SOAP)", config.market_url),
        ("national enterprise registry", config.national_credit_url),
        ("licensing system database", _without_password(config.licence_dsn) if config.licence_dsn else
         f"not set (simulators.licence_dsn): asked of {config.licence_admin_url}/__admin/dsn, which only "
         "the simulator serves"),
        ("enforcement-certificate drops", str(config.certificate_drop_dir)),
        ("identity provider (JWKS)", settings.security.jwks_url),
        ("provincial data centre", outbox.data_centre_url or "not set: nothing is delivered"),
        ("credit publicity platform", outbox.credit_url or "not set: nothing is delivered"),
    ]


@dataclass
class Plan:
    """What `hub up` starts, stage by stage."""

    simulators: list[Part]
    subgraphs: list[Part]
    gateway: Part
    web: Part

    @property
    def parts(self) -> list[Part]:
        return [*self.simulators, *self.subgraphs, self.gateway, self.web]


def plan_up(settings: Settings, seed_dir: Path | None) -> Plan:
    """The parts of `hub up`: in production (no `seed_dir`) no simulator, and nothing pointed at one."""
    production = settings.profile is Profile.PRODUCTION
    simulators = [] if production or seed_dir is None else plan_simulators(settings, seed_dir)
    subgraphs = plan_subgraphs(settings, simulated=bool(simulators))
    supergraph = runtime_supergraph(settings, subgraphs)
    return Plan(simulators, subgraphs, plan_gateway(settings, supergraph, simulated=bool(simulators)),
                plan_web(settings, simulated=bool(simulators)))


#: the secret the identity simulator knows for the supervision engine's client (simulated systems only)
SIMULATED_ENGINE_SECRET = "supervision-engine-secret"


def plan_subgraphs(settings: Settings, *, simulated: bool = True) -> list[Part]:
    """The subgraphs' processes; `simulated`: point them at the simulated receivers and identity (dev)."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    def sim_url(name: str, path: str) -> str:
        return f"http://127.0.0.1:{settings.simulators.base_port + SIMULATORS[name].port_offset}{path}"

    # The cases subgraph delivers its outbox to the simulated receivers (unless set explicitly).
    receivers = {"HUB_OUTBOX__DATA_CENTRE_URL": sim_url("data_centre", "/api/exchange/v1/records"),
                 "HUB_OUTBOX__CREDIT_URL": sim_url("credit_publicity", "/api/credit/v1/penalties")}
    # The supervision engine's own token (client credentials) from the identity simulator: without it
    # the gateway would serve the engine masked data (no birth dates for the minors' rules).
    engine_identity = {"HUB_SUPERVISION__TOKEN_URL": sim_url("identity", "/oauth/token"),
                       "HUB_SUPERVISION__CLIENT_SECRET": SIMULATED_ENGINE_SECRET}
    parts: list[Part] = []
    for spec in SUBGRAPHS.values():
        port = settings.subgraphs.base_port + spec.port_offset
        env = {k: v for k, v in receivers.items() if k not in os.environ} if spec.name == "cases" else {}
        if spec.name == "supervision":  # the engine signs in as its client of the identity simulator
            env = {k: v for k, v in engine_identity.items() if k not in os.environ}
        if not simulated:
            env = {}
        parts.append(Part(spec.name, "subgraph (Federation v2)", spec.description, port,
                          ["subgraph", spec.name, "--port", str(port), "--no-migrate"], env=env))
    return parts


SUPERGRAPH_FILE = Path(__file__).resolve().parent.parent / "schema" / "supergraph.graphql"
_GRAPH_URL = re.compile(r'(@join__graph\(name: "(?P<name>[^"]+)", url: ")(?P<url>[^"]*)(")')


def runtime_supergraph(settings: Settings, subgraph_parts: list[Part]) -> Path:
    """The composed supergraph with each subgraph's URL set to where `hub up` started it."""
    ports = {p.name: p.port for p in subgraph_parts}
    text = SUPERGRAPH_FILE.read_text(encoding="utf-8")

    def _url(m: re.Match[str]) -> str:
        name = m.group("name")
        url = f"http://127.0.0.1:{ports[name]}/graphql" if name in ports else m.group("url")
        return f"{m.group(1)}{url}{m.group(4)}"

    out = settings.data_dir / "supergraph.graphql"
    out.write_text(_GRAPH_URL.sub(_url, text), encoding="utf-8")
    return out


def plan_gateway(settings: Settings, supergraph: Path, *, simulated: bool = True) -> Part:
    from simulators.registry import SIMULATORS

    port = settings.gateway.port
    identity = f"http://127.0.0.1:{settings.simulators.base_port + SIMULATORS['identity'].port_offset}"
    # Tokens come from the identity simulator wherever `hub up` started it (unless set explicitly).
    env = {key: value for key, value in (("HUB_SECURITY__JWKS_URL", f"{identity}/jwks.json"),
                                         ("HUB_SECURITY__ISSUER", identity))
           if key not in os.environ and simulated}
    return Part("gateway", "GraphQL gateway", "one graph over every subgraph: POST/GET /graphql", port,
                ["gateway", "--supergraph", str(supergraph), "--port", str(port)], env=env)


def plan_web(settings: Settings, *, simulated: bool = True) -> Part:
    """The supervision console, signing users in at the identity simulator wherever `hub up` started it."""
    from simulators.registry import SIMULATORS

    identity = f"http://127.0.0.1:{settings.simulators.base_port + SIMULATORS['identity'].port_offset}"
    env = {"HUB_SECURITY__ISSUER": identity} if simulated and "HUB_SECURITY__ISSUER" not in os.environ else {}
    port = settings.web.port
    return Part("web", "web console (监督平台)", "the supervision console: open it in a browser", port,
                ["web", "--port", str(port)], env=env)


DEMO_CASES = 60



def seed_cases_in_background(settings: Settings, seed_dir: Path, console: Console) -> threading.Thread:
    """On a store with no cases, create demo cases in every state (through the real state machine)."""
    url = settings.store_url

    async def seed_if_empty() -> None:
        from sqlalchemy import text

        from subgraphs.cases.seed import seed_cases
        from subgraphs.common.db import create_engine

        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                if (await conn.execute(text("SELECT COUNT(*) FROM penalty_case"))).scalar_one():
                    return
        finally:
            await engine.dispose()
        console.print(f"seeding {DEMO_CASES} demo cases in the background ...")
        report = await seed_cases(url, seed_dir, seed=settings.seed.seed, count=DEMO_CASES,
                                  id_hash_secret=settings.id_hash_secret.encode())
        console.print(f"demo cases ready: {report.created} cases in {len(report.by_state)} states")

    def work() -> None:
        import asyncio

        try:
            asyncio.run(seed_if_empty())
        except Exception as exc:  # reported, never fatal: the hub serves without demo cases
            console.print(f"[yellow]demo cases not seeded: {exc}[/yellow]")

    thread = threading.Thread(target=work, name="seed-cases", daemon=True)
    thread.start()
    return thread


def migrate_store(settings: Settings) -> None:
    from subgraphs.common.migrate import upgrade_sync

    upgrade_sync(settings.store_url)


def _start(part: Part, data_dir: Path) -> None:
    """Start `part`'s process, its stdout and stderr into its own log file under `data_dir`."""
    cmd = [sys.executable, "-m", "hub", *part.args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **part.env}
    with open_for_part(data_dir, part.log_name) as log:  # the child holds its own copy of the descriptor
        part.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True, env=env)


def _wait_healthy(parts: list[Part], console: Console, *, deadline: float, data_dir: Path) -> list[Part]:
    """Wait until every part answers its health check; return the parts that failed (and say why, with the
    end of their log files)."""
    pending = list(parts)
    with httpx.Client(timeout=2.0) as client:
        while pending and time.monotonic() < deadline:
            for part in list(pending):
                if part.process is not None and part.process.poll() is not None:
                    status.print_failure(console, f"{part.log_name} exited with code {part.process.returncode} before "
                                         f"it was healthy (a port taken since the check is one cause: {part.url})",
                                         log_path(data_dir, part.log_name))
                    return [part]
                try:
                    if client.get(part.url + part.health_path).status_code == 200:
                        pending.remove(part)
                except httpx.HTTPError:
                    pass
            if pending:
                time.sleep(0.2)
    for part in pending:
        status.print_failure(console, f"{part.log_name} not healthy within {STARTUP_TIMEOUT_S:.0f} s at {part.url}",
                             log_path(data_dir, part.log_name))
    return pending


def _stop(parts: list[Part]) -> None:
    for part in parts:
        if part.process is not None and part.process.poll() is None:
            os.killpg(part.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for part in parts:
        if part.process is None:
            continue
        try:
            part.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(part.process.pid, signal.SIGKILL)


def run_all(settings: Settings, *, size: str = "small", block: bool = True, departments: list[Part] | None = None) -> int:
    """Start everything; `departments`: simulated departments to start first (a production trial, `hub.trial`)."""
    console = status.console()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Production runs against the departments' own systems: no simulator, no synthetic data, no demo cases.
    production = settings.profile is Profile.PRODUCTION
    seed_dir = None if production else ensure_seed(settings, size, console)
    plan = plan_up(settings, seed_dir)
    plan.simulators[:0] = departments or []
    simulators, subgraphs, gateway, parts = plan.simulators, plan.subgraphs, plan.gateway, plan.parts
    console_part = plan.web
    if production and not departments:
        console.print("production: no simulated system is started; the hub expects the departments' systems at:")
        for system, where in expected_systems(settings):
            console.print(f"  {system}: {where}")
    busy = [p for p in parts if not port_free(p.port)]
    if busy:
        names = ", ".join(f"{p.name} ({p.port})" for p in busy)
        console.print(f"[red]ports in use: {names}. Stop what holds them, or set HUB_SIMULATORS__BASE_PORT, "
                      "HUB_SUBGRAPHS__BASE_PORT, HUB_GATEWAY__PORT.[/red]")
        return 1

    stopping = False

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    old_int = signal.signal(signal.SIGINT, _on_signal)
    old_term = signal.signal(signal.SIGTERM, _on_signal)
    try:
        started = time.monotonic()
        # Stage by stage: departments' systems, then the store, then subgraphs, then the gateway.
        for stage in (simulators, subgraphs, [gateway], [console_part]):
            if stage is subgraphs:
                migrate_store(settings)
            for part in stage:
                _start(part, settings.data_dir)
            failed = _wait_healthy(stage, console, deadline=started + STARTUP_TIMEOUT_S, data_dir=settings.data_dir)
            if failed or stopping:
                return 1
        status.print_status(console, f"Enforcement Hub — up in {time.monotonic() - started:.1f} s", parts,
                            logs_dir(settings.data_dir))
        if seed_dir is not None:
            seed_cases_in_background(settings, seed_dir, console)
        console.print(f"GraphQL: POST {gateway.url}/graphql · console: {console_part.url}/ · health: GET <URL>/health "
                      "· press Ctrl-C to stop")
        sys.stdout.flush()
        while block and not stopping:
            dead = [p for p in parts if p.process is not None and p.process.poll() is not None]
            if dead:
                status.print_failure(console, f"{dead[0].log_name} stopped unexpectedly (exit code "
                                     f"{dead[0].process.returncode if dead[0].process else '?'}); shutting down",
                                     log_path(settings.data_dir, dead[0].log_name))
                return 1
            time.sleep(0.5)
        return 0
    finally:
        _stop(parts)
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
        console.print("stopped")
