"""Fixtures of the supervision tests: the small data set's world and a fake gateway over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from subgraphs.cases.ground_truth import World, load_world

SECRET = b"supervision-test-pepper"


@pytest.fixture(scope="session")
def world(small_seed: Path) -> World:
    return load_world(small_seed, SECRET)
