"""The production hub the attack modules run against: one per module (separate processes, fresh database)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.security.stack import Hub, production_hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    server = os.environ.get("HUB_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("PostgreSQL not available: HUB_TEST_POSTGRES_URL is unset (make test starts a throwaway "
                    "server when the PostgreSQL binaries are installed); the production profile needs it")
    with production_hub(tmp_path_factory.mktemp("attack"), server) as running:
        yield running
