"""The lean subgraph HTTP client against real loopback servers that misbehave on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import SubgraphUnavailable, SubrequestHttpError, SubrequestTimeout
from gateway.execution.http import (
    ConnectFailed,
    ConnectionLost,
    HttpClient,
    ProtocolViolation,
    ResponseTimeout,
)
from gateway.execution.transport import SubgraphTransport
from tests.support.servers import free_port

Reader = asyncio.StreamReader
Writer = asyncio.StreamWriter


class Wire:
    """A raw HTTP/1.1 server on a free loopback port; ``answer(request_body, writer)`` writes the reply."""

    def __init__(self, answer: Callable[[bytes, Writer, int], Awaitable[bool]]) -> None:
        self.answer = answer
        self.connections = 0
        self.requests: list[bytes] = []
        self.heads: list[bytes] = []
        self.open_now = 0
        self.most_open = 0
        self.url = ""

    async def handle(self, reader: Reader, writer: Writer) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                self.heads.append(head)
                self.requests.append(body)
                keep = await self.answer(body, writer, len(self.requests))
                await writer.drain()
                if not keep:
                    return
        finally:
            self.open_now -= 1
            writer.close()


@contextlib.asynccontextmanager
async def wire(answer: Callable[[bytes, Writer, int], Awaitable[bool]]) -> AsyncIterator[Wire]:
    w = Wire(answer)
    server = await asyncio.start_server(w.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    w.url = f"http://127.0.0.1:{port}/graphql"
    try:
        yield w
    finally:
        server.close()
        await asyncio.wait_for(server.wait_closed(), 5)


def reply(body: bytes, *, status: str = "200 OK", extra: bytes = b"") -> bytes:
    return (b"HTTP/1.1 " + status.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n" + extra + b"\r\n" + body)


def chunked(body: bytes, sizes: list[int], trailers: bytes = b"") -> bytes:
    out = [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"]
    at = 0
    for size in sizes:
        piece = body[at:at + size]
        if not piece:
            break
        out.append(b"%x;ext=1\r\n%b\r\n" % (len(piece), piece))
        at += len(piece)
    if at < len(body):
        out.append(b"%x\r\n%b\r\n" % (len(body) - at, body[at:]))
    out.append(b"0\r\n" + trailers + b"\r\n")
    return b"".join(out)


async def echo(body: bytes, writer: Writer, n: int) -> bool:
    writer.write(reply(b'{"data":{"n":%d,"echo":%b}}' % (n, body)))
    return True


async def test_keep_alive_connection_is_reused_for_sequential_requests() -> None:
    async with wire(echo) as w:
        client = HttpClient()
        try:
            for i in range(5):
                r = await client.post(w.url, b'"x%d"' % i, timeout_s=5)
                assert r.status == 200
                assert r.body == b'{"data":{"n":%d,"echo":"x%d"}}' % (i + 1, i)
        finally:
            await client.aclose()
        assert w.connections == 1
        head = w.heads[0].decode()
        assert head.startswith("POST /graphql HTTP/1.1\r\n")
        assert f"Host: 127.0.0.1:{w.url.split(':')[2].split('/')[0]}\r\n" in head
        assert "Content-Type: application/json\r\n" in head


async def test_pool_never_opens_more_connections_than_its_bound() -> None:
    async def slow(body: bytes, writer: Writer, n: int) -> bool:
        await asyncio.sleep(0.01)
        writer.write(reply(b'{"data":{}}'))
        return True

    async with wire(slow) as w:
        client = HttpClient(max_per_origin=2)
        try:
            results = await asyncio.gather(*(client.post(w.url, b"{}", timeout_s=10) for _ in range(12)))
        finally:
            await client.aclose()
        assert all(r.status == 200 for r in results)
        assert w.most_open <= 2
        assert w.connections == 2
        assert len(w.requests) == 12


async def test_chunked_response_with_extensions_and_trailers_then_reuse() -> None:
    payload = b'{"data":{"text":"' + b"abc" * 5000 + b'"}}'

    async def answer(body: bytes, writer: Writer, n: int) -> bool:
        writer.write(chunked(payload, [1, 7, 4096, 3], trailers=b"X-Trailer: yes\r\n" if n == 1 else b""))
        return True

    async with wire(answer) as w:
        client = HttpClient()
        try:
            first = await client.post(w.url, b"{}", timeout_s=5)
            second = await client.post(w.url, b"{}", timeout_s=5)
        finally:
            await client.aclose()
        assert first.body == payload
        assert second.body == payload
        assert w.connections == 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=3000), sizes=st.lists(st.integers(min_value=1, max_value=700), max_size=8),
       split=st.integers(min_value=1, max_value=97))
def test_any_chunking_and_any_segmentation_gives_back_the_body(body: bytes, sizes: list[int], split: int) -> None:
    async def scenario() -> None:
        async def answer(_: bytes, writer: Writer, n: int) -> bool:
            raw = chunked(body, sizes)
            for at in range(0, len(raw), split * 13):  # arbitrary TCP segment boundaries
                writer.write(raw[at:at + split * 13])
                await writer.drain()
                await asyncio.sleep(0)
            return True

        async with wire(answer) as w:
            client = HttpClient()
            try:
                r = await client.post(w.url, b"{}", timeout_s=5)
            finally:
                await client.aclose()
            assert r.body == body

    asyncio.run(scenario())


async def test_body_split_across_writes_with_content_length() -> None:
    payload = b'{"data":{"v":"' + b"z" * 100_000 + b'"}}'

    async def answer(body: bytes, writer: Writer, n: int) -> bool:
        raw = reply(payload)
        for at in range(0, len(raw), 9000):
            writer.write(raw[at:at + 9000])
            await writer.drain()
            await asyncio.sleep(0.001)
        return True

    async with wire(answer) as w:
        client = HttpClient()
        try:
            r = await client.post(w.url, b"{}", timeout_s=5)
        finally:
            await client.aclose()
        assert r.body == payload


async def test_server_closing_after_each_response_gets_a_fresh_connection() -> None:
    async def once(body: bytes, writer: Writer, n: int) -> bool:
        writer.write(reply(b'{"data":{"n":%d}}' % n, extra=b"Connection: close\r\n"))
        return False

    async with wire(once) as w:
        client = HttpClient()
        try:
            bodies = [(await client.post(w.url, b"{}", timeout_s=5)).body for _ in range(3)]
        finally:
            await client.aclose()
        assert bodies == [b'{"data":{"n":1}}', b'{"data":{"n":2}}', b'{"data":{"n":3}}']
        assert w.connections == 3


async def test_stale_pooled_connection_is_retried_for_queries_but_not_for_mutations() -> None:
    # the server answers the first request on a connection, then drops the connection when the next
    # request arrives on it (an idle-timeout race), without answering it
    served: dict[int, int] = {}

    async def flaky(body: bytes, writer: Writer, n: int) -> bool:
        key = id(writer)
        served[key] = served.get(key, 0) + 1
        if served[key] > 1:
            return False
        writer.write(reply(b'{"data":{"n":%d}}' % n))
        return True

    async with wire(flaky) as w:
        client = HttpClient()
        try:
            assert (await client.post(w.url, b"{}", timeout_s=5)).status == 200
            again = await client.post(w.url, b"{}", timeout_s=5)  # stale connection: retried on a new one
            assert again.status == 200
            assert w.connections == 2
            with pytest.raises(ConnectionLost):
                await client.post(w.url, b"{}", timeout_s=5, idempotent=False)
            assert w.connections == 2  # the mutation was not sent again
        finally:
            await client.aclose()


async def test_connection_closed_mid_body_is_connection_lost() -> None:
    async def cut(body: bytes, writer: Writer, n: int) -> bool:
        writer.write(reply(b'{"data":{"long":"' + b"x" * 500 + b'"}}')[:100])
        return False

    async with wire(cut) as w:
        client = HttpClient()
        try:
            with pytest.raises(ConnectionLost):
                await client.post(w.url, b"{}", timeout_s=5)
        finally:
            await client.aclose()


async def test_body_until_close_without_length() -> None:
    async def old(body: bytes, writer: Writer, n: int) -> bool:
        writer.write(b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"data":{"old":true}}')
        return False

    async with wire(old) as w:
        client = HttpClient()
        try:
            r = await client.post(w.url, b"{}", timeout_s=5)
            r2 = await client.post(w.url, b"{}", timeout_s=5)
        finally:
            await client.aclose()
        assert r.body == r2.body == b'{"data":{"old":true}}'
        assert w.connections == 2


async def test_gzip_body_is_decoded_and_interim_responses_are_skipped() -> None:
    payload = b'{"data":{"zipped":"' + b"q" * 2000 + b'"}}'

    async def zipped(body: bytes, writer: Writer, n: int) -> bool:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(reply(gzip.compress(payload), extra=b"Content-Encoding: gzip\r\n"))
        return True

    async with wire(zipped) as w:
        client = HttpClient()
        try:
            r = await client.post(w.url, b"{}", timeout_s=5)
        finally:
            await client.aclose()
        assert r.body == payload
        assert r.header("content-encoding") == "gzip"


async def test_no_answer_times_out_within_the_deadline() -> None:
    async def silent(body: bytes, writer: Writer, n: int) -> bool:
        await asyncio.sleep(5)
        return False

    async with wire(silent) as w:
        client = HttpClient()
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            with pytest.raises(ResponseTimeout):
                await client.post(w.url, b"{}", timeout_s=0.2)
        finally:
            await client.aclose()
        assert 0.15 < loop.time() - started < 2.0


async def test_connection_refused_is_connect_failed() -> None:
    client = HttpClient()
    try:
        with pytest.raises(ConnectFailed):
            await client.post(f"http://127.0.0.1:{free_port()}/graphql", b"{}", timeout_s=2)
    finally:
        await client.aclose()


async def test_garbage_instead_of_http_is_a_protocol_violation() -> None:
    async def garbage(body: bytes, writer: Writer, n: int) -> bool:
        writer.write(b"SSH-2.0-OpenSSH_9.0\r\n\r\n")
        return True

    async with wire(garbage) as w:
        client = HttpClient()
        try:
            with pytest.raises(ProtocolViolation):
                await client.post(w.url, b"{}", timeout_s=2)
        finally:
            await client.aclose()


async def test_header_injection_is_refused_before_anything_is_sent() -> None:
    async with wire(echo) as w:
        client = HttpClient()
        try:
            with pytest.raises(ProtocolViolation):
                await client.post(w.url, b"{}", {"x-sig": "a\r\nInjected: 1"}, timeout_s=2)
            r = await client.post(w.url, b"{}", {"x-sig": "abc"}, timeout_s=2)
        finally:
            await client.aclose()
        assert r.status == 200
        assert len(w.heads) == 1
        assert b"x-sig: abc\r\n" in w.heads[0]


# ------------------------------------------------------------ the transport's error codes over the client

async def test_transport_maps_client_failures_to_gateway_codes() -> None:
    async def answer(body: bytes, writer: Writer, n: int) -> bool:
        if body == b'"slow"':
            await asyncio.sleep(3)
            return False
        if body == b'"500"':
            writer.write(reply(b'{"errors":[{"message":"boom"}]}', status="500 Internal Server Error"))
            return True
        if body == b'"html"':
            writer.write(reply(b"<html></html>"))
            return True
        writer.write(reply(b'{"data":{"ok":true}}'))
        return True

    async with wire(answer) as w:
        transport = SubgraphTransport(timeout_s=5, timeouts={"slowpoke": 0.2})
        try:
            assert await transport.post("s", w.url, b'"ok"') == {"data": {"ok": True}}
            with pytest.raises(SubrequestTimeout) as timeout:
                await transport.post("slowpoke", w.url, b'"slow"')
            assert timeout.value.to_graphql()["extensions"] == {"code": "SUBREQUEST_TIMEOUT",
                                                                 "serviceName": "slowpoke"}
            with pytest.raises(SubrequestHttpError) as http:
                await transport.post("s", w.url, b'"500"')
            assert http.value.status == 500
            assert "500 Internal Server Error: boom" in http.value.message
            with pytest.raises(SubrequestHttpError):
                await transport.post("s", w.url, b'"html"')
            with pytest.raises(SubgraphUnavailable) as down:
                await transport.post("gone", f"http://127.0.0.1:{free_port()}/graphql", b'"ok"')
            assert down.value.to_graphql()["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
            assert await transport.post("s", w.url, b'"ok"') == {"data": {"ok": True}}  # still usable
        finally:
            await transport.aclose()
