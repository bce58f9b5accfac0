"""A minimal HTTP/1.1 server that answers GraphQL POSTs from a memo of response bytes.

Benchmark subgraphs must be far faster than any gateway under test, so each distinct request body
is executed once against its Strawberry schema and the response bytes are replayed afterwards.
Keep-alive, Content-Length bodies only. `GET /health`, `GET /__count` (requests served since the
last reset) and `POST /__reset` support the benchmark's bookkeeping.

Run: python -m bench.support.memo_server NAME PORT
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

import orjson
import strawberry


class MemoGraphQL:
    def __init__(self, schema: strawberry.federation.Schema) -> None:
        self.schema = schema
        self.memo: dict[bytes, bytes] = {}
        self.count = 0

    async def answer(self, body: bytes) -> bytes:
        self.count += 1
        hit = self.memo.get(body)
        if hit is not None:
            return hit
        request: dict[str, Any] = orjson.loads(body)
        result = await self.schema.execute(
            request["query"], variable_values=request.get("variables"), operation_name=request.get("operationName")
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        out = orjson.dumps(payload)
        self.memo[body] = out
        return out


def _response(status: str, body: bytes, content_type: bytes = b"application/json") -> bytes:
    head = (b"HTTP/1.1 " + status.encode() + b"\r\nContent-Type: " + content_type
            + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: keep-alive\r\n\r\n")
    return head + body


async def _serve_connection(app: MemoGraphQL, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lines = head.split(b"\r\n")
            method, target, _ = lines[0].split(b" ", 2)
            length = 0
            for line in lines[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:].strip())
            body = await reader.readexactly(length) if length else b""
            if method == b"POST" and target.startswith(b"/graphql"):
                writer.write(_response("200 OK", await app.answer(body)))
            elif target == b"/health":
                writer.write(_response("200 OK", b'{"status":"ok"}'))
            elif target == b"/__count":
                writer.write(_response("200 OK", orjson.dumps({"requests": app.count})))
            elif target == b"/__reset":
                app.count = 0
                writer.write(_response("200 OK", b"{}"))
            else:
                writer.write(_response("404 Not Found", b"{}"))
            await writer.drain()
    finally:
        writer.close()


async def serve(name: str, port: int) -> None:
    app = MemoGraphQL(load_schema(name))
    server = await asyncio.start_server(lambda r, w: _serve_connection(app, r, w), "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


NAMES = ("accounts", "inventory", "products", "reviews")


def load_schema(name: str) -> strawberry.federation.Schema:
    if name not in NAMES:
        raise SystemExit(f"unknown benchmark subgraph {name!r}")
    schema: strawberry.federation.Schema = importlib.import_module(f"bench.support.graph_{name}").schema
    return schema


def sdl(name: str) -> str:
    schema = load_schema(name)
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.data is not None
    return str(result.data["_service"]["sdl"])


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
