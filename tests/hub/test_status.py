"""Regression: `hub up` cut its table of URLs to `http://127.0.0.1…` on a narrow terminal or a pipe."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from hub.logfiles import follow, log_path, open_for_part, tail
from hub.status import print_failure, print_status


@dataclass(frozen=True)
class _Part:
    log_name: str
    url: str


PARTS = [_Part("sim-credit_publicity", "http://127.0.0.1:41108"), _Part("supervision", "http://127.0.0.1:41006"),
         _Part("gateway", "http://127.0.0.1:41000")]


@pytest.mark.parametrize("terminal", [True, False])
def test_the_status_table_keeps_every_url_whole_on_a_40_column_terminal_or_a_pipe(terminal: bool) -> None:
    out = io.StringIO()
    console = Console(file=out, width=40, force_terminal=terminal, color_system=None, soft_wrap=True)
    print_status(console, "Enforcement Hub — up in 3.0 s", PARTS, Path("data/logs"))
    lines = out.getvalue().splitlines()
    for part in PARTS:
        row = next(line for line in lines if line.startswith(part.log_name + " "))
        assert row.split() == [part.log_name, "up", part.url]
    assert "…" not in out.getvalue()


def test_a_failing_part_is_shown_with_the_end_of_its_log_file(tmp_path: Path) -> None:
    with open_for_part(tmp_path, "gateway") as log:
        log.write(b"".join(f"line {n}\n".encode() for n in range(1, 31)))
        log.write(b"OSError: [Errno 98] address already in use\n")
    out = io.StringIO()
    print_failure(Console(file=out, width=40, color_system=None, soft_wrap=True), "gateway exited with code 1",
                  log_path(tmp_path, "gateway"))
    lines = out.getvalue().splitlines()
    assert lines[0] == "gateway exited with code 1"
    assert lines[-1] == "  OSError: [Errno 98] address already in use"
    assert "  line 12" in lines
    assert "  line 11" not in lines


def test_a_new_run_keeps_the_previous_runs_log_beside_it(tmp_path: Path) -> None:
    with open_for_part(tmp_path, "cases") as log:
        log.write(b"first run\n")
    with open_for_part(tmp_path, "cases") as log:
        log.write(b"second run\n")
    assert tail(log_path(tmp_path, "cases"), 1) == ["second run"]
    assert (tmp_path / "logs" / "cases.log.1").read_text().splitlines()[-1] == "first run"


def test_follow_yields_appended_lines_and_reads_a_replaced_file_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "gateway.log"
    path.write_text("old\n")
    steps = iter([lambda: _append(path, "one\ntw"), lambda: _append(path, "o\n"),
                  lambda: _replace(path, "fresh\n")])

    sleeps = 0

    def sleep(_: float) -> None:
        nonlocal sleeps
        sleeps += 1
        next(steps, lambda: None)()

    seen: list[str] = []
    for line in follow(path, poll_s=0, sleep=sleep, stop=lambda: len(seen) >= 3 or sleeps > 50):  # bounded
        seen.append(line)
    assert seen == ["one", "two", "fresh"]


def _append(path: Path, text: str) -> None:
    with path.open("a") as fh:
        fh.write(text)


def _replace(path: Path, text: str) -> None:
    new = path.with_name("new.log")
    new.write_text(text)
    new.replace(path)
