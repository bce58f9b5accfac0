"""Regression: every `hub up` printed `supervision follower: step failed (SOURCE_UNAVAILABLE): gateway
unreachable` before the gateway was up. The follower now waits quietly for it at start."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from subgraphs.cases.ground_truth import AS_OF, seed_with_violations
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.errors import FactsUnavailable, GatewayUnreachable
from subgraphs.supervision.follower import CaseEventFollower, StartPatience
from subgraphs.supervision.gateway_client import GatewayFacts
from tests.subgraphs.supervision.conftest import SECRET
from tests.support.servers import free_port

FOLLOWER = "subgraphs.supervision.follower"


def test_an_unreachable_gateway_at_start_is_said_once_then_warned_after_the_grace() -> None:
    now = [0.0]
    patience = StartPatience(30.0, clock=lambda: now[0])
    unreachable = GatewayUnreachable("gateway unreachable: ConnectError")
    assert patience.level(unreachable) == logging.INFO
    now[0] = 10.0
    assert patience.level(unreachable) == logging.DEBUG
    now[0] = 30.0
    assert patience.level(unreachable) == logging.WARNING


def test_other_failures_and_failures_after_the_gateway_answered_are_warned_at_once() -> None:
    patience = StartPatience(30.0, clock=lambda: 0.0)
    assert patience.level(FactsUnavailable("officers: gateway errors ['MAX_FIELDS_EXCEEDED']")) == logging.WARNING
    patience.succeeded(asked_gateway=False)  # a step with nothing to evaluate did not ask the gateway
    assert patience.level(GatewayUnreachable("gateway unreachable")) == logging.INFO
    patience.succeeded(asked_gateway=True)
    assert patience.level(GatewayUnreachable("gateway unreachable")) == logging.WARNING


@pytest.mark.parametrize(("grace_s", "warned"), [(3600.0, False), (2.5, True)])
async def test_the_follower_waits_quietly_for_a_gateway_that_is_not_up(
        small_seed: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, grace_s: float, warned: bool) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    await seed_with_violations(url, small_seed, tmp_path, seed=8, count=5, secret=SECRET)
    engine = create_engine(url)
    stop = asyncio.Event()
    ticks = [0.0]

    def clock() -> float:  # one tick per failed step (and one at start); the run ends after a few steps
        ticks[0] += 1
        if ticks[0] > 5:
            stop.set()
        return ticks[0]

    caplog.set_level(logging.DEBUG, logger=FOLLOWER)
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:  # nothing listens on this port: real refusals
            facts = GatewayFacts(client, f"http://127.0.0.1:{free_port()}/graphql")
            follower = CaseEventFollower(engine, facts, settle_s=0, as_of=lambda: AS_OF)
            await asyncio.wait_for(follower.run(stop, interval_s=0.01, start_grace_s=grace_s, clock=clock), 60)
    finally:
        await engine.dispose()
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == FOLLOWER]
    waiting = [m for level, m in said if level == logging.INFO and "waiting for the gateway" in m]
    failed = [m for level, m in said if level == logging.WARNING and "step failed (SOURCE_UNAVAILABLE)" in m]
    assert len(waiting) == 1, said
    assert len([m for level, m in said if level == logging.DEBUG]) >= 1, said
    assert bool(failed) is warned, said
