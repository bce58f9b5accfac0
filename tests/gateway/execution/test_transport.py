"""Transport unit tests with a faked wire (httpx.MockTransport)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.errors import SubgraphUnavailable, SubrequestHttpError
from gateway.execution.transport import SubgraphTransport


async def test_identical_concurrent_queries_share_one_request_when_dedupe_is_on() -> None:
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return httpx.Response(200, json={"data": {"a": 1}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        on = SubgraphTransport(client, dedupe_inflight=True, use_client=True)
        results = await asyncio.gather(*(on.post("s", "http://s/graphql", b'{"query":"{a}"}') for _ in range(5)))
        assert calls == 1
        assert all(r == {"data": {"a": 1}} for r in results)
        await asyncio.gather(*(on.post("s", "http://s/graphql", b'{"query":"mutation{a}"}', is_mutation=True)
                               for _ in range(3)))
        assert calls == 4  # mutations are never shared
        off = SubgraphTransport(client, use_client=True)
        await asyncio.gather(*(off.post("s", "http://s/graphql", b'{"query":"{a}"}') for _ in range(3)))
        assert calls == 7


async def test_http_errors_and_connection_failures_map_to_codes() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down":
            raise httpx.ConnectError("refused")
        return httpx.Response(502, text="bad gateway")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        transport = SubgraphTransport(client, use_client=True)
        with pytest.raises(SubrequestHttpError) as info:
            await transport.post("s", "http://up/graphql", b"{}")
        assert info.value.to_graphql()["extensions"]["serviceName"] == "s"
        assert info.value.status == 502
        with pytest.raises(SubgraphUnavailable):
            await transport.post("s", "http://down/graphql", b"{}")


async def test_signed_calls_of_one_caller_share_but_two_callers_never_do() -> None:
    from trust.signing import VOLATILE_SIGNED_HEADERS, CallerContext, CallSigner, SigningKey

    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["x-hub-caller"])
        await asyncio.sleep(0.05)
        return httpx.Response(200, json={"data": {"a": 1}})

    signer = CallSigner(SigningKey("k1", b"s" * 32))
    body = b'{"query":"{a}"}'

    def headers(subject: str, request_id: str) -> dict[str, str]:
        context = CallerContext(subject=subject, roles=frozenset({"OFFICER"}), body_uscc=None, region_code=None,
                                purpose_code="CASE_HANDLING", request_id=request_id)
        return signer.sign(audience="people", method="POST", target="/graphql", body=body, context=context)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        transport = SubgraphTransport(client, dedupe_inflight=True, use_client=True,
                                      dedupe_ignore_headers=VOLATILE_SIGNED_HEADERS)
        calls = [transport.post("s", "http://s/graphql", body, headers("alice", f"r{i}")) for i in range(4)]
        calls += [transport.post("s", "http://s/graphql", body, headers("bob", f"q{i}")) for i in range(3)]
        await asyncio.gather(*calls)
    assert len(seen) == 2, "one call per caller: requests of one caller share, different callers do not"
    assert len(set(seen)) == 2
