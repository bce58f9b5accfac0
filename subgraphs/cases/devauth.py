"""DEV ONLY: the caller's identity from the `x-hub-dev-user` header, until the security work lands.

    x-hub-dev-user: {"id": "OFF-000001", "body": "11445100MBYK2ADL3R", "roles": ["OFFICER"]}

`id` becomes the actor of every command; `body` (optional) limits writes to that body's cases
unless `roles` contains SUPERVISOR. Nothing here authenticates anyone: any caller can claim any
identity. The gateway's JWT-based context (signed subgraph headers) replaces this module; the
subgraph must not be exposed beyond loopback while it is in use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

HEADER = "x-hub-dev-user"


class DevUserError(ValueError):
    """The header is present but not a usable JSON identity."""


@dataclass(frozen=True, slots=True)
class DevUser:
    id: str
    body_uscc: str | None
    roles: frozenset[str]

    def may_act_for(self, body_uscc: str) -> bool:
        return self.body_uscc is None or self.body_uscc == body_uscc or "SUPERVISOR" in self.roles


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
    if body is not None and not isinstance(body, str):
        raise DevUserError(f'{HEADER}: "body" must be a string')
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise DevUserError(f'{HEADER}: "roles" must be a list of strings')
    return DevUser(data["id"].strip()[:64], body, frozenset(roles))
