"""``hub audit verify`` and the gateway's security wiring from the hub settings.

`verify_access_log(url)` checks a stored access log -- a database URL (``sqlite:///...``,
``postgresql://...``) or a JSON-lines file path -- and returns the report naming the first edited,
deleted or reordered record. `gateway_security(settings)` turns the ``security`` settings into the
gateway's `SecurityConfig` and `AccessLog`, refusing dev secrets in the production profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from gateway.audit.log import AccessLog, AnchorKey
from gateway.audit.sql_store import SqlAccessLog
from gateway.audit.store import AccessLogStore, FileAccessLog
from gateway.audit.verify import AccessLogReport, verify_records
from gateway.security.config import SecurityConfig
from gateway.security.hygiene import HygienePolicy
from gateway.security.jwt_auth import JwtSettings
from gateway.security.limits import OperationLimits
from gateway.security.masking import UnmaskPolicy
from gateway.security.policies import PolicySet
from gateway.security.purpose import PurposeBindings
from gateway.security.ratelimit import RateLimit
from gateway.security.trusted import TrustedDocuments, TrustMode
from hub.security_settings import DEV_ANONYMOUS_SCOPES, DEV_SIGNING_SECRET
from hub.settings import Profile, Settings, SettingsError
from hub.trusted_documents import MANIFEST as TRUSTED_MANIFEST
from trust.signing import SigningKey

__all__ = ["access_log_store", "anchor_key", "anchor_public_keys", "gateway_security", "signing_keys",
           "verify_access_log", "verify_access_log_async"]

#: DEV ONLY: the access log's anchor key when the dev profile sets none, so that anchoring and `hub audit
#: prune` work in dev as in production; production refuses it (it is public, in this file)
DEV_ANCHOR_KEY_ID = "dev-only-anchor"
DEV_ANCHOR_PRIVATE_KEY = "5371f3e288c23d7cdc3d4f2a56a93c2c7a1ea814d580218f7f7ecba0148ddf8d"
DEV_ANCHOR_PUBLIC_KEY = ("6e5b3eabc4114095ed1961ae92b2da27a562ce27b43f3fa036accac06a0ff9bb"
                         "4ab5653926012a92406897204ec4d8001bfc1eaa82ca7607065b46b9f2eed124")

_DATABASE_SCHEMES = ("sqlite", "postgresql")


def access_log_store(url: str) -> AccessLogStore:
    """The store at `url`: a database URL or a file path (``file:`` prefix optional)."""
    if url.split(":", 1)[0].split("+", 1)[0] in _DATABASE_SCHEMES:
        return SqlAccessLog(url)
    return FileAccessLog(Path(url.removeprefix("file://").removeprefix("file:")))


async def verify_access_log_async(url: str, *, public_keys: Mapping[str, str] | None = None) -> AccessLogReport:
    """`verify_access_log` for callers already inside an event loop."""
    store = access_log_store(url)
    await store.open()
    try:
        return verify_records(await store.read(), await store.anchors(), dict(public_keys or {}))
    finally:
        await store.close()


def verify_access_log(url: str, *, public_keys: Mapping[str, str] | None = None) -> AccessLogReport:
    """Verify the access log at `url`; anchors are checked with `public_keys` (key id -> SM2 public key).

    The CLI passes ``settings.security.audit.anchor_public_keys``; anchors signed by other keys are
    reported as unverified.
    """
    return asyncio.run(verify_access_log_async(url, public_keys=public_keys))


def signing_keys(settings: Settings) -> list[SigningKey]:
    """The gateway's current signing key first, then older keys subgraphs still accept (rotation)."""
    signing = settings.security.signing
    keys = [SigningKey(signing.key_id, signing.secret.encode("utf-8"))]
    keys += [SigningKey(key_id, secret.encode("utf-8")) for key_id, secret in signing.previous.items()]
    return keys


def access_log_url(settings: Settings) -> str:
    """Where the access log is: `security.audit.store`, else the hub's store (production) or a file in the
    data directory (dev)."""
    audit = settings.security.audit
    if audit.store:
        return audit.store
    return settings.effective_database_url if settings.profile is Profile.PRODUCTION \
        else str(settings.data_dir / "access_log.jsonl")


