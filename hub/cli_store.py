"""The hub's own store from the command line: `hub db upgrade` creates and migrates it, `hub db import`
brings departments' historical cases into it; `existing_store` is how every other command that
reads or changes it makes sure it is there first.

Only `hub db upgrade`, `hub seed`, `hub up` and `hub subgraph` create or migrate a store. Any other
command meeting a missing store (a SQLite file that is not there: typically a command run outside
the hub's directory) or one not migrated to this hub's revision says so and names the command to
run; it never leaves an empty `./data/hub.db` behind.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from hub.cli_common import FOUND_PROBLEM, CliFailure, fail, load

app = typer.Typer(help="The hub's own store (cases, supervision, catalogue, personnel).", no_args_is_help=True)


def redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite store URL (None for another database or in-memory SQLite)."""
    from subgraphs.common.db import to_async_url

    parsed = to_async_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from subgraphs.common.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


async def _current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import Connection

    from subgraphs.common.db import create_engine

    def revision(connection: Connection) -> str | None:
        heads = MigrationContext.configure(connection).get_current_heads()
        return ",".join(sorted(heads)) if heads else None

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(revision)
    finally:
        await engine.dispose()


def unreachable(url: str, exc: BaseException, *, source: str = "HUB_DATABASE_URL") -> CliFailure:
    """The failure of a store that does not answer (a database server that is down or elsewhere)."""
    reason = getattr(exc, "orig", None) or exc
    return CliFailure(f"cannot open the store at {redact(url)}: {reason}. Check that the database runs and "
                      f"that {source} names it.")


def existing_store(url: str, *, source: str = "HUB_DATABASE_URL (or HUB_DATA_DIR for the SQLite file)") -> str:
    """`url` when a store is there at this hub's revision; else a `CliFailure` naming what to do."""
    import sqlalchemy.exc

    file = sqlite_file(url)
    fix = ("run `hub db upgrade` to create an empty one, `hub seed` to create one with data, or run the command "
           "from the hub's directory")
    if file is not None and not file.is_file():
        where = file if file.is_absolute() else f"{file} (in {Path.cwd()})"
        raise CliFailure(f"no store at {where}: {fix}. To use another store, set {source}.")
    try:
        current = asyncio.run(_current_revision(url))
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, OSError) as exc:
        raise unreachable(url, exc, source=source) from exc
    wanted = head_revision()
    if current is None:
        raise CliFailure(f"the store at {redact(url)} is not migrated (no hub tables): run `hub db upgrade`.")
    if current != wanted:
        raise CliFailure(f"the store at {redact(url)} is at revision {current}, this hub needs {wanted}: run "
                         "`hub db upgrade`.")
    return url


def known_revision(revision: str) -> None:
    """Fail before anything is created when `revision` names no migration."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from subgraphs.common.migrate import alembic_config

    try:
        ScriptDirectory.from_config(alembic_config("sqlite://")).get_revisions(revision)
    except CommandError as exc:
        raise fail(f"cannot migrate to {revision!r}: {exc} (the newest revision is {head_revision()}; "
                   "`hub db upgrade` with no argument goes there)") from exc


@app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Apply the store's migrations (SQLite file under data/ by default, or HUB_DATABASE_URL)."""
    from alembic.util import CommandError

    from subgraphs.common.migrate import upgrade_sync

    settings = load()
    url = settings.store_url
    known_revision(revision)
    file = sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    try:
        upgrade_sync(url, revision)
    except CommandError as exc:
        raise fail(f"cannot migrate to {revision!r}: {exc} (the newest revision is {head_revision()}; "
                   "`hub db upgrade` with no argument goes there)") from exc
    except ConnectionError as exc:
        raise unreachable(url, exc) from exc
    typer.echo(f"store at {redact(url)} is at revision {revision}")


@app.command("import")
def db_import(
    file: Annotated[Path, typer.Argument(help="JSON-lines file: one case a line (README: Departments' historical cases)")],
    database: Annotated[str, typer.Option(help="store URL (default: the configured store)")] = "",
    batch: Annotated[int, typer.Option(help="cases written per transaction")] = 1000,
    progress_every: Annotated[int, typer.Option(help="a progress line on standard error every N lines")] = 10_000,
) -> None:
    """Import departments' historical cases, each with a chain of one CaseImported event. Run it again
    with the same file after a crash: cases already stored are skipped, none is written twice."""
    from hub.case_import import run_import

    if not 1 <= batch <= 100_000:
        raise fail(f"--batch must be between 1 and 100000, not {batch}")
    if progress_every < 1:
        raise fail(f"--progress-every must be positive, not {progress_every}")
    settings = load()
    if not file.is_file():
        raise fail(f"{file} does not exist or is not a file: name the JSON-lines file to import")
    url = existing_store(database or settings.store_url,
                         source="--database" if database else "HUB_DATABASE_URL (or HUB_DATA_DIR for the SQLite file)")
    summary = asyncio.run(run_import(url, file, settings, batch=batch, progress_every=progress_every,
                                     note=lambda m: typer.echo(m, err=True)))
    for refusal in summary.refused:
        typer.echo(f"refused {refusal}", err=True)
    typer.echo(str(summary))
    raise typer.Exit(FOUND_PROBLEM if summary.refused else 0)
