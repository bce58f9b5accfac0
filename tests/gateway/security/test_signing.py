"""Signed gateway -> subgraph calls: a real subgraph app over HTTP rejects every bypass with its code."""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.security.errors import BadSignature, CallSignatureError, ReplayedCall, StaleCall, UnsignedCall
from tests.support.servers import serve
from trust.signing import (
    CONTEXT_HEADER,
    KEY_ID_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    CallerContext,
    CallSigner,
    CallVerifier,
    NonceCache,
    NonceVerdict,
    SignedCallMiddleware,
    SigningKey,
    string_to_sign,
)

KEY_A = SigningKey("2024-a", b"A" * 32)
KEY_B = SigningKey("2024-b", b"B" * 40)
CONTEXT = CallerContext(
    subject="officer-0001",
    roles=frozenset({"OFFICER"}),
    body_uscc="11445100MB2C12345X",
    region_code="445102",
    purpose_code="CASE_HANDLING",
    request_id="req-1",
)
ENTITIES = json.dumps({
    "query": "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { name } } }",
    "variables": {"r": [{"__typename": "Person", "idType": "RESIDENT_ID", "idNumberHash": "ab" * 32}]},
}).encode()


def subgraph_app(verifier: CallVerifier) -> Starlette:
    async def graphql_endpoint(request: Request) -> Response:
        caller: CallerContext = request.state.hub_caller
        body = await request.body()
        return JSONResponse({"subject": caller.subject, "roles": sorted(caller.roles), "bodyBytes": len(body)})

    async def health(_: Request) -> Response:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/health", health),
    ])
    app.add_middleware(SignedCallMiddleware, verifier=verifier)
    return app


@pytest.fixture
def subgraph() -> Iterator[tuple[str, CallVerifier]]:
    verifier = CallVerifier([KEY_A, KEY_B], audience="people", max_skew_s=60)
    with serve(subgraph_app(verifier)) as base_url:
        yield base_url, verifier


def signed(signer: CallSigner, body: bytes = ENTITIES, target: str = "/graphql", method: str = "POST",
           context: CallerContext = CONTEXT) -> dict[str, str]:
    headers = signer.sign(audience="people", method=method, target=target, body=body, context=context)
    return {**headers, "content-type": "application/json"}


