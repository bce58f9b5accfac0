"""The signed-call contract as README "Signed calls" states it, checked by a verifier written from that text
alone (not from `trust.signing`'s code): what the gateway's signer sends passes it, and each altered part
fails the step the contract names."""

from __future__ import annotations

import base64
import hmac
import json
import time

import pytest

from domain.sm import hmac_sm3, sm3_hex
from trust.signing import CallerContext, CallSigner, SigningKey

SECRET = b"department-shared-secret-of-32-bytes!"
KEY = SigningKey("dept-2026", SECRET)
HEADERS = ("x-hub-key-id", "x-hub-audience", "x-hub-context", "x-hub-timestamp", "x-hub-nonce", "x-hub-signature")


def department_check(headers: dict[str, str], method: str, target: str, body: bytes, now: float,
                     seen: set[str], me: str = "licence") -> dict[str, object] | str:
    """A department's own verifier, following the README's seven steps; a code or the caller context."""
    if any(not headers.get(h) for h in HEADERS):
        return "UNSIGNED_CALL"
    secret = {"dept-2026": SECRET}.get(headers["x-hub-key-id"])
    if secret is None:
        return "BAD_SIGNATURE"
    lines = ["HUB-HMAC-SM3-V2", headers["x-hub-key-id"], headers["x-hub-audience"], method.upper(), target,
             headers["x-hub-timestamp"], headers["x-hub-nonce"], sm3_hex(body), headers["x-hub-context"]]
    if not hmac.compare_digest(hmac_sm3(secret, "\n".join(lines).encode()), headers["x-hub-signature"].lower()):
        return "BAD_SIGNATURE"
    if headers["x-hub-audience"] != me:
        return "BAD_SIGNATURE"
    if abs(now - int(headers["x-hub-timestamp"])) > 60:
        return "STALE_CALL"
    if headers["x-hub-nonce"] in seen:
        return "REPLAYED_CALL"
    seen.add(headers["x-hub-nonce"])
    encoded = headers["x-hub-context"]
    context: dict[str, object] = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return context


@pytest.fixture
def signed() -> tuple[dict[str, str], bytes]:
    body = b'{"query":"{ licences { id } }"}'
    context = CallerContext("officer-7", frozenset({"OFFICER", "AUDITOR"}), "11440000MB2C92710", "445102",
                            "CASE_HANDLING", "req-1")
    return CallSigner(KEY).sign(audience="licence", method="post", target="/graphql?x=1", body=body,
                                context=context), body


def test_a_gateway_call_passes_the_departments_own_check(signed: tuple[dict[str, str], bytes]) -> None:
    headers, body = signed
    context = department_check(headers, "POST", "/graphql?x=1", body, time.time(), set())
    assert context == {"bodyUscc": "11440000MB2C92710", "purposeCode": "CASE_HANDLING", "regionCode": "445102",
                       "requestId": "req-1", "roles": ["AUDITOR", "OFFICER"], "subject": "officer-7"}


@pytest.mark.parametrize(("change", "code"), [
    (lambda h, b, t: ({k: v for k, v in h.items() if k != "x-hub-nonce"}, b, t), "UNSIGNED_CALL"),
    (lambda h, b, t: ({**h, "x-hub-key-id": "other"}, b, t), "BAD_SIGNATURE"),
    (lambda h, b, t: (h, b + b" ", t), "BAD_SIGNATURE"),
    (lambda h, b, t: (h, b, "/graphql"), "BAD_SIGNATURE"),
    (lambda h, b, t: ({**h, "x-hub-context": h["x-hub-context"][:-2] + "AA"}, b, t), "BAD_SIGNATURE"),
    (lambda h, b, t: ({**h, "x-hub-audience": "cases"}, b, t), "BAD_SIGNATURE"),
])
def test_each_altered_part_fails_its_step(signed: tuple[dict[str, str], bytes], change: object, code: str) -> None:
    headers, body = signed
    changed_headers, changed_body, target = change(headers, body, "/graphql?x=1")  # type: ignore[operator]
    assert department_check(changed_headers, "POST", target, changed_body, time.time(), set()) == code


def test_audience_clock_and_nonce(signed: tuple[dict[str, str], bytes]) -> None:
    headers, body = signed
    assert department_check(headers, "POST", "/graphql?x=1", body, time.time(), set(), me="cases") == "BAD_SIGNATURE"
    assert department_check(headers, "POST", "/graphql?x=1", body, time.time() + 61, set()) == "STALE_CALL"
    seen: set[str] = set()
    assert isinstance(department_check(headers, "POST", "/graphql?x=1", body, time.time(), seen), dict)
    assert department_check(headers, "POST", "/graphql?x=1", body, time.time(), seen) == "REPLAYED_CALL"
