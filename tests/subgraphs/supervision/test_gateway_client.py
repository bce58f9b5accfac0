"""The gateway client batches: the number of requests does not grow with the number of cases."""

from __future__ import annotations

import random
from pathlib import Path

import httpx

from subgraphs.cases.ground_truth import Builder, World
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.loader import Reference, build_views
from tests.subgraphs.supervision.fake_gateway import FakeGateway

from .conftest import SECRET


async def _requests_for(world: World, seed_dir: Path, n: int) -> tuple[int, int]:
    builder = Builder(world, 8)
    rng = random.Random(8)
    snaps = [builder.ordinary(f"G-{i:05d}", rng).snapshot for i in range(n)]
    fake = FakeGateway(seed_dir, SECRET)
    async with httpx.AsyncClient(transport=fake.transport()) as client:
        facts = GatewayFacts(client, "http://gw.test/graphql")
        views = await build_views(snaps, facts, Reference({}))
    with_officers = sum(1 for v in views if len(v.officers) >= 2)
    births = sum(1 for v in views if v.party_birth_dates and v.party_birth_dates[0] is not None)
    natural = sum(1 for v in views if v.snapshot.parties[0].id_hash)
    assert with_officers == n
    assert births == natural
    return fake.requests, facts.requests


async def test_requests_do_not_grow_with_cases(world: World, small_seed: Path) -> None:
    few, counted = await _requests_for(world, small_seed, 10)
    many, _ = await _requests_for(world, small_seed, 300)
    assert few == counted
    assert many <= few + 4, (few, many)  # more bodies to alias, never one request per case
    assert many < 12
