"""Fixtures of the console's tests: one `hub up` stack per test process, and an in-process console over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser_kit import launch
from tests.web.stack import ConsoleStack, InProcessConsole, console_stack, in_process_console


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, small_seed: Path) -> Iterator[ConsoleStack]:
    with console_stack(tmp_path_factory.mktemp("console"), small_seed) as running:
        yield running


@pytest.fixture(scope="session")
def console(stack: ConsoleStack) -> Iterator[InProcessConsole]:
    with in_process_console(stack) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium for one test module (skips, saying why, where it is not installed)."""
    with launch() as running:
        yield running
