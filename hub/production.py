"""What the production profile needs: every secret and setting, checked at once, and a trial set of them.

`production_problems(settings)` lists every setting a production hub cannot start with (a dev default,
a secret too short, a missing SM2 anchor key, ...), one line each naming the key, so an operator sees
the whole list at once instead of one refusal per start. `hub up --profile production` refuses to
start while the list is not empty; `hub secrets check` prints it.

`trial_secrets()` draws a complete, strong set from the operating system's CSPRNG, and
`render_toml` / `render_env` write it as a settings file or an environment file (`hub secrets init`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from domain.sm import Sm2Error, sm2_generate_keypair, sm2_public_key
from hub.security_settings import DEV_SIGNING_SECRET
from hub.settings import Settings

__all__ = ["MIN_SECRET", "production_problems", "render_env", "render_toml", "trial_secrets"]

#: the shortest secret production accepts (characters)
MIN_SECRET = 32
#: the secret the identity simulator knows for the supervision engine in dev (`hub.runner`)
_SIMULATED_ENGINE_SECRET = "supervision-engine-secret"


def _weak(value: str) -> bool:
    return len(value) < MIN_SECRET or "dev-" in value or value.startswith("dev")


def production_problems(settings: Settings) -> list[str]:
    """Every reason this configuration cannot run as production, one line per setting (empty: none)."""
    problems: list[str] = []

    def need(ok: bool, key: str, why: str) -> None:
        if not ok:
            env = "HUB_" + key.upper().replace(".", "__")
            problems.append(f"{key} (env {env}): {why}")

    need(not _weak(settings.id_hash_secret), "id_hash_secret",
         f"a secret of at least {MIN_SECRET} characters, not the dev default (it keys every ID-number hash)")
    need(settings.database_url.startswith("postgresql"), "database_url", "a postgresql:// URL")
    sec = settings.security
    need(sec.signing.secret != DEV_SIGNING_SECRET and not _weak(sec.signing.secret), "security.signing.secret",
         f"a secret of at least {MIN_SECRET} characters, not the dev default (signs every subgraph call)")
    for key_id, old in sec.signing.previous.items():
        need(not _weak(old), f"security.signing.previous.{key_id}", f"at least {MIN_SECRET} characters")
    audit = sec.audit
    public: str | None = None
    try:
        public = sm2_public_key(audit.anchor_private_key) if audit.anchor_private_key else None
    except Sm2Error as exc:
        need(False, "security.audit.anchor_private_key", f"an SM2 private key of 64 hex digits ({exc})")
    else:
        need(public is not None, "security.audit.anchor_private_key",
             "an SM2 private key (64 hex digits) that anchors the access log")
    if public is not None:
        need(audit.anchor_public_keys.get(audit.anchor_key_id, "").lower() == public,
             "security.audit.anchor_public_keys",
             f"the public key of {audit.anchor_key_id!r} (`hub audit verify` checks the anchors with it)")
    need(bool(sec.metrics_token) is False or len(sec.metrics_token) >= MIN_SECRET, "security.metrics_token",
         f"empty (/metrics off) or at least {MIN_SECRET} characters")
    sup = settings.supervision
    need(bool(sup.client_secret) and sup.client_secret != _SIMULATED_ENGINE_SECRET and len(sup.client_secret) >= 16,
         "supervision.client_secret",
         "the supervision engine's own client secret at the identity provider (without it the engine cannot "
         "authenticate to the gateway)")
    outbox = settings.outbox
    for name in ("data_centre", "credit"):
        if getattr(outbox, f"{name}_url"):
            need(not _weak(getattr(outbox, f"{name}_app_secret")), f"outbox.{name}_app_secret",
                 "the receiver's own secret (at least 32 characters, not the dev default)")
            need("-dev-" not in getattr(outbox, f"{name}_app_key"), f"outbox.{name}_app_key",
                 "the app key the receiver issued, not the dev default")
    sims = settings.simulators
    for key in ("population_api_key", "national_credit_app_key", "national_credit_app_secret", "soap_password"):
        need("-dev-" not in getattr(sims, key), f"simulators.{key}",
             "the credential the department issued to the hub, not the dev default")
    return problems


def trial_secrets() -> dict[str, Any]:
    """A complete production set for a trial: every secret drawn fresh, the SM2 anchor pair included."""
    def strong() -> str:
        return secrets.token_hex(32)  # 64 hex digits: never a dev marker such as "dev-"

    anchor = sm2_generate_keypair()
    return {
        "id_hash_secret": strong(),
        "simulators": {
            "population_api_key": strong(),
            "national_credit_app_key": f"hub-{secrets.token_hex(8)}",
            "national_credit_app_secret": strong(),
            "soap_password": strong(),
        },
        "supervision": {"client_secret": strong()},
        "outbox": {
            "data_centre_app_key": f"hub-dc-{secrets.token_hex(8)}",
            "data_centre_app_secret": strong(),
            "credit_app_key": f"hub-credit-{secrets.token_hex(8)}",
            "credit_app_secret": strong(),
        },
        "security": {
            "metrics_token": strong(),
            "signing": {"key_id": "gw-1", "secret": strong()},
            "audit": {"anchor_key_id": "audit-1", "anchor_private_key": anchor.private_key,
                      "anchor_public_keys": {"audit-1": anchor.public_key}},
        },
    }


def _toml_value(value: object) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)  # the strings drawn here are ASCII: a JSON string is a TOML basic string


def render_toml(values: Mapping[str, Any], header: str = "") -> str:
    """`values` as a hub.toml: top-level keys first, then one table per section (nested: dotted names)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]

    def table(prefix: str, section: Mapping[str, Any]) -> None:
        plain = {k: v for k, v in section.items() if not (isinstance(v, Mapping) and _is_table(k, prefix))}
        if prefix:
            lines.extend(["", f"[{prefix}]"])
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in plain.items())
        for key, value in section.items():
            if key not in plain:
                table(f"{prefix}.{key}" if prefix else key, value)

    table("", values)
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_table(key: str, prefix: str) -> bool:
    """Sections are tables; maps of key id -> value (anchor_public_keys, previous) stay inline."""
    return key not in {"anchor_public_keys", "previous"}


def render_env(values: Mapping[str, Any], header: str = "") -> str:
    """`values` as HUB_* lines of an environment file (nested keys joined by a double underscore)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]

    def walk(prefix: str, section: Mapping[str, Any]) -> None:
        for key, value in section.items():
            name = f"{prefix}__{key.upper()}" if prefix else f"HUB_{key.upper()}"
            if isinstance(value, Mapping) and _is_table(key, prefix):
                walk(name, value)
            else:
                text = json.dumps(value) if isinstance(value, Mapping) else str(value)
                lines.append(f"{name}='{text}'")

    walk("", values)
    return "\n".join(lines) + "\n"