def code_of(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    code = response.json()["errors"][0]["extensions"]["code"]
    assert isinstance(code, str)
    return code


def test_good_call_passes_and_context_reaches_the_app(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    with httpx.Client(base_url=base_url) as http:
        response = http.post("/graphql", content=ENTITIES, headers=signed(CallSigner(KEY_A)))
        assert response.status_code == 200
        assert response.json() == {"subject": "officer-0001", "roles": ["OFFICER"], "bodyBytes": len(ENTITIES)}
        assert http.get("/health").status_code == 200  # other paths untouched


def test_unsigned_and_direct_entities_calls_rejected(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    with httpx.Client(base_url=base_url) as http:
        assert code_of(http.post("/graphql", content=ENTITIES, headers={"content-type": "application/json"})) == "UNSIGNED_CALL"
        assert code_of(http.post("/graphql/", content=ENTITIES)) == "UNSIGNED_CALL"
        assert code_of(http.get("/graphql", params={"query": "{ _service { sdl } }"})) == "UNSIGNED_CALL"
        partial = signed(CallSigner(KEY_A))
        del partial[NONCE_HEADER]
        assert code_of(http.post("/graphql", content=ENTITIES, headers=partial)) == "UNSIGNED_CALL"


def test_altered_body_context_or_path_rejected(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    signer = CallSigner(KEY_A)
    with httpx.Client(base_url=base_url) as http:
        headers = signed(signer)
        tampered_body = ENTITIES.replace(b"name", b"idNo")
        assert code_of(http.post("/graphql", content=tampered_body, headers=headers)) == "BAD_SIGNATURE"

        headers = signed(signer)
        promoted = dataclasses.replace(CONTEXT, roles=frozenset({"OFFICER", "SUPERVISOR"}))
        headers[CONTEXT_HEADER] = promoted.encode()
        assert code_of(http.post("/graphql", content=ENTITIES, headers=headers)) == "BAD_SIGNATURE"

        headers = signed(signer, target="/graphql?debug=1")
        assert code_of(http.post("/graphql", content=ENTITIES, headers=headers)) == "BAD_SIGNATURE"

        headers = signed(signer, method="GET")
        assert code_of(http.post("/graphql", content=ENTITIES, headers=headers)) == "BAD_SIGNATURE"

        headers = signed(CallSigner(SigningKey("retired", b"R" * 32)))
        assert code_of(http.post("/graphql", content=ENTITIES, headers=headers)) == "BAD_SIGNATURE"


def test_expired_and_future_calls_rejected(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    with httpx.Client(base_url=base_url) as http:
        old = CallSigner(KEY_A, clock=lambda: time.time() - 120)
        assert code_of(http.post("/graphql", content=ENTITIES, headers=signed(old))) == "STALE_CALL"
        future = CallSigner(KEY_A, clock=lambda: time.time() + 120)
        assert code_of(http.post("/graphql", content=ENTITIES, headers=signed(future))) == "STALE_CALL"
        slightly_off = CallSigner(KEY_A, clock=lambda: time.time() - 30)
        assert http.post("/graphql", content=ENTITIES, headers=signed(slightly_off)).status_code == 200


def test_replayed_call_rejected(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    with httpx.Client(base_url=base_url) as http:
        headers = signed(CallSigner(KEY_A))
        assert http.post("/graphql", content=ENTITIES, headers=headers).status_code == 200
        assert code_of(http.post("/graphql", content=ENTITIES, headers=headers)) == "REPLAYED_CALL"


def test_key_rotation(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    with httpx.Client(base_url=base_url) as http:
        for key in (KEY_A, KEY_B):  # both active during rotation
            assert http.post("/graphql", content=ENTITIES, headers=signed(CallSigner(key))).status_code == 200
    only_b = CallVerifier([KEY_B])
    headers = CallSigner(KEY_A).sign(audience="people", method="POST", target="/graphql", body=b"{}", context=CONTEXT)
    with pytest.raises(BadSignature):
        only_b.verify(headers, "POST", "/graphql", b"{}", time.time())


def test_oversized_body_rejected(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    big = b"x" * (1024 * 1024 + 1)
    with httpx.Client(base_url=base_url) as http:
        response = http.post("/graphql", content=big, headers=signed(CallSigner(KEY_A), body=big))
        assert response.status_code == 413


# --- unit level ---------------------------------------------------------------------------------------


def test_error_types_and_codes() -> None:
    verifier = CallVerifier([KEY_A])
    now = time.time()
    with pytest.raises(UnsignedCall):
        verifier.verify({}, "POST", "/graphql", b"", now)
    headers = CallSigner(KEY_A, clock=lambda: now).sign(audience="people", method="POST", target="/graphql", body=b"{}", context=CONTEXT)
    assert verifier.verify(headers, "POST", "/graphql", b"{}", now) == CONTEXT
    with pytest.raises(ReplayedCall):
        verifier.verify(headers, "POST", "/graphql", b"{}", now + 1)
    with pytest.raises(StaleCall):
        verifier.verify(headers, "POST", "/graphql", b"{}", now + 61)
    for error in (UnsignedCall("x"), BadSignature("x"), StaleCall("x"), ReplayedCall("x")):
        assert isinstance(error, CallSignatureError)
        assert error.http_status == 401
    bad = {**headers, TIMESTAMP_HEADER: "12ab"}
    with pytest.raises(BadSignature):
        verifier.verify(bad, "POST", "/graphql", b"{}", now)
    bad = {**headers, SIGNATURE_HEADER: headers[SIGNATURE_HEADER].upper()}  # hex case is not a change
    verifier_2 = CallVerifier([KEY_A])
    assert verifier_2.verify(bad, "POST", "/graphql", b"{}", now) == CONTEXT


def test_context_round_trip_and_canonical_form() -> None:
    assert CallerContext.decode(CONTEXT.encode()) == CONTEXT
    assert CONTEXT.to_json().startswith(b'{"bodyUscc":"11445100MB2C12345X","purposeCode":"CASE_HANDLING"')
    with pytest.raises(ValueError, match="roles"):
        CallerContext.decode(_b64(b'{"roles":"x","requestId":"r"}'))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_weak_keys_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SigningKey("k", b"short")
    with pytest.raises(ValueError, match="key id"):
        SigningKey("bad id", b"x" * 32)
    assert "AAAA" not in repr(KEY_A)


def _flip(data: bytes, index: int, bit: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 1 << bit
    return bytes(changed)


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.data())
def test_any_single_byte_change_in_body_fails(body: bytes, data: st.DataObject) -> None:
    now = time.time()
    verifier = CallVerifier([KEY_A])
    headers = CallSigner(KEY_A, clock=lambda: now).sign(audience="people", method="POST", target="/graphql", body=body, context=CONTEXT)
    index = data.draw(st.integers(0, len(body) - 1))
    bit = data.draw(st.integers(0, 7))
    with pytest.raises(BadSignature):
        verifier.verify(headers, "POST", "/graphql", _flip(body, index, bit), now)
    assert verifier.verify(headers, "POST", "/graphql", body, now) == CONTEXT  # the original still passes


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_single_byte_change_in_context_fails(data: st.DataObject) -> None:
    now = time.time()
    verifier = CallVerifier([KEY_A])
    headers = CallSigner(KEY_A, clock=lambda: now).sign(audience="people", method="POST", target="/graphql", body=b"{}", context=CONTEXT)
    encoded = headers[CONTEXT_HEADER].encode("ascii")
    index = data.draw(st.integers(0, len(encoded) - 1))
    replacement = data.draw(st.sampled_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").filter(
        lambda b: b != encoded[index]))
    changed = bytearray(encoded)
    changed[index] = replacement
    with pytest.raises(BadSignature):
        verifier.verify({**headers, CONTEXT_HEADER: changed.decode("ascii")}, "POST", "/graphql", b"{}", now)


def test_nonce_cache_ttl_and_bound() -> None:
    cache = NonceCache(ttl_s=10, max_entries=3)
    assert cache.remember("n1", 100, 100) is NonceVerdict.FRESH
    assert cache.remember("n1", 100, 105) is NonceVerdict.REPLAYED
    assert cache.remember("n1", 100, 111) is NonceVerdict.FRESH  # expired, and the skew check guards this
    for i in range(2, 6):
        assert cache.remember(f"n{i}", 100 + i, 112) is NonceVerdict.FRESH
    assert len(cache) == 3
    # evicted entries raise the floor: an old call cannot slip back in
    assert cache.remember("n-old", 101, 112) is NonceVerdict.TOO_OLD
    assert cache.remember("n-new", 120, 112) is NonceVerdict.FRESH


def test_headers_lookup_is_case_insensitive() -> None:
    now = time.time()
    headers = CallSigner(KEY_A, clock=lambda: now).sign(audience="people", method="POST", target="/graphql", body=b"", context=CONTEXT)
    upper = {k.upper(): v for k, v in headers.items()}
    assert CallVerifier([KEY_A]).verify(upper, "post", "/graphql", b"", now) == CONTEXT
    assert {KEY_ID_HEADER, NONCE_HEADER} <= set(headers)


def test_a_call_signed_for_another_subgraph_is_refused(subgraph: tuple[str, CallVerifier]) -> None:
    base_url, _ = subgraph
    elsewhere = CallSigner(KEY_A).sign(audience="licence", method="POST", target="/graphql", body=ENTITIES,
                                       context=CONTEXT)
    response = httpx.post(f"{base_url}/graphql", content=ENTITIES,
                          headers={**elsewhere, "content-type": "application/json"}, timeout=10)
    assert response.status_code == 401
    assert code_of(response) == "BAD_SIGNATURE"
    assert "another subgraph" in response.text
    # the audience header cannot be rewritten: it is part of the signed string
    relabelled = {**elsewhere, "x-hub-audience": "people", "content-type": "application/json"}
    response = httpx.post(f"{base_url}/graphql", content=ENTITIES, headers=relabelled, timeout=10)
    assert code_of(response) == "BAD_SIGNATURE"
    # control: the same call signed for this subgraph passes
    good = httpx.post(f"{base_url}/graphql", content=ENTITIES, headers=signed(CallSigner(KEY_A)), timeout=10)
    assert good.status_code == 200


def test_the_signed_string_names_version_and_audience() -> None:
    message = string_to_sign(key_id="k1", audience="population", method="post", target="/graphql",
                             timestamp="1700000000", nonce="n" * 16, body=b"{}", context="ctx")
    lines = message.decode("utf-8").split("\n")
    assert lines[:4] == ["HUB-HMAC-SM3-V2", "k1", "population", "POST"]
    assert len(lines) == 9


async def test_the_sql_nonce_store_is_shared_by_replicas(tmp_path: Path) -> None:
    """Two stores over one database (two replicas): a nonce is fresh once, then replayed on either."""
    from subgraphs.common.db import create_engine
    from subgraphs.common.migrate import upgrade
    from subgraphs.common.nonce_store import SqlNonceStore

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        one = SqlNonceStore(engine, audience="population", ttl_s=121, prune_every=3)
        two = SqlNonceStore(engine, audience="population", ttl_s=121, prune_every=3)
        assert await one.remember_async("nonce-0000000000001", 1000.0, 1000.0) is NonceVerdict.FRESH
        assert await two.remember_async("nonce-0000000000001", 1000.0, 1001.0) is NonceVerdict.REPLAYED
        assert await one.remember_async("nonce-0000000000001", 1000.0, 1002.0) is NonceVerdict.REPLAYED
        # pruning drops nonces older than the window; younger ones stay refused
        assert await two.remember_async("nonce-0000000000002", 1100.0, 1100.0) is NonceVerdict.FRESH
        assert await two.remember_async("nonce-0000000000003", 1300.0, 1300.0) is NonceVerdict.FRESH  # prunes
        async with engine.connect() as conn:
            left = set((await conn.execute(text("SELECT nonce FROM hub_call_nonce"))).scalars())
        assert left == {"nonce-0000000000003"}
        assert await one.remember_async("nonce-0000000000003", 1300.0, 1301.0) is NonceVerdict.REPLAYED
    finally:
        await engine.dispose()
