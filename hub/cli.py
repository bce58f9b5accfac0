"""The `hub` command line. Every command listed in `hub --help` works; new ones arrive with their code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from graphql import GraphQLError

from hub.logs_cli import logs as logs_command
from hub.settings import SettingsError, load_settings

app = typer.Typer(
    name="hub",
    help="Enforcement Hub: the GraphQL federation hub for administrative law enforcement and its supervision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@app.command()
def seed(
    size: Annotated[str, typer.Option(help="small (~1,000 persons), medium (~100,000) or large (~1,000,000)")] = "small",
    seed: Annotated[int, typer.Option(help="random seed; the same arguments give byte-identical files")] = 7,
    out: Annotated[Path, typer.Option(help="output directory")] = Path("data/seed"),
    cases: Annotated[int | None, typer.Option(
        help="cases with injected violations to write into the store (default: 200 small, 2,000 medium, "
             "20,000 large; 0: the files only)")] = None,
    store: Annotated[str | None, typer.Option(help="store URL for the cases (default: the configured store)")] = None,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Generate the deterministic synthetic data set the simulators serve, then seed the store with
    cases carrying a known set of supervision violations and write OUT/ground_truth.json."""
    import asyncio

    from hub.seeding import (
        DEFAULT_CASES,
        StoreNotEmpty,
        ensure_sqlite_directory,
        require_empty_store,
        seed_store,
    )
    from simulators.datagen.generator import SIZES, generate

    if size not in SIZES:
        raise _fail(f"--size must be one of {', '.join(SIZES)}, not {size!r}")
    if cases is not None and cases < 0:
        raise _fail(f"--cases must be 0 or more, not {cases}")
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    count = DEFAULT_CASES[size] if cases is None else cases
    url = store or settings.store_url
    if count:
        ensure_sqlite_directory(url)
        try:
            asyncio.run(require_empty_store(url))
        except StoreNotEmpty as exc:
            raise _fail(str(exc)) from exc
    manifest = generate(size=size, seed=seed, out=out, progress=progress and sys.stderr.isatty())
    counts = ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items())
    typer.echo(f"wrote {out}: {counts}")
    if count == 0:
        return
    try:
        seeded = asyncio.run(seed_store(url, out, count=count, seed=seed, secret=settings.id_hash_secret.encode(),
                                        say=lambda m: typer.echo(m, err=True)))
    except StoreNotEmpty as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"seeded {seeded.cases:,} cases into the store: {seeded.alerts} injected violations over "
               f"{seeded.rules} rules, {seeded.near_misses} near misses; {seeded.vault_entries} party ID numbers "
               f"in the pseudonym vault; wrote {seeded.ground_truth}")


@app.command()
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

    try:
        settings = load_settings()
        spec = registry.get(name)
        knobs = Knobs(latency_ms=latency_ms, error_rate=error_rate, hang_rate=hang_rate)
        knobs.validate()
    except (SettingsError, KeyError, ValueError) as exc:
        raise _fail(str(exc).strip("'\"")) from exc
    from hub.settings import Profile

    if settings.profile is Profile.PRODUCTION:
        # the simulated systems (and their unauthenticated /__admin APIs) are the outside world of dev and tests
        raise _fail("simulated systems do not run in the production profile: production talks to the "
                    "departments' own systems (set HUB_PROFILE=dev to run a simulator)")
    if not data.is_dir():
        raise _fail(f"no seeded data in {data}: run `hub seed --out {data}` first")
    port = port or settings.simulators.base_port + spec.port_offset
    creds = _simulator_credentials(name, settings)
    config = SimConfig(data_dir=data, knobs=knobs, credentials=creds, admin=admin or admin_from_env())
    application = spec.factory()(config)
    from hub.logfiles import SIM_PREFIX
    from hub.observability import observe

    uvicorn.run(application, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                log_config=observe(settings, f"{SIM_PREFIX}{name}"))


