"""`hub audit verify|prune`: the tamper-evident records (case event chains and the access log)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.cli_common import FOUND_PROBLEM, fail, load
from hub.cli_store import existing_store

app = typer.Typer(help="Tamper-evident records: case event chains and the access log.", no_args_is_help=True)


def _is_database(url: str) -> bool:
    return url.startswith(("sqlite", "postgresql"))


@app.command("verify")
def audit_verify(
    database: Annotated[str, typer.Option(help="store URL (default: the configured store)")] = "",
) -> None:
    """Walk every hash chain (case events, coercive measures, inspections, access log) and name the first
    record edited, deleted or reordered."""
    from hub.audit import access_log_url, anchor_public_keys, verify_access_log
    from hub.case_audit import verify_case_events, verify_record_events

    settings = load()
    url = existing_store(database or settings.store_url,
                         source="--database" if database else "HUB_DATABASE_URL (or HUB_DATA_DIR for the SQLite file)")
    report = asyncio.run(verify_case_events(url))
    typer.echo(str(report))
    records = asyncio.run(verify_record_events(url))
    typer.echo(str(records))
    log_url = settings.security.audit.store or (url if settings.profile.value == "production"
                                                else access_log_url(settings))
    access = None
    if _is_database(log_url) or Path(log_url).is_file():
        access = verify_access_log(log_url, public_keys=anchor_public_keys(settings))
        typer.echo(str(access))
    else:
        typer.echo(f"access log: none yet at {log_url}")
    raise typer.Exit(0 if report.ok and records.ok and (access is None or access.ok) else FOUND_PROBLEM)


@app.command("prune")
def audit_prune() -> None:
    """Remove access-log records older than the retention period (default 184 days), after signing the
    pruning point so the rest still verifies. Run it daily (cron, a Kubernetes CronJob)."""
    from hub.audit import access_log_url, gateway_security

    settings = load()
    log_url = access_log_url(settings)
    if _is_database(log_url):
        existing_store(log_url, source="security.audit.store (or HUB_DATABASE_URL)")
    elif not Path(log_url).is_file():
        raise fail(f"no access log at {log_url}: the gateway writes it as it serves (run the command from the "
                   "hub's directory, or set HUB_DATA_DIR or security.audit.store to where the log is).")
    _, access_log = gateway_security(settings)

    async def run() -> int:
        await access_log.open()
        try:
            return await access_log.prune()
        finally:
            await access_log.close()

    try:
        removed = asyncio.run(run())
    except RuntimeError as exc:
        raise fail(f"cannot prune: {exc} (set security.audit.anchor_private_key, HUB_SECURITY__AUDIT__"
                   "ANCHOR_PRIVATE_KEY: an SM2 private key of 64 hex digits)") from exc
    typer.echo(f"access log: {removed} record(s) older than {settings.security.audit.retention_days} days removed")
