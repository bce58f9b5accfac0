"""The in-flight table itself, driven with asyncio: hand-over when a leader is cancelled, a crash shared as
one typed error, followers that leave, mutations never joinable, extensions that cannot be keyed."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from gateway.extensions import GatewayExtension, GraphQLRequest, RequestContext
from gateway.inbound_dedupe import InboundDedupe, OnPrepared
from gateway.pipeline import GraphQLResponse
from gateway.runtime import GatewayRuntime
from tests.gateway.dedupe.support import counter_supergraph

RUNTIME = GatewayRuntime.from_sdl(counter_supergraph("http://127.0.0.1:9/graphql"))
QUERY = RUNTIME.prepare("{ item(id: 1) { id } }", None)
MUTATION = RUNTIME.prepare("mutation { bump }", None)
KEY = ("POST", "application/json", "q")


class Runs:
    """A stand-in for the pipeline: each run reports its operation, then waits until released."""

    def __init__(self, prepared: Any = QUERY) -> None:
        self.prepared = prepared
        self.started = 0
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def __call__(self, on_prepared: OnPrepared) -> GraphQLResponse:
        self.started += 1
        n = self.started
        on_prepared(self.prepared)
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return GraphQLResponse(200, {"data": {"run": n}}, operation_type=self.prepared.operation_kind)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_followers_share_the_leaders_answer_object() -> None:
    dedupe, runs = InboundDedupe(), Runs()
    tasks = [asyncio.create_task(dedupe.answer(KEY, "application/json", RequestContext(), runs)) for _ in range(5)]
    await settle()
    assert (runs.started, dedupe.waiting()) == (1, 4)
    runs.release.set()
    answers = await asyncio.gather(*tasks)
    assert {id(a) for a in answers} == {id(answers[0])}
    assert orjson.loads(answers[0].content) == {"data": {"run": 1}}
    assert (dedupe.executed, dedupe.followed, dedupe.waiting()) == (1, 4, 0)


async def test_a_cancelled_leader_hands_over_to_one_follower() -> None:
    dedupe, runs = InboundDedupe(), Runs()
    leader = asyncio.create_task(dedupe.answer(KEY, "application/json", RequestContext(), runs))
    await settle()
    followers = [asyncio.create_task(dedupe.answer(KEY, "application/json", RequestContext(), runs))
                 for _ in range(3)]
    await settle()
    leader.cancel()
    await settle()
    assert (runs.started, dedupe.waiting()) == (2, 2)  # one follower leads now, the other two wait for it
    runs.release.set()
    answers = await asyncio.gather(*followers)
    assert {a.content for a in answers} == {orjson.dumps({"data": {"run": 2}})}
    with pytest.raises(asyncio.CancelledError):
        await leader


async def test_a_follower_that_is_cancelled_leaves_the_others_waiting() -> None:
    dedupe, runs = InboundDedupe(), Runs()
    tasks = [asyncio.create_task(dedupe.answer(KEY, "application/json", RequestContext(), runs)) for _ in range(4)]
    await settle()
    tasks[2].cancel()
    await settle()
    assert dedupe.waiting() == 2
    runs.release.set()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(done[2], asyncio.CancelledError)
    assert {a.content for i, a in enumerate(done) if i != 2} == {orjson.dumps({"data": {"run": 1}})}
    assert runs.started == 1


async def test_a_leader_that_crashes_gives_everyone_the_same_typed_error() -> None:
    dedupe, runs = InboundDedupe(), Runs()
    runs.fail = RuntimeError("boom")
    tasks = [asyncio.create_task(dedupe.answer(KEY, "application/json", RequestContext(), runs)) for _ in range(4)]
    await settle()
    runs.release.set()
    answers = await asyncio.gather(*tasks)
    assert {(a.status, a.content) for a in answers} == {(500, answers[0].content)}
    assert orjson.loads(answers[0].content)["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert runs.started == 1


async def test_a_mutation_is_never_joinable() -> None:
    dedupe, runs = InboundDedupe(), Runs(MUTATION)
    tasks = [asyncio.create_task(dedupe.answer(KEY, "application/json", RequestContext(), runs)) for _ in range(3)]
    await settle()
    assert (runs.started, dedupe.waiting()) == (3, 0)
    runs.release.set()
    answers = await asyncio.gather(*tasks)
    assert sorted(orjson.loads(a.content)["data"]["run"] for a in answers) == [1, 2, 3]


async def test_an_answer_is_not_joinable_once_complete() -> None:
    dedupe, runs = InboundDedupe(), Runs()
    runs.release.set()
    first = await dedupe.answer(KEY, "application/json", RequestContext(), runs)
    second = await dedupe.answer(KEY, "application/json", RequestContext(), runs)
    assert (first.content, second.content) == (b'{"data":{"run":1}}', b'{"data":{"run":2}}')


class Unkeyed(GatewayExtension):
    async def on_request(self, request: Any, context: RequestContext) -> None:
        context.values["tenant"] = "whatever"


class Keyed(Unkeyed):
    def dedupe_key(self, context: RequestContext) -> Any:
        return context.values.get("tenant")


class Completing(Keyed):
    async def complete_response(self, response: dict[str, Any], operation: Any,
                                context: RequestContext) -> dict[str, Any]:
        return response


def test_an_extension_that_cannot_say_what_it_keys_on_switches_sharing_off() -> None:
    assert not InboundDedupe([Unkeyed()]).enabled
    assert not InboundDedupe([Completing()]).enabled  # per-request completion without share_response
    keyed = InboundDedupe([Keyed()])
    assert keyed.enabled
    request = GraphQLRequest("{ item(id: 1) { id } }")
    a, b = RequestContext(values={"tenant": "a"}), RequestContext(values={"tenant": "b"})
    assert keyed.key("POST", "application/json", RUNTIME, frozenset(), request, a) != \
        keyed.key("POST", "application/json", RUNTIME, frozenset(), request, b)
    assert keyed.key("POST", "application/json", RUNTIME, frozenset(), request, RequestContext()) is None
