"""DEV ONLY: the caller's identity from the `x-hub-dev-user` header, for unsigned calls in the dev profile.

    x-hub-dev-user: {"id": "OFF-000001", "body": "11445100MBYK2ADL3R", "roles": ["OFFICER"], "region": "445100"}

`id` becomes the actor of every command; `body` and `region` (both optional) scope what the caller
sees and changes like a signed caller's (`subgraphs.cases.access`). Nothing here authenticates
anyone: any caller can claim any identity. The app reads the header only when
`CasesConfig.allow_dev_header` is set (the dev profile) and the call is unsigned; a signed call's
caller is the gateway-verified context, and in production the header is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

HEADER = "x-hub-dev-user"
#: what an unidentified caller of the dev profile is told: through the gateway a token names the caller
#: (the header counts only on an unsigned call straight to this subgraph)
DEV_HINT = (f"sign in (a bearer token through the gateway: `hub token USER`); calling this subgraph "
            f"directly in dev, send the {HEADER} header")


class DevUserError(ValueError):
    """The header is present but not a usable JSON identity."""


@dataclass(frozen=True, slots=True)
class DevUser:
    id: str
    body_uscc: str | None
    roles: frozenset[str]
    region_code: str | None = None


def parse_dev_user(raw: str | None) -> DevUser | None:
    """The identity in the header; None when absent."""
    if raw is None or not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise DevUserError(f"{HEADER} is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"].strip():
        raise DevUserError(f'{HEADER} must be an object with a non-empty "id"')
    body = data.get("body")
    roles = data.get("roles") or []
    region = data.get("region")
    if body is not None and not isinstance(body, str):
        raise DevUserError(f'{HEADER}: "body" must be a string')
    if region is not None and not isinstance(region, str):
        raise DevUserError(f'{HEADER}: "region" must be a string')
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise DevUserError(f'{HEADER}: "roles" must be a list of strings')
    return DevUser(data["id"].strip()[:64], body, frozenset(roles), region or None)
