"""`hub seed`: the deterministic synthetic data set, and the ground-truth cases written into the store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hub.cli_common import fail, load
from hub.cli_store import unreachable


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
    from hub.seeding import DEFAULT_CASES, StoreNotEmpty, seed_command
    from simulators.datagen.generator import SIZES

    if size not in SIZES:
        raise fail(f"--size must be one of {', '.join(SIZES)}, not {size!r}")
    if cases is not None and cases < 0:
        raise fail(f"--cases must be 0 or more, not {cases}")
    settings = load()
    count = DEFAULT_CASES[size] if cases is None else cases
    try:
        seed_command(settings, size=size, seed=seed, out=out, count=count, url=store or settings.store_url,
                     progress=progress and sys.stderr.isatty(), say=typer.echo,
                     note=lambda m: typer.echo(m, err=True))
    except StoreNotEmpty as exc:
        raise fail(str(exc)) from exc
    except ConnectionError as exc:  # the only server seeding talks to is the store's
        raise unreachable(store or settings.store_url, exc, source="--store" if store else "HUB_DATABASE_URL") \
            from exc
