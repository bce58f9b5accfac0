"""`hub sim`, `hub subgraph`, `hub gateway`: run one part of the hub as its own server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hub.cli_common import fail, load
from hub.settings import Profile, Settings


def sim(
    name: Annotated[str, typer.Argument(help="population, legal_person, licence, certificates, national_credit or identity")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 0,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    data: Annotated[Path, typer.Option(help="seeded data directory (from `hub seed`)")] = Path("data/seed"),
    latency_ms: Annotated[float, typer.Option(help="added latency per call")] = 0.0,
    error_rate: Annotated[float, typer.Option(help="share of calls that fail (0..1)")] = 0.0,
    hang_rate: Annotated[float, typer.Option(help="share of calls that hang (0..1)")] = 0.0,
    admin: Annotated[bool, typer.Option(
        "--admin", help="serve the unauthenticated admin API (/__admin/...: knobs, counters, key rotation, file "
                        "drops; also SIM_ADMIN=1); off: those paths answer 404. `hub up` turns it on")] = False,
) -> None:
    """Run one simulated departmental system (dev and tests only)."""
    import uvicorn

    from simulators import registry
    from simulators.base import Knobs, SimConfig, admin_from_env

    settings = load()
    try:
        spec = registry.get(name)
        knobs = Knobs(latency_ms=latency_ms, error_rate=error_rate, hang_rate=hang_rate)
        knobs.validate()
    except (KeyError, ValueError) as exc:
        raise fail(str(exc).strip("'\"")) from exc
    if settings.profile is Profile.PRODUCTION:
        # the simulated systems (and their unauthenticated /__admin APIs) are the outside world of dev and tests
        raise fail("simulated systems do not run in the production profile: production talks to the "
                   "departments' own systems (set HUB_PROFILE=dev to run a simulator)")
    if not data.is_dir():
        raise fail(f"no seeded data in {data}: run `hub seed --out {data}` first")
    port = port or settings.simulators.base_port + spec.port_offset
    config = SimConfig(data_dir=data, knobs=knobs, credentials=simulator_credentials(name, settings),
                       admin=admin or admin_from_env())
    application = spec.factory()(config)
    from hub.logfiles import SIM_PREFIX
    from hub.observability import observe

    uvicorn.run(application, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                log_config=observe(settings, f"{SIM_PREFIX}{name}"))


def simulator_credentials(name: str, settings: Settings) -> dict[str, str]:
    sims = settings.simulators
    return {
        "population": {"api_key": sims.population_api_key},
        "legal_person": {"username": sims.soap_username, "password": sims.soap_password},
        "national_credit": {"app_key": sims.national_credit_app_key, "app_secret": sims.national_credit_app_secret},
        "data_centre": {"app_key": settings.outbox.data_centre_app_key,
                        "app_secret": settings.outbox.data_centre_app_secret},
        "credit_publicity": {"app_key": settings.outbox.credit_app_key, "app_secret": settings.outbox.credit_app_secret},
    }.get(name, {})


def subgraph(
    name: Annotated[str, typer.Argument(help="population, legal_person, licence, personnel, cases or supervision")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 0,
    host: Annotated[str, typer.Option(help="address to listen on")] = "",
    migrate: Annotated[bool, typer.Option(help="apply the store's migrations at start")] = True,
) -> None:
    """Run one subgraph alone (Federation v2, POST /graphql, GET /health)."""
    import uvicorn

    from hub.audit import signing_keys
    from hub.metrics_guard import guard_metrics
    from hub.observability import observe
    from subgraphs import registry
    from subgraphs.common.security import protect

    settings = load()
    try:
        spec = registry.get(name)
    except KeyError as exc:
        raise fail(str(exc).strip("'\"")) from exc
    # Calls must carry the gateway's signature in production; in dev unsigned calls are let through.
    # The signature names this subgraph (audience); in production the replicas of a subgraph share
    # the nonces of the calls they received through its database, so a replay to any of them is refused.
    production = settings.profile is Profile.PRODUCTION
    nonces = None
    if production:
        from subgraphs.common.db import create_engine
        from subgraphs.common.nonce_store import SqlNonceStore

        skew = settings.security.signing.max_skew_s
        nonces = SqlNonceStore(create_engine(settings.effective_database_url), audience=spec.name, ttl_s=2 * skew + 1)
    application = protect(spec.from_settings(settings, migrate=migrate), keys=signing_keys(settings),
                          required=production, audience=spec.name, nonce_store=nonces,
                          max_skew_s=settings.security.signing.max_skew_s)
    application = guard_metrics(application, token=settings.security.metrics_token, production=production,
                                name=f"subgraph {spec.name}")
    uvicorn.run(application, host=host or settings.subgraphs.host,
                port=port or settings.subgraphs.base_port + spec.port_offset,
                log_level=settings.log_level.lower(), access_log=False, log_config=observe(settings, spec.name))


def gateway(
    supergraph: Annotated[str, typer.Option(help="supergraph SDL: a file path or an http(s) URL")] = "",
    host: Annotated[str, typer.Option(help="address to listen on")] = "",
    port: Annotated[int, typer.Option(help="port")] = 0,
    dedupe: Annotated[bool, typer.Option(help="share identical in-flight client queries and subgraph fetches")] = False,
    timeout: Annotated[float, typer.Option(help="per-subgraph timeout in seconds")] = 0.0,
    workers: Annotated[int, typer.Option(help="processes sharing the port (default: gateway.workers, 1)")] = 0,
) -> None:
    """Serve any valid Federation supergraph: POST/GET /graphql, GET /health. Reloads on file change or SIGHUP.

    Authentication, authorization directives, masking, signed subgraph calls, operation limits and
    the access log follow the settings' profile (relaxed in dev, enforced in production). With
    `--workers N` a supervisor shares one port between N gateway processes (README "Worker processes").
    """
    import uvicorn

    from hub.observability import observe

    settings = load()
    if timeout < 0:
        raise fail(f"--timeout must be positive, not {timeout}")
    if workers < 0 or workers > 64:
        raise fail(f"--workers must be between 1 and 64, not {workers}")
    source = supergraph or settings.gateway.supergraph
    if not source.startswith(("http://", "https://")) and not Path(source).is_file():
        raise fail(f"supergraph file {source} does not exist (run `hub compose` or pass --supergraph)")
    count = workers or settings.gateway.workers
    host, port = host or settings.gateway.host, port or settings.gateway.port
    if count > 1:
        import functools
        import logging.config

        from gateway.workers import WorkerOptions, run_workers

        log_config = observe(settings, "gateway")
        logging.config.dictConfig(log_config)  # the supervisor's own lines look like the workers'
        options = WorkerOptions(functools.partial(worker_gateway_app, source, dedupe=dedupe, timeout=timeout),
                                log_level=settings.log_level.lower(), log_config=log_config)
        try:
            status = run_workers(options, workers=count, host=host, port=port)
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        if status:
            raise fail("no gateway worker came up (see the log above)")
        return
    served = gateway_app(source, dedupe=dedupe, timeout=timeout)
    uvicorn.run(served, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                log_config=observe(settings, "gateway"))


def worker_gateway_app(source: str, *, dedupe: bool, timeout: float) -> Any:
    """`gateway_app` inside a worker process, with that process's tracing installed."""
    from hub.observability import observe

    observe(load(), "gateway")
    return gateway_app(source, dedupe=dedupe, timeout=timeout)


def gateway_app(source: str, *, dedupe: bool, timeout: float) -> Any:
    """The served gateway app for the current settings (also built inside each worker process)."""
    from gateway.errors import GatewayError
    from hub.gateway_app import gateway_application

    settings = load()
    try:
        return gateway_application(settings, source, timeout_s=timeout, dedupe=dedupe)
    except GatewayError as exc:
        raise fail(f"cannot serve {source}: {exc}") from exc
