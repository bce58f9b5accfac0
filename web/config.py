"""What the web console needs to know: where the gateway and the identity provider are, and how to set cookies."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WebConfig"]


@dataclass(frozen=True)
class WebConfig:
    #: the gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql (server to server)
    gateway_url: str
    #: the identity provider's base URL as the browser reaches it (authorization endpoint)
    identity_url: str
    #: the console's own base URL as the browser reaches it; the redirect URI is `{public_url}/auth/callback`
    public_url: str
    #: the identity provider's base URL as this server reaches it (token endpoint); default identity_url
    identity_backchannel_url: str = ""
    client_id: str = "supervision-console"
    #: `Secure` on the session cookie (production behind TLS); dev serves plain HTTP on 127.0.0.1
    cookie_secure: bool = False
    #: a session ends this long after sign-in at the latest, and earlier when its token expires
    session_ttl_s: int = 8 * 3600
    #: the GraphQL explorer for front-end teams (dev profile only)
    explorer: bool = True
    #: seconds between the alert list's checks for new alerts
    alert_poll_s: int = 15
    #: per-request time budget for a call to the gateway
    gateway_timeout_s: float = 20.0

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url.rstrip('/')}/auth/callback"

    @property
    def token_url(self) -> str:
        return f"{(self.identity_backchannel_url or self.identity_url).rstrip('/')}/oauth/token"

    @property
    def authorize_url(self) -> str:
        return f"{self.identity_url.rstrip('/')}/oauth/authorize"
