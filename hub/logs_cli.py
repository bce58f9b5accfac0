"""`hub logs PART`: show the end of one part's log file under the data directory and follow it (like tail -f)."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.logfiles import SIM_PREFIX, follow, log_path, logs_dir, tail
from hub.settings import SettingsError, load_settings


def known_parts() -> list[str]:
    """Every part `hub up` can start: the simulated systems, the subgraphs and the gateway."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    return ["gateway", *SUBGRAPHS, *(f"{SIM_PREFIX}{name}" for name in SIMULATORS)]


def logs(
    part: Annotated[str, typer.Argument(help="the part: gateway, a subgraph (cases, ...) or a simulated system (sim-population, ...)")],
    lines: Annotated[int, typer.Option("--lines", "-n", help="how many of the last lines to show first")] = 20,
    follow_file: Annotated[bool, typer.Option("--follow/--no-follow", help="keep printing new lines (Ctrl-C ends)")] = True,
) -> None:
    """Show the last lines of one part's log file (data/logs/PART.log, written by `hub up`) and follow it."""
    parts = known_parts()
    if part not in parts:
        typer.secho(f"unknown part {part!r}: one of {', '.join(parts)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    if lines < 0:
        typer.secho(f"--lines must be 0 or more, not {lines}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    path = log_path(settings.data_dir, part)
    if not path.is_file():
        typer.secho(f"no log for {part} yet in {logs_dir(settings.data_dir)}: `hub up` writes it", err=True,
                    fg=typer.colors.RED)
        raise typer.Exit(1)
    for line in tail(path, lines):
        typer.echo(line)
    if not follow_file:
        return
    try:
        for line in follow(path):
            typer.echo(line)
    except KeyboardInterrupt:
        return