def anchor_key(settings: Settings) -> AnchorKey | None:
    """The key that anchors the access log: the configured one, else the dev key in the dev profile."""
    audit = settings.security.audit
    if audit.anchor_private_key:
        return AnchorKey(audit.anchor_key_id, audit.anchor_private_key)
    return None if settings.profile is Profile.PRODUCTION else AnchorKey(DEV_ANCHOR_KEY_ID, DEV_ANCHOR_PRIVATE_KEY)


def anchor_public_keys(settings: Settings) -> dict[str, str]:
    """The public keys anchors are verified with: the configured ones, and the dev key's in the dev profile."""
    keys = dict(settings.security.audit.anchor_public_keys)
    if settings.profile is not Profile.PRODUCTION:
        keys.setdefault(DEV_ANCHOR_KEY_ID, DEV_ANCHOR_PUBLIC_KEY)
    return keys


def gateway_security(settings: Settings) -> tuple[SecurityConfig, AccessLog]:
    """The gateway's security configuration and access log for these settings."""
    sec = settings.security
    production = settings.profile is Profile.PRODUCTION
    problems = []
    if production and (sec.signing.secret == DEV_SIGNING_SECRET or len(sec.signing.secret) < 32):
        problems.append("security.signing.secret: production needs a secret of at least 32 characters")
    if production and sec.audit.anchor_private_key in ("", DEV_ANCHOR_PRIVATE_KEY):
        problems.append("security.audit.anchor_private_key: production needs an SM2 key to anchor the access log")
    if problems:
        raise SettingsError("invalid settings:\n  " + "\n  ".join(problems))
    # production runs the registered operations only (`hub trusted-documents`), unless configured otherwise
    manifest = sec.trusted_documents or (str(TRUSTED_MANIFEST) if production else "")
    try:
        trusted = TrustedDocuments.load(manifest, TrustMode(sec.trusted_documents_mode)) \
            if manifest and sec.trusted_documents_mode != "off" else None
    except ValueError as exc:
        raise SettingsError(f"security.trusted_documents: {exc}") from exc
    limits_profile = sec.limits_profile or ("production" if production else "dev")
    limits = OperationLimits.production() if limits_profile == "production" else OperationLimits.dev()
    # a service client's own limits: the profile's, with what the client's entry sets
    client_limits = {client: replace(limits, **own.changes()) for client, own in sec.client_limits.items()}
    introspection = sec.introspection if sec.introspection is not None else not production
    rate_on = sec.rate_limit.enabled if sec.rate_limit.enabled is not None else production
    config = SecurityConfig(
        jwt=JwtSettings(jwks_url=sec.jwks_url, issuer=sec.issuer, audience=sec.audience,
                        max_lifetime_s=sec.max_token_lifetime_s),
        allow_anonymous=sec.allow_anonymous if sec.allow_anonymous is not None else not production,
        limits=limits,
        client_limits=client_limits,
        hygiene=HygienePolicy(introspection=introspection, hide_suggestions=production),
        policies=PolicySet({name: frozenset(roles) for name, roles in sec.policies.items()}),
        unmask=UnmaskPolicy({role: frozenset(levels) for role, levels in sec.unmask_levels.items()},
                            frozenset(sec.purpose_codes)),
        signing_key=signing_keys(settings)[0],
        rate_limit=RateLimit(sec.rate_limit.capacity, sec.rate_limit.refill_per_s) if rate_on else None,
        trusted=trusted,
        strip_response_extensions=production,
        purposes=PurposeBindings(required=sec.bound_purpose if sec.bound_purpose is not None else production,
                                 daily_limit=sec.clear_read_daily_limit),
        anonymous_scopes=DEV_ANONYMOUS_SCOPES,
    )
    audit = sec.audit
    store_url = access_log_url(settings)
    access_log = AccessLog(access_log_store(store_url), anchor_key=anchor_key(settings), anchor_every=audit.anchor_every,
                           anchor_interval_s=audit.anchor_interval_s, retention_days=audit.retention_days)
    return config, access_log
