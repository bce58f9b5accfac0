"""In-process fan-out of live events to GraphQL subscriptions (a subgraph's `Subscription` fields).

A `Feed` has one producer side, `publish(event)`, which never waits: each subscriber whose
`accepts(event)` holds gets the event in its own bounded queue. A subscriber whose queue is full
(it reads slower than events arrive) is dropped at once — the producer never blocks on it — and
its stream ends with the error `SLOW_SUBSCRIBER`; the others go on. Every subscriber gets the
events in the order they were published. `close()` (the app shutting down) ends every stream
cleanly, and at most `max_subscribers` streams are open at a time (`TOO_MANY_SUBSCRIPTIONS`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Final, Generic, TypeVar

from subgraphs.common.errors import graphql_error

__all__ = ["SLOW_SUBSCRIBER", "TOO_MANY_SUBSCRIPTIONS", "Feed", "Subscriber"]

T = TypeVar("T")
log = logging.getLogger("subgraphs.live")

SLOW_SUBSCRIBER: Final = "SLOW_SUBSCRIBER"
TOO_MANY_SUBSCRIPTIONS: Final = "TOO_MANY_SUBSCRIPTIONS"
_END: Final = object()


class Subscriber(Generic[T]):
    """One open stream: `events()` yields the accepted events; it is queued from `Feed.subscribe` on."""

    def __init__(self, feed: Feed[T], accepts: Callable[[T], bool], queue_size: int) -> None:
        self._feed = feed
        self.accepts = accepts
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=queue_size)
        self.dropped = False
        self.closed = False

    def offer(self, event: T) -> bool:
        """Queue `event` without waiting; False when the queue is full (the subscriber is too slow)."""
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    def end(self, *, dropped: bool) -> None:
        self.dropped = self.dropped or dropped
        self.closed = True
        # wakes a reader waiting on an empty queue; a full queue: the reader is not waiting, and checks the
        # flags before each read
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(_END)

    def leave(self) -> None:
        self._feed.discard(self)

    async def events(self) -> AsyncIterator[T]:
        """The accepted events, in publishing order; leaves the feed when the stream ends."""
        try:
            while True:
                if self.dropped:
                    raise graphql_error(SLOW_SUBSCRIBER, "this subscription read too slowly and was ended; "
                                        "subscribe again")
                item = await self.queue.get()
                if item is _END:
                    if self.dropped:
                        continue  # raise above
                    return
                yield item  # type: ignore[misc]  # only events and _END are queued
        finally:
            self.leave()


class Feed(Generic[T]):
    """The subscribers of one kind of event (see the module docstring)."""

    def __init__(self, name: str, *, queue_size: int = 256, max_subscribers: int = 10_000) -> None:
        if queue_size <= 0 or max_subscribers <= 0:
            raise ValueError("queue_size and max_subscribers must be positive")
        self.name = name
        self.queue_size = queue_size
        self.max_subscribers = max_subscribers
        self._subscribers: dict[int, Subscriber[T]] = {}  # insertion-ordered: fan-out in subscription order
        self._closed = False
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, accepts: Callable[[T], bool]) -> Subscriber[T]:
        """A new stream of the events `accepts` lets through, from now on."""
        if self._closed:
            raise graphql_error("SERVICE_UNAVAILABLE", f"the {self.name} feed is shutting down")
        if len(self._subscribers) >= self.max_subscribers:
            raise graphql_error(TOO_MANY_SUBSCRIPTIONS, f"the {self.name} feed has its maximum of "
                                f"{self.max_subscribers} subscriptions; try again later")
        subscriber = Subscriber(self, accepts, self.queue_size)
        self._subscribers[id(subscriber)] = subscriber
        return subscriber

    def discard(self, subscriber: Subscriber[T]) -> None:
        self._subscribers.pop(id(subscriber), None)

    def publish(self, event: T) -> int:
        """Hand `event` to every subscriber that accepts it, without waiting; the number that got it."""
        delivered = 0
        for subscriber in list(self._subscribers.values()):
            try:
                wanted = subscriber.accepts(event)
            except Exception:  # a broken filter ends its own stream, never the feed
                log.exception("%s feed: a subscriber's filter failed; ending that subscription", self.name)
                self.discard(subscriber)
                subscriber.end(dropped=False)
                continue
            if not wanted:
                continue
            if subscriber.offer(event):
                delivered += 1
                continue
            self.dropped += 1
            self.discard(subscriber)
            subscriber.end(dropped=True)
            log.warning("%s feed: a subscriber fell %d events behind and was dropped", self.name, self.queue_size)
        return delivered

    def close(self) -> None:
        """End every stream (they complete after the events already queued) and accept no new ones."""
        self._closed = True
        for subscriber in list(self._subscribers.values()):
            subscriber.end(dropped=False)
        self._subscribers.clear()