def _simulator_credentials(name: str, settings: object) -> dict[str, str]:
    from hub.settings import Settings

    assert isinstance(settings, Settings)
    sims = settings.simulators
    return {
        "population": {"api_key": sims.population_api_key},
        "legal_person": {"username": sims.soap_username, "password": sims.soap_password},
        "national_credit": {"app_key": sims.national_credit_app_key, "app_secret": sims.national_credit_app_secret},
        "data_centre": {"app_key": settings.outbox.data_centre_app_key,
                        "app_secret": settings.outbox.data_centre_app_secret},
        "credit_publicity": {"app_key": settings.outbox.credit_app_key, "app_secret": settings.outbox.credit_app_secret},
    }.get(name, {})


@app.command()
def up(
    size: Annotated[str, typer.Option(help="seed size used on first run")] = "small",
) -> None:
    """Start every part of the hub on this machine (SQLite files under ./data) and print the URLs."""
    from hub.runner import run_all

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    raise typer.Exit(run_all(settings, size=size))


@app.command()
def subgraph(
    name: Annotated[str, typer.Argument(help="population, legal_person, licence, personnel, cases or supervision")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 0,
    host: Annotated[str, typer.Option(help="address to listen on")] = "",
    migrate: Annotated[bool, typer.Option(help="apply the store's migrations at start")] = True,
) -> None:
    """Run one subgraph alone (Federation v2, POST /graphql, GET /health)."""
    import uvicorn

    from subgraphs import registry

    try:
        settings = load_settings()
        spec = registry.get(name)
    except (SettingsError, KeyError) as exc:
        raise _fail(str(exc).strip("'\"")) from exc
    from hub.audit import signing_keys
    from hub.settings import Profile
    from subgraphs.common.security import protect

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
    from hub.metrics_guard import guard_metrics
    from hub.observability import observe

    application = guard_metrics(application, token=settings.security.metrics_token, production=production,
                                name=f"subgraph {spec.name}")
    uvicorn.run(application, host=host or settings.subgraphs.host,
                port=port or settings.subgraphs.base_port + spec.port_offset,
                log_level=settings.log_level.lower(), access_log=False, log_config=observe(settings, spec.name))


@app.command()
def gateway(
    supergraph: Annotated[str, typer.Option(help="supergraph SDL: a file path or an http(s) URL")] = "",
    host: Annotated[str, typer.Option(help="address to listen on")] = "",
    port: Annotated[int, typer.Option(help="port")] = 0,
    dedupe: Annotated[bool, typer.Option(help="de-duplicate identical in-flight subgraph queries")] = False,
    timeout: Annotated[float, typer.Option(help="per-subgraph timeout in seconds")] = 0.0,
) -> None:
    """Serve any valid Federation supergraph: POST/GET /graphql, GET /health. Reloads on file change or SIGHUP.

    Authentication, authorization directives, masking, signed subgraph calls, operation limits and
    the access log follow the settings' profile (relaxed in dev, enforced in production).
    """
    import uvicorn

    from gateway.errors import GatewayError
    from gateway.secure import create_secure_app
    from hub.audit import gateway_security

    try:
        settings = load_settings()
        config, access_log = gateway_security(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    source = supergraph or settings.gateway.supergraph
    if not source.startswith(("http://", "https://")) and not Path(source).is_file():
        raise _fail(f"supergraph file {source} does not exist (run `hub compose` or pass --supergraph)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        application = create_secure_app(
            source, config, access_log=access_log, local_subgraphs=settings.security.audit.local_subgraphs,
            subgraph_timeout_s=timeout or settings.gateway.subgraph_timeout_s,
            dedupe_inflight=dedupe or settings.gateway.dedupe_inflight, install_sighup=True,
            override_labels=settings.gateway.override_labels)
    except GatewayError as exc:
        raise _fail(f"cannot serve {source}: {exc}") from exc
    from hub.metrics_guard import guard_metrics
    from hub.observability import observe
    from hub.settings import Profile

    served = guard_metrics(application, token=settings.security.metrics_token,
                           production=settings.profile is Profile.PRODUCTION, name="gateway")
    uvicorn.run(served, host=host or settings.gateway.host, port=port or settings.gateway.port,
                log_level=settings.log_level.lower(), access_log=False, log_config=observe(settings, "gateway"))


@app.command()
def plan(
    query_file: Annotated[Path, typer.Argument(help="file with the GraphQL operation")],
    supergraph: Annotated[Path, typer.Option(help="supergraph SDL file")] = Path("schema/supergraph.graphql"),
    operation_name: Annotated[str | None, typer.Option("--operation-name", help="operation to plan")] = None,
    override_label: Annotated[list[str] | None, typer.Option(
        "--override-label", help="a progressive-override label to plan with switched on (repeatable)")] = None,
) -> None:
    """Print the query plan for an operation as stable text."""
    from gateway.cli import plan_text
    from gateway.errors import GatewayError

    for path in (supergraph, query_file):
        if not path.is_file():
            raise _fail(f"{path} does not exist")
    try:
        typer.echo(plan_text(supergraph, query_file, operation_name, frozenset(override_label or ())))
    except GatewayError as exc:
        raise _fail(str(exc)) from exc
    except GraphQLError as exc:
        raise _fail(f"{query_file}: {exc.message}") from exc


@app.command()
def compose(
    config: Annotated[Path, typer.Option(help="the list of subgraphs ([[compose.subgraphs]] tables)")] = Path(
        "schema/compose.toml"),
    out: Annotated[Path, typer.Option(help="where to write the supergraph")] = Path("schema/supergraph.graphql"),
    check: Annotated[bool, typer.Option("--check", help="report breaking changes instead of writing")] = False,
    against: Annotated[Path, typer.Option(help="with --check: the supergraph clients use now")] = Path(
        "schema/supergraph.graphql"),
) -> None:
    """Compose subgraph schemas (files or running subgraphs) into the supergraph the gateway serves."""
    from hub.compose import check_command, compose_command

    if not config.is_file():
        raise _fail(f"{config} does not exist")
    code = check_command(config, against) if check else compose_command(config, out)
    raise typer.Exit(code)



def _write_or_check(path: Path, text: str, *, command: str, check: bool) -> None:
    """Write a generated file under the repository; with `check`, exit 1 when the committed one differs."""
    name = path.relative_to(path.parent.parent).as_posix()
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            typer.echo(f"{name} is out of date: run `{command}`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{name} is up to date")
        return
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {name}")


@app.command("access-model")
def access_model(check: bool = typer.Option(False, help="fail when schema/access-model.md is not up to date")) -> None:
    """Write schema/access-model.md (who may read every field, in what form) from the supergraph."""
    from hub.access_model import ACCESS_MODEL, SUPERGRAPH, render

    text, missing = render(SUPERGRAPH.read_text(encoding="utf-8"))
    if missing:
        typer.echo("fields without an access rule (add one to the owning subgraph's access_rules.py):", err=True)
        for coordinate in missing:
            typer.echo(f"  {coordinate}", err=True)
        raise typer.Exit(1)
    _write_or_check(ACCESS_MODEL, text, command="hub access-model", check=check)


@app.command("trusted-documents")
def trusted_documents(check: bool = typer.Option(False, help="fail when schema/trusted-documents.json is stale")) -> None:
    """Write schema/trusted-documents.json (the operations production runs) from schema/operations/ and the
    service clients' documents."""
    from hub.trusted_documents import MANIFEST, render

    try:
        text = render()
    except ValueError as exc:
        raise _fail(f"schema/operations/{exc}") from exc
    _write_or_check(MANIFEST, text, command="hub trusted-documents", check=check)


audit_app = typer.Typer(help="Tamper-evident records: case event chains and the access log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    database: Annotated[str, typer.Option(help="store URL (default: the configured store)")] = "",
) -> None:
    """Walk every hash chain (case events, coercive measures, inspections, access log) and name the first
    record edited, deleted or reordered."""
    import asyncio

    from hub.case_audit import verify_case_events, verify_record_events

    try:
        url = database or load_settings().store_url
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    from hub.audit import verify_access_log

    report = asyncio.run(verify_case_events(url))
    typer.echo(str(report))
    records = asyncio.run(verify_record_events(url))
    typer.echo(str(records))
    settings = load_settings()
    log_url = settings.security.audit.store or (
        url if settings.profile.value == "production" else str(settings.data_dir / "access_log.jsonl"))
    access = None
    if log_url.startswith(("sqlite", "postgresql")) or Path(log_url).is_file():
        access = verify_access_log(log_url, public_keys=settings.security.audit.anchor_public_keys)
        typer.echo(str(access))
    else:
        typer.echo(f"access log: none yet at {log_url}")
    raise typer.Exit(0 if report.ok and records.ok and (access is None or access.ok) else 1)


@audit_app.command("prune")
def audit_prune() -> None:
    """Remove access-log records older than the retention period (default 184 days), after signing the
    pruning point so the rest still verifies. Run it daily (cron, a Kubernetes CronJob)."""
    import asyncio

    from hub.audit import gateway_security

    try:
        settings = load_settings()
        _, access_log = gateway_security(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from exc

    async def run() -> int:
        await access_log.open()
        try:
            return await access_log.prune()
        finally:
            await access_log.close()

    try:
        removed = asyncio.run(run())
    except RuntimeError as exc:
        raise _fail(f"cannot prune: {exc} (set security.audit.anchor_private_key)") from exc
    typer.echo(f"access log: {removed} record(s) older than {settings.security.audit.retention_days} days removed")


archive_app = typer.Typer(help="Electronic case files: export one case, verify an archive offline.",
                          no_args_is_help=True)
app.add_typer(archive_app, name="archive")


@archive_app.command("export")
def archive_export(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    out: Annotated[Path | None, typer.Option(help="archive file (default: CASE_ID.zip)")] = None,
) -> None:
    """Write one archive with the case's documents, evidence, event log and an SM2-signed SM3 manifest."""
    import asyncio

    from hub.archive import ArchiveError, export_case

    try:
        url = load_settings().store_url
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    target = out or Path(f"{case_id}.zip")
    try:
        asyncio.run(export_case(url, case_id, target))
    except ArchiveError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"wrote {target}")


@archive_app.command("verify")
def archive_verify(file: Annotated[Path, typer.Argument(help="an archive written by `hub archive export`")]) -> None:
    """Check an archive offline: every member's SM3, the event chain and the seals."""
    from hub.archive import verify_archive

    if not file.is_file():
        raise _fail(f"{file} does not exist")
    report = verify_archive(file)
    typer.echo(str(report))
    raise typer.Exit(0 if report.ok else 1)


supervise_app = typer.Typer(help="The supervision platform: alert sweeps over every case.", no_args_is_help=True)
app.add_typer(supervise_app, name="supervise")


@supervise_app.command("sweep")
def supervise_sweep(
    json_output: Annotated[bool, typer.Option("--json", help="print the alerts as JSON")] = False,
    as_of: Annotated[str, typer.Option(help="evaluation instant, ISO 8601 (default: now)")] = "",
) -> None:
    """Evaluate rules S01-S34 over every case, fetching other departments' facts through the gateway in batches."""
    from datetime import datetime

    from hub.supervise import sweep_command

    try:
        settings = load_settings()
        when = datetime.fromisoformat(as_of) if as_of else None
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    except ValueError as exc:
        raise _fail(f"--as-of: {exc}") from exc
    raise typer.Exit(sweep_command(settings, as_json=json_output, as_of=when))


sync_app = typer.Typer(help="Bulk synchronisation with departmental systems.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")


@sync_app.command("population")
def sync_population_command(
    region: Annotated[str, typer.Option(help="only this region code (default: all)")] = "",
    max_pages: Annotated[int | None, typer.Option(help="stop after this many pages (resume next run)")] = None,
    page_size: Annotated[int, typer.Option(help="persons per page")] = 500,
    restart: Annotated[bool, typer.Option(help="start from the first page again")] = False,
) -> None:
    """Fill the pseudonym vault from the population system (resumable: a stopped run continues)."""
    import asyncio

    from adapters.errors import SourceError
    from hub.sync import sync_population

    if max_pages is not None and max_pages <= 0:
        raise _fail(f"--max-pages must be positive, not {max_pages}")
    if not 1 <= page_size <= 1000:
        raise _fail(f"--page-size must be between 1 and 1000, not {page_size}")
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    try:
        report = asyncio.run(sync_population(settings, region_code=region, max_pages=max_pages,
                                             page_size=page_size, restart=restart,
                                             say=lambda m: typer.echo(m, err=True)))
    except SourceError as exc:
        raise _fail(f"population system: {exc} (the run can be repeated: it resumes)", code=1) from exc
    total = f" of {report.total:,}" if report.total is not None else ""
    state = "complete" if report.completed else "stopped early: run again to continue"
    typer.echo(f"person index: {report.remembered:,} persons remembered{total} in {report.pages} pages, "
               f"{report.malformed} malformed records skipped; {state}")


outbox_app = typer.Typer(help="Outbound data: the provincial data centre and the 双公示 credit platform.",
                         no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("status")
def outbox_status_command(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Messages per destination: pending, delivered, dead (rejected by the receiver), the last error."""
    import asyncio
    import json

    from hub import outbox

    try:
        rows = asyncio.run(outbox.status(load_settings()))
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(outbox.status_json(rows), ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("the outbox is empty")
    for r in rows:
        oldest = f", oldest pending since {r.oldest_pending_at:%Y-%m-%d %H:%M:%S} UTC" if r.oldest_pending_at else ""
        typer.echo(f"{r.topic}: {r.pending:,} pending, {r.delivered:,} delivered, {r.dead:,} dead{oldest}")
        if r.last_error:
            typer.echo(f"  last error: {r.last_error}")
    if any(r.dead for r in rows):
        raise typer.Exit(1)


@outbox_app.command("deliver")
def outbox_deliver_command(
    max_steps: Annotated[int, typer.Option(help="stop after this many batches per destination")] = 10_000,
) -> None:
    """Deliver what is due now to the configured receivers (what the cases subgraph does every few seconds)."""
    import asyncio

    from hub import outbox

    if max_steps <= 0:
        raise _fail(f"--max-steps must be positive, not {max_steps}")
    try:
        report = asyncio.run(outbox.deliver(load_settings(), max_steps=max_steps,
                                            say=lambda m: typer.echo(m, err=True)))
    except (SettingsError, outbox.OutboxCommandError) as exc:
        raise _fail(str(exc)) from exc
    for topic in sorted(set(report.delivered) | set(report.dead) | set(report.failed)):
        typer.echo(f"{topic}: {report.delivered.get(topic, 0):,} delivered, {report.dead.get(topic, 0):,} rejected "
                   f"(dead), {report.failed.get(topic, 0):,} failed attempts")
    for topic in sorted(report.leased_elsewhere):
        typer.echo(f"{topic}: another relay (the cases subgraph) is delivering it now; left to it")
    if not (report.delivered or report.dead or report.failed or report.leased_elsewhere):
        typer.echo("nothing was due")
    if report.failed or report.dead:
        raise typer.Exit(1)


@outbox_app.command("retry")
def outbox_retry_command(
    topic: Annotated[str | None, typer.Option(help="only this destination (datacentre.case, credit.penalty)")] = None,
) -> None:
    """Put dead messages back in the queue, with their attempts from zero (after the cause is fixed)."""
    import asyncio

    from hub import outbox

    try:
        n = asyncio.run(outbox.retry(load_settings(), topic=topic))
    except (SettingsError, outbox.OutboxCommandError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{n:,} dead messages queued again")


db_app = typer.Typer(help="The hub's own store (cases, supervision, catalogue, personnel).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Apply the store's migrations (SQLite file under data/ by default, or HUB_DATABASE_URL)."""
    from subgraphs.common.migrate import upgrade_sync

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from exc
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.store_url
    upgrade_sync(url, revision)
    typer.echo(f"store at {_redact(url)} is at revision {revision}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


app.command("logs")(logs_command)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
