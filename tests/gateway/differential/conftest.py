"""Session fixtures of the differential suite: the reference packages and the running fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .pool import FixturePool
from .reference import ReferenceUnavailable, ensure_installed, skip_or_fail


@pytest.fixture(scope="session")
def reference_packages() -> Path:
    """The folder holding the installed reference packages and scripts (installed once, under a lock).

    Skips with the reason when Node.js or the install is unavailable; fails instead when CI=true.
    """
    try:
        return ensure_installed()
    except ReferenceUnavailable as exc:
        skip_or_fail(str(exc))


@pytest.fixture(scope="session")
def fixture_pool(reference_packages: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixturePool]:
    pool = FixturePool(tmp_path_factory.mktemp("differential"))
    try:
        yield pool
    finally:
        pool.close()
