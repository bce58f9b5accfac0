"""The ``security`` section of the hub settings, and how it becomes the gateway's `SecurityConfig`.

``hub.toml``::

    [security]
    jwks_url = "http://127.0.0.1:4106/jwks.json"
    issuer = "http://127.0.0.1:4106"
    audience = "enforcement-hub"
    max_token_lifetime_s = 43200                           # tokens living longer (exp - iat) are refused
    purpose_codes = ["CASE_HANDLING", "LEGAL_REVIEW", ...]
    bound_purpose = true                                   # default: production only
    clear_read_daily_limit = 500
    trusted_documents = "schema/trusted-documents.json"   # sha256 -> document; production's default
    trusted_documents_mode = "enforce"                     # off | allow | enforce
    metrics_token = "..."      # /metrics of the gateway and subgraphs needs it; production without one: off

    [security.client_limits.supervision-engine]   # a service client's own operation limits, by its token's
    max_root_fields = 60                          # client_id (unset keys: the profile's limits)

    [security.signing]         # HUB_SECURITY__SIGNING__SECRET=...
    key_id = "gw-1"
    secret = "..."             # >= 32 characters; production refuses the dev default

    [security.audit]
    store = ""                 # database URL or file; "" = the hub database (production) / data_dir file (dev)
    retention_days = 184
    anchor_private_key = "..." # SM2, 64 hex digits; required in production

The production checks run when the gateway is built (`gateway_security`), so that loading settings
for other commands does not need the gateway's secrets.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.security.roles import DEFAULT_NAMED_POLICIES, DEFAULT_PURPOSE_CODES, DEFAULT_UNMASK_LEVELS

__all__ = ["AuditSettings", "ClientLimitsSettings", "RateLimitSettings", "SecuritySettings", "SigningSettings"]

DEV_SIGNING_SECRET = "dev-only-gateway-signing-secret-change-me"
#: what an anonymous caller of the dev profile may reach (every department's data, masked; no audit log)
DEV_ANONYMOUS_SCOPES = frozenset({
    "cases:read", "cases:write", "cases:approve", "cases:review", "population:read", "legal_person:read",
    "licence:read", "personnel:read", "catalogue:read", "regulations:read", "supervision:read",
    "supervision:write", "statistics:read", "publicity:read",
})


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SigningSettings(_Section):
    key_id: str = "gw-1"
    secret: str = DEV_SIGNING_SECRET
    previous: dict[str, str] = Field(default_factory=dict)  # key id -> secret still accepted by subgraphs
    required: bool | None = None  # subgraphs refuse unsigned calls; None = production only
    max_skew_s: float = Field(default=60.0, gt=0)


class RateLimitSettings(_Section):
    enabled: bool | None = None  # None = production only
    capacity: float = Field(default=120.0, ge=1)
    refill_per_s: float = Field(default=20.0, gt=0)


class AuditSettings(_Section):
    store: str = ""
    retention_days: int = Field(default=184, ge=1)
    anchor_every: int = Field(default=1000, ge=1)
    anchor_interval_s: float = Field(default=3600.0, gt=0)
    anchor_key_id: str = "audit-1"
    anchor_private_key: str = ""
    anchor_public_keys: dict[str, str] = Field(default_factory=dict)  # key id -> SM2 public key, for verify
    local_subgraphs: list[str] = Field(default_factory=lambda: ["cases", "supervision"])


class ClientLimitsSettings(_Section):
    """One service client's operation limits; a key left unset keeps the profile's value."""

    max_tokens: int | None = Field(default=None, ge=1)
    max_depth: int | None = Field(default=None, ge=1)
    max_aliases: int | None = Field(default=None, ge=0)
    max_root_fields: int | None = Field(default=None, ge=1)
    max_fields: int | None = Field(default=None, ge=1)
    max_directives: int | None = Field(default=None, ge=0)
    max_cost: int | None = Field(default=None, ge=1)

    def changes(self) -> dict[str, int]:
        """The limits this client changes (field name -> value)."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


def _engine_limits() -> dict[str, ClientLimitsSettings]:
    # The supervision engine reads the officers of up to 50 bodies in one aliased request (its registered
    # documents, subgraphs.supervision.gateway_client): ~2,400 tokens, 50 root fields, 700 fields, cost ~5,600.
    return {"supervision-engine": ClientLimitsSettings(max_tokens=4000, max_aliases=60, max_root_fields=60,
                                                       max_fields=1000, max_cost=20_000)}


class SecuritySettings(_Section):
    jwks_url: str = "http://127.0.0.1:4106/jwks.json"
    issuer: str = "http://127.0.0.1:4106"
    audience: str = "enforcement-hub"
    max_token_lifetime_s: float = Field(default=12 * 3600.0, gt=0)  # longer-lived tokens are refused
    allow_anonymous: bool | None = None  # None = dev only
    limits_profile: Literal["production", "dev"] | None = None  # None = the hub profile
    #: service clients' own operation limits, chosen by the client id of a verified service token
    client_limits: dict[str, ClientLimitsSettings] = Field(default_factory=_engine_limits)
    introspection: bool | None = None  # None = dev only
    purpose_codes: list[str] = Field(default_factory=lambda: sorted(DEFAULT_PURPOSE_CODES))
    unmask_levels: dict[str, list[str]] = Field(
        default_factory=lambda: {role: sorted(levels) for role, levels in DEFAULT_UNMASK_LEVELS.items()})
    policies: dict[str, list[str]] = Field(
        default_factory=lambda: {name: sorted(roles) for name, roles in DEFAULT_NAMED_POLICIES.items()})
    bound_purpose: bool | None = None  # clear reads need a purpose bound to a record; None = production only
    clear_read_daily_limit: int = Field(default=500, ge=1)  # per caller and day, then an alert to the auditor
    trusted_documents: str = ""  # empty: schema/trusted-documents.json in production, none in dev
    trusted_documents_mode: Literal["off", "allow", "enforce"] = "enforce"
    #: the scraper's bearer token for /metrics (gateway and subgraphs); empty: open in dev, off in production
    metrics_token: str = ""
    signing: SigningSettings = SigningSettings()
    audit: AuditSettings = AuditSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
