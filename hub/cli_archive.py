"""`hub archive export|verify`: the electronic case file (电子卷宗) of one case, and its offline check."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.cli_common import FOUND_PROBLEM, fail, load
from hub.cli_store import existing_store

app = typer.Typer(help="Electronic case files: export one case, verify an archive offline.", no_args_is_help=True)


@app.command("export")
def archive_export(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    out: Annotated[Path | None, typer.Option(help="archive file (default: CASE_ID.zip)")] = None,
) -> None:
    """Write one archive with the case's documents, evidence, event log and an SM2-signed SM3 manifest."""
    from hub.archive import ArchiveError, export_case

    url = existing_store(load().store_url)
    target = out or Path(f"{case_id}.zip")
    if not target.parent.is_dir():
        raise fail(f"cannot write {target}: the directory {target.parent} does not exist")
    try:
        asyncio.run(export_case(url, case_id, target))
    except ArchiveError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"wrote {target}")


@app.command("verify")
def archive_verify(file: Annotated[Path, typer.Argument(help="an archive written by `hub archive export`")]) -> None:
    """Check an archive offline: every member's SM3, the event chain and the seals."""
    from hub.archive import verify_archive

    if not file.is_file():
        raise fail(f"{file} does not exist (`hub archive export CASE_ID` writes one)")
    report = verify_archive(file)
    typer.echo(str(report))
    raise typer.Exit(0 if report.ok else FOUND_PROBLEM)
