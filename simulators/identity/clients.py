"""The public clients that sign people in with the authorization code flow and PKCE.

    client_id            name      redirect URIs
    supervision-console  监督平台   http://127.0.0.1:<any port>/auth/callback, plus the exact URIs
                                    in credentials["console_redirect_uris"] (comma separated)
    officer-app          移动执法   http://127.0.0.1:<any port>/auth/callback, plus the exact URIs
                                    in credentials["officer_app_redirect_uris"]

Public clients hold no secret (RFC 6749 §2.1); PKCE stands in for it. A redirect URI is accepted when
it is one of the client's exact URIs (simple string comparison, RFC 6749 §3.1.2.3) or a loopback URI
on 127.0.0.1 with any port and exactly the registered path (RFC 8252 §7.3). Nothing else: no other
host, no `localhost` (RFC 8252 §8.3), no user info, query or fragment in a loopback URI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

CONSOLE_CLIENT_ID = "supervision-console"
OFFICER_APP_CLIENT_ID = "officer-app"
LOOPBACK_CALLBACK_PATH = "/auth/callback"

#: credentials key (comma-separated exact redirect URIs) for each public client
EXTRA_REDIRECTS_KEY = {
    CONSOLE_CLIENT_ID: "console_redirect_uris",
    OFFICER_APP_CLIENT_ID: "officer_app_redirect_uris",
}

_LOOPBACK = re.compile(r"http://127\.0\.0\.1(?::(?P<port>[1-9][0-9]{0,4}))?(?P<path>/[A-Za-z0-9/_.-]*)")


@dataclass(frozen=True)
class PublicClient:
    """A client without a secret: who it is and where its codes may be sent."""

    client_id: str
    name: str
    loopback_path: str
    exact_redirect_uris: frozenset[str] = frozenset()

    def allows_redirect(self, uri: str) -> bool:
        if uri in self.exact_redirect_uris:
            return True
        match = _LOOPBACK.fullmatch(uri)
        if match is None or match.group("path") != self.loopback_path:
            return False
        port = match.group("port")
        return port is None or int(port) <= 65_535


class ClientRegistry:
    """Public clients by id."""

    def __init__(self, clients: list[PublicClient]) -> None:
        self._clients = {client.client_id: client for client in clients}

    def get(self, client_id: str | None) -> PublicClient | None:
        return self._clients.get(client_id or "")

    def client_ids(self) -> list[str]:
        return list(self._clients)


def _uri_list(value: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


def build_public_clients(credentials: Mapping[str, str]) -> ClientRegistry:
    """The console and the officer app, with the extra redirect URIs the deployment's credentials give."""
    names = {CONSOLE_CLIENT_ID: "监督平台", OFFICER_APP_CLIENT_ID: "移动执法"}
    return ClientRegistry([
        PublicClient(client_id, name, LOOPBACK_CALLBACK_PATH,
                     _uri_list(credentials.get(EXTRA_REDIRECTS_KEY[client_id])))
        for client_id, name in names.items()
    ])
