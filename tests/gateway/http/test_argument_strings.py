"""Through the gateway process: an oversized or control-character string is refused at the gateway.

No subgraph runs behind this gateway, so a request that got past the gateway would end in
SUBGRAPH_UNAVAILABLE; a refused one ends in BAD_USER_INPUT naming where the value stands.
"""

from __future__ import annotations

from typing import Any

import httpx

HEADERS = {"content-type": "application/json", "accept": "application/graphql-response+json"}
SEARCH = "query($f: OfficerFilter) { searchOfficers(filter: $f) { total } }"
UPLOAD = "mutation($c: String!) { uploadFile(contentBase64: $c) { sm3 } }"


def _ask(url: str, query: str, variables: dict[str, Any] | None = None) -> tuple[int, list[dict[str, Any]]]:
    response = httpx.post(url + "/graphql", json={"query": query, "variables": variables}, headers=HEADERS,
                          timeout=10)
    return response.status_code, response.json().get("errors", [])


def test_a_1001_character_name_prefix_is_refused_before_any_system(hub_gateway_url: str) -> None:
    status, errors = _ask(hub_gateway_url, SEARCH, {"f": {"namePrefix": "张" * 1001}})
    assert status == 400
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "f.namePrefix", "maxLength": 1000}
    status, errors = _ask(hub_gateway_url, '{ searchOfficers(filter: {namePrefix: "%s"}) { total } }' % ("x" * 5000))
    assert status == 400
    assert errors[0]["extensions"]["argument"] == "OfficerFilter.namePrefix (line 1)"


def test_a_name_prefix_within_the_bound_goes_on_to_the_subgraph(hub_gateway_url: str) -> None:
    status, errors = _ask(hub_gateway_url, SEARCH, {"f": {"namePrefix": "张" * 1000}})
    assert status == 200
    assert {e["extensions"]["code"] for e in errors} == {"SUBGRAPH_UNAVAILABLE"}


def test_a_base64_file_takes_the_bound_the_schema_gives_it(hub_gateway_url: str) -> None:
    _status, errors = _ask(hub_gateway_url, UPLOAD, {"c": "QUJD" * 50_000})  # 200,000 characters
    codes = {e["extensions"]["code"] for e in errors}
    assert "SUBGRAPH_UNAVAILABLE" in codes, errors  # it went on to the cases subgraph
    assert "BAD_USER_INPUT" not in codes
    _status, errors = _ask(hub_gateway_url, UPLOAD, {"c": "QUJD" * 700_000})  # 2.8 M: over the schema's bound
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["argument"] == "c"


def test_a_control_character_is_refused_over_http(hub_gateway_url: str) -> None:
    status, errors = _ask(hub_gateway_url, SEARCH, {"f": {"namePrefix": "a\u0000b"}})
    assert status == 400
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "f.namePrefix"}


def test_a_document_the_gateway_has_seen_is_still_checked_with_every_request_s_variables(
        hub_gateway_url: str) -> None:
    # the literal walk is kept per document text: a replay of an accepted text with new variables is checked anew
    status, _ = _ask(hub_gateway_url, SEARCH, {"f": {"namePrefix": "张"}})
    assert status == 200
    status, errors = _ask(hub_gateway_url, SEARCH, {"f": {"namePrefix": "张" * 1001}})
    assert status == 400
    assert errors[0]["extensions"]["argument"] == "f.namePrefix"
    status, errors = _ask(hub_gateway_url, SEARCH, {"f": {"namePrefix": "a\u001bb"}})
    assert status == 400
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "f.namePrefix"}


def test_a_refused_literal_stays_refused_when_the_same_text_comes_again(hub_gateway_url: str) -> None:
    query = '{ searchOfficers(filter: {namePrefix: "%s"}) { total } }' % ("y" * 1001)
    for _ in range(3):
        status, errors = _ask(hub_gateway_url, query)
        assert status == 400
        assert errors[0]["extensions"]["argument"] == "OfficerFilter.namePrefix (line 1)"
