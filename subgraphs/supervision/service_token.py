"""The supervision service's own identity towards the gateway: an OAuth 2.0 client-credentials token.

In the production profile the gateway refuses anonymous callers, so the sweep and the follower ask
the identity provider for a token as the service client (`supervision-engine` by default) and send it
as a bearer token. `ServiceToken.get()` returns a cached token and fetches a new one shortly before
the old one expires (or after the gateway refused it: `invalidate()`). In the dev profile, with no
client secret configured, no token is fetched and the dev header names the service instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from subgraphs.supervision.errors import SupervisionError

#: a token is renewed this long before it expires
RENEW_BEFORE_S = 60.0


class ServiceTokenError(SupervisionError):
    code = "SERVICE_TOKEN"


class ServiceToken:
    def __init__(self, client: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str, *,
                 audience: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if not token_url or not client_id or not client_secret:
            raise ServiceTokenError("a service token needs the token URL, the client id and its secret")
        self._client = client
        self._url = token_url
        self._form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        if audience:
            self._form["audience"] = audience
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.fetched = 0

    async def get(self) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._expires - RENEW_BEFORE_S:
                await self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the token (the gateway refused it): the next `get` fetches a new one."""
        self._token = None

    async def _fetch(self) -> None:
        try:
            response = await self._client.post(self._url, data=self._form)
        except httpx.HTTPError as exc:
            raise ServiceTokenError(f"identity provider unreachable: {type(exc).__name__}") from exc
        body, reason = token_answer(response)
        if body is None:
            raise ServiceTokenError(f"the identity provider refused the service client ({response.status_code}"
                                    f"{': ' + str(reason) if reason else ''})")
        self._token = str(body["access_token"])
        lifetime = body.get("expires_in")
        self._expires = self._clock() + (float(lifetime) if isinstance(lifetime, int | float) else 300.0)
        self.fetched += 1


_ANY_HOST = {"", "0.0.0.0", "::", "[::]"}


@dataclass(frozen=True)
class ServiceClient:
    """How the supervision service reaches the gateway: its URL and the service identity it uses."""

    gateway_url: str
    token_url: str = ""
    client_id: str = "supervision-engine"
    client_secret: str = ""
    audience: str | None = None
    timeout_s: float = 10.0

    @classmethod
    def from_settings(cls, settings: Any) -> ServiceClient:
        """From `hub.settings.Settings` (typed loosely: subgraphs do not import hub). The gateway URL
        defaults to the gateway's host and port, a wildcard bind address read as 127.0.0.1; the token
        URL to the identity provider's `/oauth/token` next to the configured issuer."""
        gateway, section, security = settings.gateway, settings.supervision, settings.security
        host = "127.0.0.1" if gateway.host in _ANY_HOST else gateway.host
        issuer = str(security.issuer).rstrip("/")
        return cls(gateway_url=section.gateway_url or f"http://{host}:{gateway.port}/graphql",
                   token_url=section.token_url or (f"{issuer}/oauth/token" if issuer else ""),
                   client_id=section.client_id, client_secret=section.client_secret,
                   audience=security.audience or None, timeout_s=gateway.subgraph_timeout_s)

    def token(self, client: httpx.AsyncClient) -> ServiceToken | None:
        """The service token source, or None without a client secret (dev: the dev header names the service)."""
        if not self.client_secret:
            return None
        return ServiceToken(client, self.token_url, self.client_id, self.client_secret, audience=self.audience)


def token_answer(response: httpx.Response) -> tuple[dict[str, Any] | None, str | None]:
    """An OAuth token endpoint's answer: its body when it holds an access token, else None and the
    reason it gave (`error_description` or `error`, if any)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict) and body.get("access_token"):
        return body, None
    reason = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
    return None, str(reason) if reason else None
