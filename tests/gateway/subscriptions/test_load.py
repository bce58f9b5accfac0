"""N concurrent subscriptions held H seconds by a bounded client (HUB_SUBS_COUNT, default 200;
HUB_SUBS_HOLD_S, default 5); the 1,000 × 60 s run with memory figures is bench/bench_subscriptions.py."""

from __future__ import annotations

import os
from pathlib import Path

from .harness import running_graph
from .load import hold_subscriptions
from .ws_client import wait_until

COUNT = int(os.environ.get("HUB_SUBS_COUNT", "200"))
HOLD_S = float(os.environ.get("HUB_SUBS_HOLD_S", "5"))


async def test_many_subscriptions_held_then_released(tmp_path: Path) -> None:
    with running_graph(tmp_path, events=[("a1", "HIGH", "c1")]) as graph:
        alerts = graph.servers["alerts"]
        alerts.hold_open = True
        seen_open: list[int] = []

        async def sample() -> None:
            await wait_until(lambda: alerts.ws_open >= COUNT, timeout_s=HOLD_S)
            seen_open.append(alerts.ws_open)

        # a light selection: fields from other subgraphs per event are what the stream tests and the
        # benchmark check; here it is holding many at once
        held = await hold_subscriptions(graph.ws, COUNT, HOLD_S, "subscription { alertRaised { id seq } }",
                                        {"data": {"alertRaised": {"id": "a1", "seq": 1}}}, during_hold=sample)
        await wait_until(lambda: alerts.ws_open == 0, timeout_s=10)
        closed_after = alerts.ws_open
    assert held.failures == []
    assert held.wrong_events == []
    assert held.subscriptions == COUNT
    assert held.first_events == COUNT  # each one got its event
    assert seen_open == [COUNT]  # one subgraph subscription each, all held open
    assert held.alive_after_hold == held.connections
    assert closed_after == 0  # the clients leaving closed every subgraph subscription
