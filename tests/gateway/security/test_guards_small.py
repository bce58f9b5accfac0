"""Rate limits, trusted documents, @policy names, and the subgraph row-level scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.security.errors import DocumentNotTrusted, PersistedQueryNotFound, RateLimited
from gateway.security.jwt_auth import Principal
from gateway.security.policies import PolicySet, region_within
from gateway.security.ratelimit import RateLimit, TokenBucketLimiter
from gateway.security.trusted import TrustedDocuments, TrustMode, document_id
from subgraphs.common.security import CaseScope
from trust.signing import CallerContext


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refuses_when_empty_and_refills() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(RateLimit(capacity=3, refill_per_s=1), clock=clock)
    for _ in range(3):
        limiter.take("sub:a")
    with pytest.raises(RateLimited) as refused:
        limiter.take("sub:a")
    assert refused.value.http_status == 429
    assert 0 < refused.value.retry_after_s <= 1
    limiter.take("sub:b")  # another client has its own bucket
    clock.now += 1.0
    limiter.take("sub:a")


@given(st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=60))
def test_token_bucket_never_grants_more_than_capacity_plus_refill(gaps: list[float]) -> None:
    clock = Clock()
    limit = RateLimit(capacity=5, refill_per_s=2)
    limiter = TokenBucketLimiter(limit, clock=clock)
    granted = 0
    start = clock.now
    for gap in gaps:
        clock.now += gap
        try:
            limiter.take("k")
            granted += 1
        except RateLimited:
            pass
    assert granted <= limit.capacity + (clock.now - start) * limit.refill_per_s + 1e-9


def test_trusted_documents_enforce_and_resolve(tmp_path: Path) -> None:
    query = "{ notices { id } }"
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({"operations": [{"id": document_id(query), "body": query}]}), encoding="utf-8")
    trusted = TrustedDocuments.load(manifest)
    assert trusted.resolve(None, document_id(query)) == query
    assert trusted.resolve(query, None) == query
    with pytest.raises(DocumentNotTrusted):
        trusted.resolve("{ notices { title } }", None)
    with pytest.raises(PersistedQueryNotFound):
        trusted.resolve(None, "0" * 64)
    allow = TrustedDocuments(trusted.documents, TrustMode.ALLOW)
    assert allow.resolve("{ notices { title } }", None) == "{ notices { title } }"


def test_manifest_with_a_wrong_hash_fails_at_load(tmp_path: Path) -> None:
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({"0" * 64: "{ notices { id } }"}), encoding="utf-8")
    with pytest.raises(ValueError, match="SHA-256"):
        TrustedDocuments.load(manifest)


def principal(roles: tuple[str, ...], region: str | None = "445102", service: bool = False) -> Principal:
    return Principal(subject="s", roles=frozenset(roles), body_uscc=None, region_code=region, scopes=frozenset(),
                     client_id="c" if service else None, is_service=service, token_id=None,
                     expires_at=datetime(2100, 1, 1, tzinfo=UTC))


def test_policy_names() -> None:
    policies = PolicySet()
    assert policies.evaluate("case_handling", principal(("OFFICER",)))
    assert not policies.evaluate("case_handling", principal(("AUDITOR",)))
    assert policies.evaluate("audit", principal(("AUDITOR",)))
    assert policies.evaluate("role:SUPERVISOR|AUDITOR", principal(("AUDITOR",)))
    assert policies.evaluate("service", principal(("DEPARTMENT_SYSTEM",), service=True))
    assert not policies.evaluate("service", principal(("OFFICER",)))
    assert policies.evaluate("region:445100", principal(("OFFICER",), region="445102"))
    assert not policies.evaluate("region:445103", principal(("OFFICER",), region="445102"))
    assert not policies.evaluate("no_such_policy", principal(("OFFICER",)))
    assert not policies.evaluate("case_handling", None)


def test_region_containment() -> None:
    assert region_within("445102", "440000")
    assert region_within("445102001", "445102")
    assert not region_within("445122", "445102")
    assert not region_within(None, "445100")


def caller(roles: tuple[str, ...], body: str | None, region: str | None) -> CallerContext:
    return CallerContext(subject="x", roles=frozenset(roles), body_uscc=body, region_code=region,
                         purpose_code=None, request_id="r")


def test_a_town_officer_sees_only_the_own_bodys_cases() -> None:
    scope = CaseScope.for_caller(caller(("OFFICER",), "TOWN-A-BODY", "445102001"))
    assert scope.allows("TOWN-A-BODY", "445102001")
    assert not scope.allows("OTHER-BODY-IN-TOWN-A", "445102001")
    assert not scope.allows("TOWN-B-BODY", "445102002")
    assert not scope.allows("DISTRICT-BODY", "445102")
    rows = [{"body_uscc": "TOWN-A-BODY", "region_code": "445102001"},
            {"body_uscc": "TOWN-B-BODY", "region_code": "445102002"}]
    assert scope.filter(rows) == rows[:1]
    # a town-level supervisor: every body of the town, not the neighbouring town's nor the county's
    town = CaseScope.for_caller(caller(("SUPERVISOR",), "TOWN-A-OFFICE", "445102001"))
    assert town.allows("OTHER-BODY-IN-TOWN-A", "445102001")
    assert not town.allows("TOWN-B-BODY", "445102002")
    assert not town.allows("DISTRICT-BODY", "445102")


def test_supervisors_see_their_region_and_strangers_nothing() -> None:
    city = CaseScope.for_caller(caller(("SUPERVISOR",), "JUSTICE", "445100"))
    assert city.allows("ANY", "445102002")
    assert city.allows("ANY", "445122")
    assert not city.allows("ANY", "440300")
    assert CaseScope.for_caller(caller(("PUBLIC",), None, "445100")).empty
    assert CaseScope.for_caller(None).empty
