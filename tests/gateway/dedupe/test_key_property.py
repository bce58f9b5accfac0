"""Property: two requests get the same de-duplication key exactly when every input that can change the
answer is the same; per-call values (request id, client address) never split them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.audit.log import AccessLog
from gateway.audit.store import FileAccessLog
from gateway.extensions import GraphQLRequest, RequestContext
from gateway.inbound_dedupe import InboundDedupe
from gateway.media import GRAPHQL_RESPONSE_JSON, JSON
from gateway.runtime import GatewayRuntime
from gateway.secure import security_extensions
from gateway.security.config import SecurityConfig
from gateway.security.jwt_auth import Principal
from gateway.security.state import STATE_KEY, RequestSecurity
from tests.gateway.dedupe.support import counter_supergraph
from trust.signing import SigningKey

RUNTIMES = [GatewayRuntime.from_sdl(counter_supergraph("http://127.0.0.1:9/graphql")) for _ in range(2)]
EXTENSIONS = security_extensions(
    SecurityConfig.dev(signing_key=SigningKey("k", b"property-test-signing-secret-0123456789")),
    access_log=AccessLog(FileAccessLog(Path("/nonexistent/never-opened.jsonl"))))
DEDUPE = InboundDedupe(EXTENSIONS)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6)
principals = st.builds(
    Principal, subject=st.sampled_from(["officer1", "officer2"]),
    roles=st.frozensets(st.sampled_from(["OFFICER", "SUPERVISOR"])),
    body_uscc=st.sampled_from([None, "11440000MB2C92920X"]), region_code=st.sampled_from([None, "445102"]),
    scopes=st.frozensets(st.sampled_from(["cases:read", "population:read"])),
    client_id=st.sampled_from([None, "officer-app"]), is_service=st.booleans(),
    token_id=st.sampled_from([None, "jti-1", "jti-2"]),
    expires_at=st.sampled_from([datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2, tzinfo=UTC)]),
    name=st.sampled_from([None, "张三"]))

#: every input that can change an answer, each with the values it may take
FACTS: dict[str, st.SearchStrategy[Any]] = {
    "method": st.sampled_from(["GET", "POST"]),
    "media": st.sampled_from([JSON, GRAPHQL_RESPONSE_JSON]),
    "runtime": st.sampled_from([0, 1]),
    "labels": st.frozensets(st.sampled_from(["percent(10)", "use-store-colour"])),
    "query": st.sampled_from(["{ item(id: 1) { id } }", "{ item(id: 1) { id name } }", ""]) | st.text(max_size=8),
    "operation_name": st.none() | st.sampled_from(["A", "B"]),
    "document_id": st.none() | st.sampled_from(["sha256:aa", "sha256:bb"]),
    "variables": st.none() | st.dictionaries(st.text(max_size=3), json_values, max_size=3),
    "principal": st.none() | principals,
    "purpose_code": st.none() | st.sampled_from(["CASE_HANDLING", "SUPERVISION"]),
    "purpose_ref": st.none() | st.sampled_from(["case:1", "case:2"]),
    "purpose_bound": st.booleans(),
    "end_user": st.none() | st.sampled_from(["u-1", "u-2"]),
}
#: per-call values that must not split identical requests
PER_CALL: dict[str, st.SearchStrategy[Any]] = {
    "request_id": st.text(min_size=1, max_size=8), "client_ip": st.sampled_from(["127.0.0.1", "127.0.0.2", None]),
}


def key_of(facts: dict[str, Any], per_call: dict[str, Any]) -> object:
    state = RequestSecurity(principal=facts["principal"], purpose_code=facts["purpose_code"],
                            end_user=facts["end_user"], client_ip=per_call["client_ip"],
                            request_id=per_call["request_id"], purpose_ref=facts["purpose_ref"],
                            purpose_bound=facts["purpose_bound"])
    request = GraphQLRequest(facts["query"], facts["variables"], facts["operation_name"], facts["document_id"])
    return DEDUPE.key(facts["method"], facts["media"], RUNTIMES[facts["runtime"]], facts["labels"], request,
                      RequestContext(values={STATE_KEY: state}))


def comparable(facts: dict[str, Any]) -> dict[str, Any]:
    # variables are compared as the JSON text the client sent: 1 and 1.0, or true and 1, are different inputs
    return {**facts, "variables": None if facts["variables"] is None else orjson.dumps(facts["variables"])}


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_key_differs_exactly_when_an_answer_changing_input_differs(data: st.DataObject) -> None:
    first = {name: data.draw(strategy, label=name) for name, strategy in FACTS.items()}
    # the second request: the same inputs, with a few (maybe none) drawn again
    changed = data.draw(st.frozensets(st.sampled_from(sorted(FACTS)), max_size=2), label="changed")
    second = {name: data.draw(FACTS[name], label=f"second {name}") if name in changed else value
              for name, value in first.items()}
    calls = [{name: data.draw(s, label=f"{i} {name}") for name, s in PER_CALL.items()} for i in range(2)]
    same_inputs = comparable(first) == comparable(second)
    assert (key_of(first, calls[0]) == key_of(second, calls[1])) == same_inputs


def test_every_security_extension_takes_part() -> None:
    assert DEDUPE.enabled
    assert {type(e).__name__ for e in EXTENSIONS} == {"RequestGuard", "ResponseGuard", "CallSigning",
                                                      "AccessLogExtension"}
