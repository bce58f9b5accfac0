"""@defer and @stream through the hub gateway over real HTTP, reading the multipart stream as it arrives."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.gateway.differential.harness import RunningFixture

from .multipart import merged, split_parts, stream_payloads

OWNER = '{ case(id: "c1") { id title ... @defer(label: "owner") { owner { name } } } }'


@pytest.fixture
def across(defer_fixtures: dict[str, RunningFixture]) -> Iterator[RunningFixture]:
    running = defer_fixtures["d_across"]
    for server in running.servers.values():
        server.reset()
    yield running
    for server in running.servers.values():
        server.set_fault(None)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as c:
        yield c


def test_deferred_branch_is_fetched_after_the_first_payload_is_out(across: RunningFixture, client: httpx.Client,
                                                                  hub_urls: dict[str, str]) -> None:
    across.servers["people"].set_fault("slow")  # every people answer takes 0.3 s
    response, timed = stream_payloads(client, hub_urls["d_across"], {"query": OWNER})
    assert response.headers["content-type"] == 'multipart/mixed; boundary="-"; deferSpec=20220824'
    (t0, first), (t1, second) = timed
    assert first == {"data": {"case": {"id": "c1", "title": "Harbour fire"}}, "hasNext": True}
    assert second == {"incremental": [{"data": {"owner": {"name": "Ada"}}, "path": ["case"], "label": "owner"}],
                      "hasNext": False}
    assert t1 - t0 >= 0.25, f"the first payload waited for the slow subgraph ({t0:.2f} s, {t1:.2f} s)"


def test_same_subgraph_fragment_needs_one_fetch(across: RunningFixture, client: httpx.Client,
                                                hub_urls: dict[str, str]) -> None:
    _, timed = stream_payloads(client, hub_urls["d_across"],
                               {"query": '{ case(id: "c2") { title ... @defer { status priority } } }'})
    assert [p for _, p in timed] == [
        {"data": {"case": {"title": "Stolen bicycle"}}, "hasNext": True},
        {"incremental": [{"data": {"status": "CLOSED", "priority": 1}, "path": ["case"]}], "hasNext": False}]
    assert [len(s.requests) for s in across.servers.values()] == [1, 0, 0]  # cases, files, people


def test_without_multipart_in_accept_the_whole_result_comes_as_json(across: RunningFixture, client: httpx.Client,
                                                                    hub_urls: dict[str, str]) -> None:
    plain = client.post(hub_urls["d_across"], json={"query": OWNER}, headers={"accept": "application/json"})
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.json() == {"data": {"case": {"id": "c1", "title": "Harbour fire", "owner": {"name": "Ada"}}}}
    _, timed = stream_payloads(client, hub_urls["d_across"], {"query": OWNER})
    assert merged([p for _, p in timed]) == plain.json()


def test_multipart_only_client_gets_json_for_an_operation_without_defer(client: httpx.Client,
                                                                         hub_urls: dict[str, str]) -> None:
    response = client.post(hub_urls["d_across"], json={"query": '{ case(id: "c3") { title } }'},
                           headers={"accept": "multipart/mixed"})
    assert response.status_code == 200
    assert response.json() == {"data": {"case": {"title": "Forged permit"}}}
    refused = client.post(hub_urls["d_across"], json={"query": OWNER},
                          headers={"accept": "multipart/mixed; deferSpec=20990101"})
    assert refused.status_code == 406


def test_subgraph_down_in_a_deferred_branch(across: RunningFixture, client: httpx.Client,
                                            hub_urls: dict[str, str]) -> None:
    across.servers["people"].set_fault("down")
    _, timed = stream_payloads(client, hub_urls["d_across"], {"query": OWNER})
    first, second = (p for _, p in timed)
    assert first == {"data": {"case": {"id": "c1", "title": "Harbour fire"}}, "hasNext": True}
    (entry,) = second["incremental"]
    assert entry["data"] == {"owner": None}
    assert entry["path"] == ["case"]
    assert entry["label"] == "owner"
    assert [e["path"] for e in entry["errors"]] == [["case", "owner"]]
    assert second["hasNext"] is False


def test_null_propagation_stops_at_the_deferred_fragment(across: RunningFixture, client: httpx.Client,
                                                         hub_urls: dict[str, str]) -> None:
    # Case.reviewed is Boolean! and fails for c2: the fragment's data becomes null, the case sent before stays
    query = '{ case(id: "c2") { title ... @defer(label: "r") { owner { name } reviewed } } }'
    first, second = (p for _, p in stream_payloads(client, hub_urls["d_across"], {"query": query})[1])
    assert first == {"data": {"case": {"title": "Stolen bicycle"}}, "hasNext": True}
    (entry,) = second["incremental"]
    assert entry["data"] is None
    assert entry["path"] == ["case"]
    assert entry["label"] == "r"
    assert [e["path"] for e in entry["errors"]] == [["case", "reviewed"]]
    plain = client.post(hub_urls["d_across"], json={"query": query}).json()
    assert plain["data"] == {"case": None}  # delivered whole, the null reaches the nullable case


def test_stream_root_list(client: httpx.Client, hub_urls: dict[str, str]) -> None:
    response = client.post(hub_urls["d_across"], json={"query": '{ cases @stream(initialCount: 1, label: "s") '
                                                                 "{ id } }"},
                           headers={"accept": "multipart/mixed; deferSpec=20220824"})
    parts = list(split_parts(response.content, "-"))
    assert parts == [{"data": {"cases": [{"id": "c1"}]}, "hasNext": True},
                     {"incremental": [{"items": [{"id": "c2"}, {"id": "c3"}], "path": ["cases", 1], "label": "s"}],
                      "hasNext": False}]
    assert merged(parts)["data"] == {"cases": [{"id": "c1"}, {"id": "c2"}, {"id": "c3"}]}


def test_client_leaving_mid_stream_leaves_the_gateway_serving(across: RunningFixture, client: httpx.Client,
                                                              hub_urls: dict[str, str]) -> None:
    across.servers["people"].set_fault("slow")
    with client.stream("POST", hub_urls["d_across"], json={"query": OWNER},
                       headers={"accept": "multipart/mixed"}) as response:
        first = next(response.iter_bytes())
        assert first  # then the client goes away before the deferred part
    across.servers["people"].set_fault(None)
    again = client.post(hub_urls["d_across"], json={"query": '{ case(id: "c1") { title } }'})
    assert again.json() == {"data": {"case": {"title": "Harbour fire"}}}


def test_an_alias_named_typename_is_answered_whole_with_the_clients_key(across: RunningFixture, client: httpx.Client,
                                                                        hub_urls: dict[str, str]) -> None:
    # the gateway renames such an alias internally; a streamed payload would show the internal key
    query = '{ case(id: "c1") { __typename: title ... @defer { owner { name } } } }'
    response = client.post(hub_urls["d_across"], json={"query": query},
                           headers={"accept": "multipart/mixed;deferSpec=20220824, application/json"})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"case": {"__typename": "Harbour fire", "owner": {"name": "Ada"}}}}
