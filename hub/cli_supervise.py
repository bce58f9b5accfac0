"""`hub supervise sweep` and `hub sync population`: the supervision platform's jobs over the whole store."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli_common import fail, load
from hub.cli_store import existing_store

supervise_app = typer.Typer(help="The supervision platform: alert sweeps over every case.", no_args_is_help=True)
sync_app = typer.Typer(help="Bulk synchronisation with departmental systems.", no_args_is_help=True)


@supervise_app.command("sweep")
def supervise_sweep(
    json_output: Annotated[bool, typer.Option("--json", help="print the alerts as JSON")] = False,
    as_of: Annotated[str, typer.Option(help="evaluation instant, ISO 8601 with an offset (default: now, or "
                                            "HUB_SUPERVISION_AS_OF)")] = "",
    workers: Annotated[int, typer.Option(help="processes evaluating the cases (0: one per core, from 20,000 "
                                              "cases on; 1: the sweep's own process)")] = 0,
) -> None:
    """Evaluate rules S01-S34 over every case, fetching other departments' facts through the gateway in batches."""
    from datetime import datetime

    from hub.supervise import sweep_command

    try:
        when = datetime.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise fail(f"--as-of: {exc} (for example 2026-10-30T10:00:00+08:00)") from exc
    if when is not None and when.tzinfo is None:
        raise fail(f"--as-of needs an offset, for example {as_of}+08:00")
    if workers < 0:
        raise fail(f"--workers must be 0 (one per core) or more, got {workers}")
    settings = load()
    existing_store(settings.store_url)
    code = sweep_command(settings, as_json=json_output, as_of=when, workers=workers or None)
    if code != 0:
        from subgraphs.supervision.service_token import ServiceClient

        typer.secho(f"the sweep reads other departments' facts through the gateway at "
                    f"{ServiceClient.from_settings(settings).gateway_url}: if that is what failed, check that the "
                    "hub is up (`hub up`) and that supervision.gateway_url or HUB_GATEWAY__PORT names it",
                    err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


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
        raise fail(f"--max-pages must be positive, not {max_pages}")
    if not 1 <= page_size <= 1000:
        raise fail(f"--page-size must be between 1 and 1000, not {page_size}")
    settings = load()
    existing_store(settings.store_url)
    try:
        report = asyncio.run(sync_population(settings, region_code=region, max_pages=max_pages,
                                             page_size=page_size, restart=restart,
                                             say=lambda m: typer.echo(m, err=True)))
    except SourceError as exc:
        raise fail(f"population system: {exc} (the run can be repeated: it resumes)", code=1) from exc
    total = f" of {report.total:,}" if report.total is not None else ""
    state = "complete" if report.completed else "stopped early: run again to continue"
    typer.echo(f"person index: {report.remembered:,} persons remembered{total} in {report.pages} pages, "
               f"{report.malformed} malformed records skipped; {state}")
