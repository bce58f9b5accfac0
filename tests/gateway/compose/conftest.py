"""Report the differential agreement figures at the end of the run."""

from __future__ import annotations

import pytest

from tests.gateway.compose.figures import FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("composition agreement with the reference composer")
        for line in FIGURES:
            terminalreporter.write_line(line)
