"""What the dashboard's tests share: waiting until the figures behind the page have settled."""

from __future__ import annotations

import time

from tests.web.stack import ConsoleStack

SETTLE_BOUND_S = 120.0  # a bound, not a speed target


def settled_figures(stack: ConsoleStack) -> None:
    """Wait until the supervision sweeps that follow the seeding have settled: the same alerts and rates
    twice running (the page and the test read the graph moments apart; a sweep between would differ)."""
    query = "{ supervisionBodyRates { bodyId cases alerts decisionOnTimeRate } supervisionAlerts { total } }"
    deadline = time.monotonic() + SETTLE_BOUND_S
    last = None
    while time.monotonic() < deadline:
        now = stack.graph(query, purpose="SUPERVISION").get("data")
        if now is not None and now == last:
            return
        last = now
        time.sleep(2.0)
    raise AssertionError("the supervision figures did not settle")
