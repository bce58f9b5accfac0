"""@defer through the hub gateway against @graphql-hive/gateway: the same first payload, the same final merged
result, and the same set of incremental entries (path, label, data); order between payloads of independent
fragments may differ. Where the reference is known wrong, the case says so and carries the right answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.gateway.differential.harness import RunningFixture

from .conftest import DeferCase, defer_cases
from .multipart import entries, merged, misplaced_errors, stream_payloads

pytestmark = pytest.mark.node


def _error_paths(result: dict[str, Any]) -> list[str]:
    return sorted(json.dumps(e.get("path")) for e in result.get("errors") or [])


def _run(url: str, running: RunningFixture, case: DeferCase) -> tuple[str, list[dict[str, Any]]]:
    for server in running.servers.values():
        server.reset()
    with httpx.Client() as client:
        response, timed = stream_payloads(client, url, case.body())
    return response.headers.get("content-type", ""), [p for _, p in timed]


@pytest.mark.parametrize("case", defer_cases(), ids=lambda c: c.id)
def test_defer_like_hive(case: DeferCase, defer_fixtures: dict[str, RunningFixture], hub_urls: dict[str, str],
                         hive_urls: dict[str, str]) -> None:
    running = defer_fixtures[case.fixture]
    hub_kind, hub = _run(hub_urls[case.fixture], running, case)
    hub_final = merged(hub)
    assert bool(hub[-1].get("hasNext")) is False
    assert all(p.get("hasNext") is True for p in hub[:-1])
    assert not misplaced_errors(hub), misplaced_errors(hub)
    if case.error_paths is not None:
        assert _error_paths(hub_final) == sorted(json.dumps(p) for p in case.error_paths)
    if case.hive_wrong:
        assert hub_kind.startswith("multipart/mixed")
        assert hub[0]["data"] == case.expect_first
        assert case.expect_entries is not None
        assert entries(hub) == {json.dumps([e["path"], e.get("label"), e["data"]], sort_keys=True)
                                for e in case.expect_entries}
        return
    hive_kind, hive = _run(hive_urls[case.fixture], running, case)
    hive_final = merged(hive)
    assert hub_kind.split(";")[0] == hive_kind.split(";")[0], (hub_kind, hive_kind)
    assert hub[0].get("data") == hive[0].get("data"), f"first payload: hub {hub[0]} hive {hive[0]}"
    assert hub_final["data"] == hive_final["data"]
    assert entries(hub) == entries(hive), f"hub {hub}\nhive {hive}"
    if case.hive_error_paths_wrong:
        assert len(hub_final.get("errors") or []) == len(hive_final.get("errors") or [])
    else:
        assert _error_paths(hub_final) == _error_paths(hive_final)
        assert _error_paths(hub[0]) == _error_paths(hive[0])
