"""The production hub the attack modules run against: separate processes on a fresh database, started once
per test process and shared by the attack modules (each module's attacks leave nothing another relies on:
what they try to write is refused, and what the controls write is their own campaign or case)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.security.stack import Hub, production_hub


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    server = os.environ.get("HUB_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("PostgreSQL not available: HUB_TEST_POSTGRES_URL is unset (make test starts a throwaway "
                    "server when the PostgreSQL binaries are installed); the production profile needs it")
    with production_hub(tmp_path_factory.mktemp("attack"), server) as running:
        yield running
