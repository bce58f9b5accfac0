"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import tls_once
from tests.support.db import fresh_postgres_database

tls_once.install()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the throwaway PostgreSQL server `make test` starts; skips with the reason otherwise."""
    url = os.environ.get("HUB_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not available: HUB_TEST_POSTGRES_URL is unset "
                    "(make test starts a throwaway server when the PostgreSQL binaries are installed)")
    return url


@pytest.fixture(scope="session")
def small_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small synthetic data set (seed 7), generated once per test session."""
    from simulators.datagen.generator import generate

    out = tmp_path_factory.mktemp("seed-small")
    generate(size="small", seed=7, out=out, progress=False)
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for one test: a SQLite file, and a new PostgreSQL database.

    Tests taking this fixture run on both backends; the PostgreSQL variant skips (saying why)
    when no server is available.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub-test.db'}"
        return
    server = request.getfixturevalue("postgres_url")
    async with fresh_postgres_database(server) as url:
        yield url


_backend_outcomes: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count, per store backend, the tests that ran (shown at the end of the run)."""
    if report.when != "call" and not (report.when == "setup" and report.outcome == "skipped"):
        return
    backend = "postgresql" if "[postgresql" in report.nodeid or "postgres" in report.keywords else None
    if backend is None and "[sqlite" in report.nodeid:
        backend = "sqlite"
    if backend:
        counts = _backend_outcomes.setdefault(backend, {})
        counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    server = os.environ.get("HUB_TEST_POSTGRES_URL")
    where = f"PostgreSQL server {server.split('@')[-1]}" if server else "no PostgreSQL server"
    for backend in ("sqlite", "postgresql"):
        counts = _backend_outcomes.get(backend, {})
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "none"
        suffix = f" ({where})" if backend == "postgresql" else ""
        terminalreporter.write_line(f"store tests on {backend}: {summary}{suffix}")


#: the test files that take longest (each starts a stack of processes or drives a browser), handed to the
#: test processes first so that two long files do not end the run one after the other on a single process
SLOW_FIRST = (
    "tests/integration/test_faults_under_load.py",
    "tests/security/test_fuzz_gateway.py",
    "tests/integration/test_supervisor_questions.py",
    "tests/web/test_console_attacks_pages.py",
    "tests/gateway/differential/",
    "tests/integration/",
    "tests/security/",
    "tests/web/",
)


def _slowness_rank(nodeid: str) -> int:
    return next((i for i, prefix in enumerate(SLOW_FIRST) if nodeid.startswith(prefix)), len(SLOW_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow files first, the rest in their usual order (a stable sort: each file's tests stay together)."""
    items.sort(key=lambda item: _slowness_rank(item.nodeid))
