"""`hub up`: every part of the hub on this machine, on the demo data or on the README's walkthrough data.

`--data demo` (the default): on first run the simulators' files are generated and 60 demo cases in
every state are written through the state machine once the hub is up. `--data ground-truth`: on
first run `hub seed` writes the files and the ground-truth cases with their known supervision
violations (the data the README's walkthroughs assume), and supervision evaluates as of the ground
truth's instant (`HUB_SUPERVISION_AS_OF`), so that `hub supervise sweep --as-of` and the follower agree.
"""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from hub.cli_common import fail, load
from hub.settings import Profile, Settings

DATA_SETS = ("demo", "ground-truth")


def up(
    size: Annotated[str, typer.Option(help="seed size used on first run: small, medium or large")] = "small",
    data: Annotated[str, typer.Option(help="data seeded on first run: demo (60 demo cases in every state) or "
                                           "ground-truth (`hub seed`'s cases: the README's walkthrough data)")] = "demo",
    profile: Annotated[str, typer.Option(help="production: a trial of the production profile on this machine "
                                              "(README, Running in production)")] = "",
) -> None:
    """Start every part of the hub on this machine (SQLite files under ./data) and print the URLs."""
    from hub.runner import run_all
    from hub.trial import up_command
    from simulators.datagen.generator import SIZES

    if size not in SIZES:
        raise fail(f"--size must be one of {', '.join(SIZES)}, not {size!r}")
    if data not in DATA_SETS:
        raise fail(f"--data must be one of {', '.join(DATA_SETS)}, not {data!r}")
    if profile == Profile.PRODUCTION.value:
        if data != "demo":
            raise fail("--data is synthetic data for dev: the production profile's trial seeds only the departments")
        raise typer.Exit(up_command(size=size, profile=profile))
    if profile not in {"", Profile.DEV.value}:
        raise fail(f"--profile must be dev or production, not {profile!r}")
    settings = load(**({"profile": Profile.DEV} if profile else {}))
    if data == "ground-truth":
        if settings.profile is Profile.PRODUCTION:
            raise fail("--data ground-truth is synthetic data for dev: the production profile seeds nothing")
        ground_truth(settings, size)
    raise typer.Exit(run_all(settings, size=size))


def ground_truth(settings: Settings, size: str) -> None:
    """Seed the ground-truth data set into a fresh data directory (or reuse it); evaluate as of its instant."""
    from hub.seeding import DEFAULT_CASES, StoreNotEmpty, seed_command
    from subgraphs.cases.ground_truth import GROUND_TRUTH
    from subgraphs.supervision.sweep import AS_OF_ENV

    seed_dir = settings.data_dir / "seed"
    truth = seed_dir / GROUND_TRUTH
    if truth.is_file():
        typer.echo(f"using the ground-truth data in {seed_dir}")
    elif (seed_dir / "manifest.json").is_file():
        raise fail(f"{settings.data_dir} holds the demo data of an earlier run: remove it (`make clean-data`, or "
                   f"rm -r {settings.data_dir}) and start again to seed the ground-truth data")
    else:
        typer.echo(f"seeding the ground-truth data into {seed_dir} and the store (size {size}, seed "
                   f"{settings.seed.seed}) ...")
        try:
            seed_command(settings, size=size, seed=settings.seed.seed, out=seed_dir, count=DEFAULT_CASES[size],
                         url=settings.store_url, progress=False, say=typer.echo, note=typer.echo)
        except StoreNotEmpty as exc:
            raise fail(f"{exc} (`make clean-data` removes the data of an earlier run)") from exc
    as_of = json.loads(truth.read_text(encoding="utf-8"))["as_of"]
    os.environ.setdefault(AS_OF_ENV, as_of)  # the parts `hub up` starts inherit it
    typer.echo(f"supervision evaluates as of {os.environ[AS_OF_ENV]} ({AS_OF_ENV}); sweep with "
               f"`hub supervise sweep --as-of {as_of}`")
