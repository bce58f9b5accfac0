"""Inbound de-duplication over real HTTP: identical concurrent queries run once and share their bytes;
different inputs, mutations and completed answers never share."""

from __future__ import annotations

import httpx
import orjson

from tests.gateway.dedupe.conftest import Served
from tests.gateway.dedupe.support import join_all, post_in_threads, wait_for

N = 6
SHOP_QUERY = orjson.dumps({"query": "query Top { topProducts(first: 3) { upc name inStock "
                                    "reviews { body author { name } } } }", "operationName": "Top"})


def item(i: object) -> bytes:
    return orjson.dumps({"query": "query Item($id: ID!) { item(id: $id) { id name } }", "variables": {"id": str(i)}})


def test_identical_concurrent_queries_run_once_and_get_the_same_bytes(shop: Served) -> None:
    alone = httpx.post(shop.url, content=SHOP_QUERY, headers={"content-type": "application/json"}, timeout=20)
    assert alone.status_code == 200
    assert "errors" not in alone.json()
    per_request = shop.fetches()
    assert per_request >= 3  # products, inventory, reviews and accounts: a multi-subgraph plan
    before = shop.fetches()
    shop.close()
    results, threads = post_in_threads([(SHOP_QUERY, {}, 20.0)] * N, shop.url)
    try:
        wait_for(lambda: shop.dedupe.waiting() == N - 1, f"{N - 1} requests waiting for the first")
    finally:
        shop.open()
    join_all(threads)
    assert all(isinstance(r, httpx.Response) and r.status_code == 200 for r in results), results
    assert {r.content for r in results} == {results[0].content}  # one serialisation, byte for byte
    assert orjson.loads(results[0].content) == alone.json()
    assert shop.fetches() - before == per_request  # one execution: one set of subgraph fetches
    assert all(r.headers["content-type"] == alone.headers["content-type"] for r in results)


def test_different_variables_run_separately_each_with_its_own_answer(counter: Served) -> None:
    before = counter.fetches()
    counter.close()
    results, threads = post_in_threads([(item(i), {}, 20.0) for i in range(N)], counter.url)
    try:  # every request reaches the subgraph while the others still wait: nothing is shared
        wait_for(lambda: counter.fetches() - before == N, f"{N} separate subgraph requests")
    finally:
        counter.open()
    join_all(threads)
    for i, r in enumerate(results):
        assert r.json() == {"data": {"item": {"id": str(i), "name": f"item-{i}"}}}


def test_a_different_accept_header_is_a_different_answer(counter: Served) -> None:
    # (the identical subgraph call of the two may still be shared by outbound de-duplication)
    before = counter.dedupe.executed
    counter.close()
    accepts = ["application/json", "application/graphql-response+json"]
    results, threads = post_in_threads([(item("m"), {"accept": a}, 20.0) for a in accepts], counter.url)
    try:
        wait_for(lambda: counter.dedupe.executed - before == 2, "two executions")
        assert counter.dedupe.waiting() == 0
    finally:
        counter.open()
    join_all(threads)
    assert [r.headers["content-type"].split(";")[0] for r in results] == accepts


def test_mutations_are_never_shared(counter: Served) -> None:
    body = orjson.dumps({"query": "mutation { bump }"})
    before = counter.fetches()
    counter.close()
    results, threads = post_in_threads([(body, {}, 20.0)] * N, counter.url)
    try:
        wait_for(lambda: counter.fetches() - before == N, f"{N} mutation calls reaching the subgraph")
        assert counter.dedupe.waiting() == 0
    finally:
        counter.open()
    join_all(threads)
    bumps = sorted(r.json()["data"]["bump"] for r in results)
    assert len(set(bumps)) == N  # each mutation ran: N different counts


def test_a_completed_answer_is_not_shared_with_a_later_request(counter: Served) -> None:
    before = counter.fetches()
    for _ in range(3):
        assert httpx.post(counter.url, content=item(7), headers={"content-type": "application/json"},
                          timeout=20).status_code == 200
    assert counter.fetches() - before == 3


def test_a_follower_that_gives_up_does_not_disturb_the_others(counter: Served) -> None:
    before = counter.fetches()
    counter.close()
    specs = [(item("f"), {}, 20.0)] * (N - 1) + [(item("f"), {}, 0.5)]
    results, threads = post_in_threads(specs, counter.url)
    try:
        wait_for(lambda: counter.dedupe.waiting() == N - 1, "the followers waiting")
        wait_for(lambda: results[-1] is not None, "the impatient client giving up")
    finally:
        counter.open()
    join_all(threads)
    assert isinstance(results[-1], httpx.TimeoutException)
    kept = results[:-1]
    assert all(isinstance(r, httpx.Response) and r.status_code == 200 for r in kept), kept
    assert {r.content for r in kept} == {orjson.dumps({"data": {"item": {"id": "f", "name": "item-f"}}})}
    assert counter.fetches() - before == 1


def test_a_leader_whose_client_leaves_still_answers_the_followers(counter: Served) -> None:
    before = counter.fetches()
    counter.close()
    first, first_threads = post_in_threads([(item("L"), {}, 0.5)], counter.url)
    try:
        wait_for(lambda: counter.fetches() - before == 1, "the first request at the subgraph")
        rest, threads = post_in_threads([(item("L"), {}, 20.0)] * (N - 1), counter.url)
        wait_for(lambda: counter.dedupe.waiting() == N - 1, "the followers waiting")
        join_all(first_threads)
    finally:
        counter.open()
    join_all(threads)
    assert isinstance(first[0], httpx.TimeoutException)
    assert all(isinstance(r, httpx.Response) and r.json()["data"]["item"]["id"] == "L" for r in rest), rest
    assert counter.fetches() - before == 1


def test_a_failed_leader_gives_every_follower_the_same_typed_error(shop: Served) -> None:
    # the inventory subgraph is down for this operation: its fields are null with an error, for all alike
    query = orjson.dumps({"query": "{ topProducts(first: 2) { upc inStock } }"})
    gate = shop.gates["inventory"]
    original = gate.app

    async def broken(scope: object, receive: object, send: object) -> None:
        if scope["type"] == "http":  # type: ignore[index]
            await send({"type": "http.response.start", "status": 502, "headers": []})  # type: ignore[operator]
            await send({"type": "http.response.body", "body": b"bad gateway"})  # type: ignore[operator]
            return
        await original(scope, receive, send)

    gate.app = broken
    shop.close()
    try:
        results, threads = post_in_threads([(query, {}, 20.0)] * N, shop.url)
        wait_for(lambda: shop.dedupe.waiting() == N - 1, "the followers waiting")
        shop.open()
        join_all(threads)
    finally:
        shop.open()
        gate.app = original
    assert {r.content for r in results} == {results[0].content}
    errors = results[0].json()["errors"]
    assert errors
    assert {e["extensions"]["code"] for e in errors} == {"SUBREQUEST_HTTP_ERROR"}
