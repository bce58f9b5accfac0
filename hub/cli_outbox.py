"""`hub outbox status|deliver|retry`: the outbound messages (provincial data centre, 双公示 credit platform)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from hub.cli_common import FOUND_PROBLEM, fail, load
from hub.cli_store import existing_store
from hub.settings import Settings

app = typer.Typer(help="Outbound data: the provincial data centre and the 双公示 credit platform.",
                  no_args_is_help=True)


def _settings() -> Settings:
    settings = load()
    existing_store(settings.store_url)
    return settings


@app.command("status")
def outbox_status_command(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Messages per destination: pending, delivered, dead (rejected by the receiver), the last error."""
    from hub import outbox

    rows = asyncio.run(outbox.status(_settings()))
    if as_json:
        typer.echo(json.dumps(outbox.status_json(rows), ensure_ascii=False, indent=2))
    else:
        if not rows:
            typer.echo("the outbox is empty")
        for r in rows:
            oldest = f", oldest pending since {r.oldest_pending_at:%Y-%m-%d %H:%M:%S} UTC" if r.oldest_pending_at else ""
            typer.echo(f"{r.topic}: {r.pending:,} pending, {r.delivered:,} delivered, {r.dead:,} dead{oldest}")
            if r.last_error:
                typer.echo(f"  last error: {r.last_error}")
    if any(r.dead for r in rows):
        raise typer.Exit(FOUND_PROBLEM)


@app.command("deliver")
def outbox_deliver_command(
    max_steps: Annotated[int, typer.Option(help="stop after this many batches per destination")] = 10_000,
) -> None:
    """Deliver what is due now to the configured receivers (what the cases subgraph does every few seconds;
    in dev, to the simulated receivers `hub up` starts, unless others are configured)."""
    from hub import outbox

    if max_steps <= 0:
        raise fail(f"--max-steps must be positive, not {max_steps}")
    settings = _settings()
    try:
        report = asyncio.run(outbox.deliver(settings, max_steps=max_steps, say=lambda m: typer.echo(m, err=True)))
    except outbox.OutboxCommandError as exc:
        raise fail(str(exc)) from exc
    for topic in sorted(set(report.delivered) | set(report.dead) | set(report.failed)):
        typer.echo(f"{topic}: {report.delivered.get(topic, 0):,} delivered, {report.dead.get(topic, 0):,} rejected "
                   f"(dead), {report.failed.get(topic, 0):,} failed attempts")
    for topic in sorted(report.leased_elsewhere):
        typer.echo(f"{topic}: another relay (the cases subgraph) is delivering it now; left to it")
    if not (report.delivered or report.dead or report.failed or report.leased_elsewhere):
        typer.echo("nothing was due")
    if report.failed:
        typer.secho("some deliveries failed (the reasons are above): the messages wait and are sent again later; "
                    "check that the receiver runs (`hub up` starts the simulated ones in dev) and `hub outbox "
                    "deliver` again", err=True, fg=typer.colors.RED)
    if report.failed or report.dead:
        raise typer.Exit(FOUND_PROBLEM)


@app.command("retry")
def outbox_retry_command(
    topic: Annotated[str | None, typer.Option(help="only this destination (datacentre.case, credit.penalty)")] = None,
) -> None:
    """Put dead messages back in the queue, with their attempts from zero (after the cause is fixed)."""
    from hub import outbox
    from subgraphs.cases.outbox.messages import TOPICS

    if topic is not None and topic not in TOPICS:
        raise fail(f"unknown topic {topic!r}; known: {', '.join(TOPICS)}")
    n = asyncio.run(outbox.retry(_settings(), topic=topic))
    typer.echo(f"{n:,} dead messages queued again")
