"""Outbound de-duplication: when the request that made a shared subgraph call is cancelled, the requests
waiting for that call are not cancelled with it; one of them makes the call."""

from __future__ import annotations

import asyncio

import httpx

from gateway.execution.transport import SubgraphTransport

BODY = b'{"query":"{a}"}'


async def test_waiters_of_a_cancelled_call_make_it_again_once() -> None:
    calls = 0
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await release.wait()
        return httpx.Response(200, json={"data": {"a": calls}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        transport = SubgraphTransport(client, dedupe_inflight=True, use_client=True)
        first = asyncio.create_task(transport.post("s", "http://s/graphql", BODY))
        await asyncio.sleep(0.01)
        waiting = [asyncio.create_task(transport.post("s", "http://s/graphql", BODY)) for _ in range(3)]
        await asyncio.sleep(0.01)
        assert calls == 1
        first.cancel()
        await asyncio.sleep(0.01)
        release.set()
        results = await asyncio.wait_for(asyncio.gather(*waiting), 10)
        assert calls == 2  # one new call for the three that waited, not three
        assert results == [{"data": {"a": 2}}] * 3
        assert first.cancelled()
