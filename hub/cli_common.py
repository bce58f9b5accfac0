"""What every `hub` command shares: how it fails, how it reads the settings, and the last safety net.

Exit statuses (the README's "The `hub` command" lists them too):

* 0: done.
* 1: the command ran and found a problem: a check failed (damaged chain, stale generated file,
  breaking change), a message is dead, a delivery or a departmental system failed on the way.
* 2: the command could not start: a bad argument, bad settings, a missing file, store or data
  directory, a service it needs that does not answer. Nothing was changed.
* 70: an unexpected error (a bug): one paragraph names it; `HUB_DEBUG=1` shows the traceback.

Every failure prints one paragraph on standard error that names what to do; none prints a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from hub.settings import Settings

USAGE = 2
FOUND_PROBLEM = 1
INTERNAL = 70
DEBUG_ENV = "HUB_DEBUG"


class CliFailure(Exception):
    """A failure the command names; `main` prints the message and exits with `code`."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def fail(message: str, code: int = USAGE) -> typer.Exit:
    """Print `message` on standard error; return the `typer.Exit` to raise (`raise fail(...)`)."""
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def load(**overrides: Any) -> Settings:
    """The hub settings (`overrides` above every source), or a clear failure naming every bad key."""
    from hub.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        raise fail(f"{exc}\nFix hub.toml or the HUB_* variable named above (README: Settings).") from exc


def _describe(exc: BaseException) -> tuple[str, int] | None:
    """A one-paragraph message and exit status for the failures every command can meet, else None."""
    import httpx
    import sqlalchemy.exc

    from hub.settings import SettingsError
    from subgraphs.common.db import DatabaseUrlError

    if isinstance(exc, CliFailure):
        return exc.message, exc.code
    if isinstance(exc, SettingsError):
        return f"{exc}\nFix hub.toml or the HUB_* variable named above (README: Settings).", USAGE
    if isinstance(exc, DatabaseUrlError):
        return f"{exc} (HUB_DATABASE_URL or --store / --database)", USAGE
    if isinstance(exc, httpx.TransportError):
        where = ""
        with contextlib.suppress(RuntimeError):  # an error raised before a request was made names none
            where = f" {exc.request.url}"
        return (f"cannot reach{where}: {exc or type(exc).__name__}. Start that service (`hub up` starts every "
                "part on this machine) or point the settings at where it runs.", USAGE)
    if isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
        reason = str(exc.orig) if exc.orig is not None else str(exc).splitlines()[0]
        return (f"the store cannot be used: {reason}. Check HUB_DATABASE_URL / HUB_DATA_DIR, and run "
                "`hub db upgrade` to create or migrate it.", USAGE)
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        target = f": {exc.filename}" if exc.filename else ""
        return (f"{exc.strerror or exc}{target}. Check the path (HUB_DATA_DIR sets the data directory, "
                "default ./data) and that you may write there.", USAGE)
    if isinstance(exc, ConnectionError | TimeoutError):
        return (f"a service did not answer: {exc}. Start it (`hub up` starts every part on this machine) "
                "or point the settings at where it runs.", USAGE)
    return None


def run(app: Callable[[], object]) -> NoReturn:
    """Run the Typer app; turn every expected failure into its message and exit status, never a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True, fg=typer.colors.RED)
        sys.exit(130)
    except BaseException as exc:  # the safety net: one paragraph, never a traceback
        known = _describe(exc)
        if known is not None:
            message, code = known
        else:
            message = (f"unexpected error: {type(exc).__name__}: {exc}. This is a bug in the hub; run the command "
                       f"again with {DEBUG_ENV}=1 to see where it happened, and report it with that output.")
            code = INTERNAL
        if os.environ.get(DEBUG_ENV):
            traceback.print_exception(exc, file=sys.stderr)
        typer.secho(message, err=True, fg=typer.colors.RED)
        sys.exit(code)
    sys.exit(0)
