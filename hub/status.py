"""What `hub up` shows on the terminal: a short status table (part, state, URL) and a failing part's log tail.

Plain aligned text, never cut: the URLs are the point of the table, whatever the terminal's width or
when the output is a pipe (the console soft-wraps: a long line is left for the terminal to wrap).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.markup import escape

from hub.logfiles import tail

#: lines of a failing part's log shown on the terminal
TAIL_LINES = 20


class Shown(Protocol):
    @property
    def log_name(self) -> str: ...

    @property
    def url(self) -> str: ...


def console() -> Console:
    """The runner's console: lines are never wrapped or cut by it."""
    return Console(soft_wrap=True)


def table_lines(rows: Sequence[tuple[str, str, str]]) -> list[str]:
    """`rows` of (part, state, URL) as aligned text lines under a header."""
    header = ("part", "state", "URL")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(2)]
    return [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip() for r in (header, *rows)]


def print_status(out: Console, title: str, parts: Sequence[Shown], logs: Path,
                 states: Mapping[str, str] | None = None) -> None:
    """The table of `parts` (state ``up`` unless `states` says otherwise) and where their logs are."""
    out.print(f"[bold]{escape(title)}[/bold]")
    for line in table_lines([(p.log_name, (states or {}).get(p.log_name, "up"), p.url) for p in parts]):
        out.print(escape(line), highlight=False)
    out.print(f"each part's output: {logs}/PART.log (follow one with `hub logs PART`)", highlight=False)


def print_failure(out: Console, message: str, log: Path) -> None:
    """`message` in red, then the end of the part's log file (what it said before it stopped)."""
    out.print(f"[red]{escape(message)}[/red]")
    lines = tail(log, TAIL_LINES)
    if not lines:
        out.print(f"(nothing in {log})", highlight=False)
        return
    out.print(f"last {len(lines)} lines of {log}:", highlight=False)
    for line in lines:
        out.print("  " + escape(line), highlight=False)
