"""The in-process fan-out behind subscriptions: bounded queues, a slow subscriber dropped, order kept."""

from __future__ import annotations

import asyncio

import pytest
from graphql import GraphQLError

from subgraphs.common.live import Feed


async def test_a_reader_that_stalls_is_dropped_while_the_producer_never_waits() -> None:
    feed: Feed[int] = Feed("test", queue_size=4)
    fast = feed.subscribe(lambda n: True)
    slow = feed.subscribe(lambda n: True)
    feed.subscribe(lambda n: n % 2 == 0)
    got: list[int] = []

    async def read() -> None:
        async for n in fast.events():
            got.append(n)

    reader = asyncio.create_task(read())
    for n in range(20):  # the slow subscriber never reads; publish returns at once all the same
        feed.publish(n)
        await asyncio.sleep(0)
    assert feed.dropped == 2
    assert len(feed) == 1
    feed.close()
    await asyncio.wait_for(reader, 5)
    assert got == list(range(20))
    with pytest.raises(GraphQLError) as info:
        async for _ in slow.events():
            pass
    assert info.value.extensions == {"code": "SLOW_SUBSCRIBER"}
    with pytest.raises(GraphQLError):
        feed.subscribe(lambda n: True)  # closed


async def test_limits_and_a_broken_filter() -> None:
    feed: Feed[int] = Feed("test", queue_size=2, max_subscribers=2)
    broken = feed.subscribe(lambda n: 1 // n > 0)
    feed.subscribe(lambda n: True)
    with pytest.raises(GraphQLError) as info:
        feed.subscribe(lambda n: True)
    assert info.value.extensions == {"code": "TOO_MANY_SUBSCRIPTIONS"}
    assert feed.publish(0) == 1  # the broken filter ends its own stream only
    assert len(feed) == 1
    assert [n async for n in broken.events()] == []
