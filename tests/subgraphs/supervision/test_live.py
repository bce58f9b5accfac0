"""`Subscription.alertRaised` over real WebSocket (graphql-transport-ws) to the supervision app served by uvicorn."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.exceptions import InvalidStatus

from subgraphs.cases.ground_truth import AS_OF, seed_with_violations
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import protect
from subgraphs.supervision.alerts import Alert
from subgraphs.supervision.app import create_app
from subgraphs.supervision.follower import CaseEventFollower
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.live import AlertPublisher, RaisedAlert
from subgraphs.supervision.model import AlertStatus, Severity, SubjectKind
from subgraphs.supervision.rows import AlertRow
from tests.subgraphs.live_kit import KEY, LoopCapture, caller, live_client, served, signed_headers
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.fake_gateway import FakeGateway

SUB = "subscription($f: AlertFilter) { alertRaised(filter: $f) { id ruleId bodyId caseId severity evidence } }"
CITY = caller({"SUPERVISOR"}, region="445100")


_APPS: dict[int, Any] = {}


def _app(url: str, *, queue: int = 256) -> Any:
    inner = create_app(database_url=url, migrate=False, live=True, live_queue=queue)
    outer = protect(inner, keys=[KEY], required=True, audience="supervision")
    _APPS[id(outer)] = inner
    return outer


def _res(cap: LoopCapture) -> Any:
    return _APPS[id(cap.app)].state.resources["resources"]


def _alert(n: int, *, rule: str = "S02", body: str = "BODY-A", evidence_bytes: int = 0) -> RaisedAlert:
    at = datetime(2026, 10, 1, tzinfo=UTC)
    return RaisedAlert(Alert(f"a-{n:05d}", rule, Severity.RED, SubjectKind.CASE, f"case-{n}", f"case-{n}", body,
                             AlertStatus.OPEN, True, {"n": n, "pad": "x" * evidence_bytes}, None, at, at, None, None),
                       "445102")


def _publish(cap: LoopCapture, *events: RaisedAlert) -> Any:
    async def go() -> int:
        feed = _res(cap).alerts
        return sum(feed.publish(e) for e in events)
    return cap.run(go())


async def test_follower_alerts_reach_matching_subscribers_only(database_url: str, small_seed: Path,
                                                               tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the WebSocket path does not depend on the store; SQLite keeps the test short")
    await upgrade(database_url)
    await seed_with_violations(database_url, small_seed, tmp_path, seed=8, count=12, secret=SECRET)
    fake = FakeGateway(small_seed, SECRET)
    with served(_app(database_url)) as (url, cap):
        async with live_client(url, signed_headers("supervision", CITY)) as everyone, \
                live_client(url, signed_headers("supervision", CITY)) as none_rule:
            await everyone.subscribe("1", SUB)
            await none_rule.subscribe("1", SUB, {"f": {"ruleId": "S99"}})  # no such rule: never matches
            await asyncio.sleep(0.2)  # the subscriptions are open before the follower runs

            async def follow() -> int:
                res = _res(cap)
                async with httpx.AsyncClient(transport=fake.transport()) as client:
                    follower = CaseEventFollower(res.engine, GatewayFacts(client, "http://gateway.test/graphql"),
                                                 batch=100_000, as_of=lambda: AS_OF,
                                                 publish=AlertPublisher(res.engine, res.alerts).publish)
                    return (await follower.step()).findings
            assert await cap.run(follow()) > 0
            from subgraphs.common.db import create_engine
            engine = create_engine(database_url)
            try:
                async with engine.connect() as conn:
                    stored = {r.id: r for r in (await conn.execute(select(AlertRow))).all()}
            finally:
                await engine.dispose()
            assert stored
            got = []
            for _ in range(len(stored)):
                message = await everyone.receive()
                assert (message["type"], message["id"]) == ("next", "1"), message
                got.append(message["payload"]["data"]["alertRaised"])
            assert {a["id"] for a in got} == set(stored)  # every raised alert, once
            for a in got:
                row = stored[a["id"]]
                assert (a["ruleId"], a["bodyId"], a["caseId"], a["severity"]) == (
                    row.rule_id, row.body_id, row.case_id, row.severity)
            await _publish(cap, _alert(1, rule="S99"))  # now one that matches both
            first = await none_rule.receive()
            assert first["payload"]["data"]["alertRaised"]["id"] == "a-00001"  # nothing before it
            assert (await everyone.receive())["payload"]["data"]["alertRaised"]["id"] == "a-00001"


async def test_row_scope_filters_and_refusals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    await upgrade(url)
    head_a = caller({"BODY_HEAD"}, body="BODY-A", region="445102")
    with served(_app(url)) as (ws_url, cap):
        async with live_client(ws_url, signed_headers("supervision", head_a)) as head, \
                live_client(ws_url, signed_headers("supervision", CITY)) as city:
            await head.subscribe("h", SUB)
            await city.subscribe("c", SUB, {"f": {"minSeverity": "RED", "regionCode": "445102"}})
            await asyncio.sleep(0.2)
            assert await _publish(cap, _alert(1, body="BODY-B"), _alert(2, body="BODY-A")) == 3
            assert (await head.receive())["payload"]["data"]["alertRaised"]["id"] == "a-00002"  # own body only
            assert [(await city.receive())["payload"]["data"]["alertRaised"]["id"] for _ in range(2)] == [
                "a-00001", "a-00002"]
            await city.subscribe("bad", SUB, {"f": {"regionCode": "12"}})
            refused = await city.receive()
            assert refused["type"] == "error"
            assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        # a signed caller whose role covers no body's alerts
        async with live_client(ws_url, signed_headers("supervision", caller({"PUBLIC"}))) as public:
            await public.subscribe("p", SUB)
            refused = await public.receive()
            assert refused["type"] == "error", refused
            assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"
        # no signature, another subgraph's signature, a replayed upgrade: refused before the schema
        for headers in ({}, signed_headers("cases", CITY)):
            with pytest.raises(InvalidStatus) as info:
                async with live_client(ws_url, headers):
                    pass
            assert info.value.response.status_code == 401
        once = signed_headers("supervision", CITY)
        async with live_client(ws_url, once):
            pass
        with pytest.raises(InvalidStatus):
            async with live_client(ws_url, once):
                pass


async def test_a_subscriber_that_falls_behind_is_dropped_and_the_others_go_on_in_order(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    await upgrade(url)
    queue = 8
    with served(_app(url, queue=queue)) as (ws_url, cap):
        async with live_client(ws_url, signed_headers("supervision", CITY)) as steady, \
                live_client(ws_url, signed_headers("supervision", CITY)) as behind:
            await steady.subscribe("s", SUB, {"f": {"bodyId": "BODY-A"}})
            await behind.subscribe("b", SUB)
            await asyncio.sleep(0.2)
            feed = _res(cap).alerts
            # one burst of more events than a subscriber may fall behind, published at once: the subscriber
            # of every body cannot have read them (its reader runs only after the producer returns)
            burst = [_alert(n, body="BODY-B") for n in range(queue + 4)]
            assert await _publish(cap, *burst) == queue  # the producer did not wait: queued, then dropped
            assert feed.dropped == 1
            assert len(feed) == 1
            last = None
            for _ in range(queue + 2):  # what was queued, then the error that ends the stream
                last = await behind.receive()
                if "errors" in last.get("payload", {}):
                    break
            assert last is not None
            assert last["payload"]["errors"][0]["extensions"]["code"] == "SLOW_SUBSCRIBER"
            assert (await behind.receive())["type"] == "complete"
            # the other subscriber (its filter let none of the burst through) goes on, every event in order
            got: list[int] = []
            for chunk in range(6):  # within its queue each time, read in between: never dropped
                await _publish(cap, *(_alert(100 + chunk * 4 + n, body="BODY-A") for n in range(4)))
                got += [(await steady.receive())["payload"]["data"]["alertRaised"]["evidence"]["n"] for _ in range(4)]
            assert got == list(range(100, 124))
            assert feed.dropped == 1
