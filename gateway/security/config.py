"""What the security extensions enforce, with the two profiles: `production()` and `dev()`.

=========================  ==============================  ==================================
setting                    production                       dev
=========================  ==============================  ==================================
authentication             JWT required                     JWT checked when sent; anonymous ok
operation limits           `OperationLimits.production()`   `OperationLimits.dev()`
service clients' limits    `client_limits` by client id     `client_limits` by client id
introspection              off                              on
"Did you mean" hints       removed                          kept
CSRF prevention            on                               on
batching                   off (always)                     off (always)
GET                        queries only                     queries only
rate limits                per client token bucket          off
trusted documents          as configured                    as configured
signed subgraph calls      on                               on when a key is configured
response ``extensions``    removed (no tracing data)        kept
IDE / query page           none                             none (the web console's ``/explorer``)
clear reads                purpose bound to a record        purpose stated
=========================  ==============================  ==================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from gateway.security.hygiene import HygienePolicy
from gateway.security.jwt_auth import JwtSettings, Principal
from gateway.security.limits import OperationLimits
from gateway.security.masking import UnmaskPolicy
from gateway.security.policies import PolicySet
from gateway.security.purpose import PurposeBindings
from gateway.security.ratelimit import RateLimit
from gateway.security.trusted import TrustedDocuments
from trust.signing import SigningKey

__all__ = ["SecurityConfig"]


@dataclass(frozen=True)
class SecurityConfig:
    jwt: JwtSettings | None
    allow_anonymous: bool = False
    limits: OperationLimits | None = field(default_factory=OperationLimits.production)
    hygiene: HygienePolicy = field(default_factory=HygienePolicy)
    policies: PolicySet = field(default_factory=PolicySet)
    unmask: UnmaskPolicy = field(default_factory=UnmaskPolicy)
    signing_key: SigningKey | None = None
    rate_limit: RateLimit | None = field(default_factory=RateLimit)
    trusted: TrustedDocuments | None = None
    strip_response_extensions: bool = True
    document_cache_size: int = 1000
    #: need-to-know: clear reads only with a purpose bound to a case, inspection or review (production)
    purposes: PurposeBindings = field(default_factory=PurposeBindings)
    #: scopes of an anonymous caller where anonymous callers are allowed (dev: exploring every read);
    #: empty: anonymous callers stay unauthenticated (@authenticated fields are refused to them)
    anonymous_scopes: frozenset[str] = frozenset()
    #: operation limits of service clients (the supervision engine, departments' systems) by the client id
    #: of their verified token; every other caller, people included, gets `limits`
    client_limits: Mapping[str, OperationLimits] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.jwt is None and not self.allow_anonymous:
            raise ValueError("security: without JWT settings every caller is anonymous; set allow_anonymous")

    def limits_for(self, principal: Principal | None) -> OperationLimits | None:
        """The limits of one request: a service client's own (by its verified token's client id), else `limits`.

        Only a service token (``typ_sub`` "service", which carries ``client_id``) selects a client's limits:
        a person's token never does, whatever its claims, and an anonymous caller has no claims at all.
        """
        if self.limits is None or principal is None or not principal.is_service or principal.client_id is None:
            return self.limits
        return self.client_limits.get(principal.client_id, self.limits)

    @classmethod
    def production(cls, *, jwt: JwtSettings, signing_key: SigningKey, **changes: Any) -> SecurityConfig:
        return replace(cls(jwt=jwt, signing_key=signing_key), **changes)

    @classmethod
    def dev(cls, *, jwt: JwtSettings | None = None, signing_key: SigningKey | None = None,
            **changes: Any) -> SecurityConfig:
        base = cls(jwt=jwt, signing_key=signing_key, allow_anonymous=True, limits=OperationLimits.dev(),
                   hygiene=HygienePolicy(introspection=True, hide_suggestions=False), rate_limit=None,
                   strip_response_extensions=False)
        return replace(base, **changes)
