"""Differential: the same subscription through @graphql-hive/gateway and through ours, over SSE, on the same
subgraphs: the same events, in the same order, with the same data (entity fields from two other subgraphs)."""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.gateway.differential.reference import (
    ReferenceFailed,
    ReferenceUnavailable,
    ensure_installed,
    node_binary,
    skip_or_fail,
)
from tests.support.servers import free_port

from .harness import EVENTS, QUERY, expected_event, running_graph, sse_events

pytestmark = pytest.mark.node
START_TIMEOUT_S = 60.0


@contextmanager
def hive_gateway(supergraph: Path) -> Iterator[str]:
    """`@graphql-hive/gateway` on a loopback port; yield its GraphQL URL once it printed READY."""
    try:
        folder = ensure_installed()
    except ReferenceUnavailable as exc:
        skip_or_fail(str(exc))
    port = free_port()
    process = subprocess.Popen([node_binary(), str(folder / "hive_gateway.mjs"), str(supergraph), str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=folder)
    try:
        assert process.stdout is not None
        seen = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while b"READY" not in seen:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    raise ReferenceFailed(f"hive gateway not ready: {seen[-2000:]!r}")
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    raise ReferenceFailed(f"hive gateway exited ({process.wait(5)}): {seen[-2000:]!r}")
                seen += chunk
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def stream(url: str) -> list[tuple[str, object]]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, json={"query": QUERY}, headers={"accept": "text/event-stream"})
    assert response.status_code == 200, response.text[:500]
    return sse_events(response.text)


async def test_same_events_same_order_same_data_as_hive_gateway(tmp_path: Path) -> None:
    with running_graph(tmp_path) as graph, hive_gateway(tmp_path / "supergraph.graphql") as hive:
        theirs = await stream(hive)
        ours = await stream(f"{graph.gateway}/graphql")
    wanted = [("next", expected_event(i)) for i in range(len(EVENTS))]
    assert [e for e in theirs if e[0] == "next"] == wanted  # the reference agrees with the datasets
    assert ours == [*wanted, ("complete", None)]
    assert [e for e in ours if e[0] == "next"] == [e for e in theirs if e[0] == "next"]
