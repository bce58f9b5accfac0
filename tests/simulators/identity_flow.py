"""Drive the identity provider's authorization code flow over real HTTP, as a browser and a client do."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from starlette.applications import Starlette

from simulators.base import SimConfig
from simulators.identity.app import create_app
from tests.support.servers import serve

CONSOLE = "supervision-console"
OFFICER_APP = "officer-app"
AUDIENCE = "enforcement-hub"


def callback(port: int = 8765) -> str:
    return f"http://127.0.0.1:{port}/auth/callback"


def challenge_of(verifier: str) -> str:
    """RFC 7636 §4.2 S256, written out here apart from the provider's own."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, challenge_of(verifier)


class Clock:
    """A clock the test moves; starts at the real time so issued tokens verify."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@dataclass
class Provider:
    url: str
    app: Starlette
    clock: Clock
    http: httpx.Client


@contextlib.contextmanager
def provider(data_dir: Path, clock: Clock, *, admin: bool = True, **credentials: str) -> Iterator[Provider]:
    app = create_app(SimConfig(admin=admin, data_dir=data_dir, credentials=credentials), clock=clock)
    with serve(app) as url, httpx.Client(base_url=url, timeout=10.0, follow_redirects=False) as http:
        yield Provider(url, app, clock, http)


def authorize_params(challenge: str, *, client_id: str = CONSOLE, redirect_uri: str | None = None,
                     state: str | None = "st-1", **extra: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri or callback(),
              "code_challenge": challenge, "code_challenge_method": "S256"}
    if state is not None:
        params["state"] = state
    params.update(extra)
    return params


@dataclass
class Page:
    """What a browser would see of the sign-in page: the form's inputs, the labels, the text."""

    inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)
    form_action: str | None = None

    def hidden(self) -> dict[str, str]:
        return {name: attrs.get("value", "") for name, attrs in self.inputs.items() if attrs.get("type") == "hidden"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.page.inputs[values.get("name", "")] = values
        elif tag == "label":
            self._label_for = values.get("for")
        elif tag == "form":
            self.page.form_action = values.get("action")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.page.text.append(data.strip())
            if self._label_for:
                self.page.labels[self._label_for] = data.strip()


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    return parser.page


def open_sign_in(p: Provider, params: dict[str, str]) -> tuple[httpx.Response, Page]:
    response = p.http.get("/oauth/authorize", params=params)
    return response, parse_page(response.text)


def submit(p: Provider, page: Page, username: str, password: str, *,
           headers: dict[str, str] | None = None, **overrides: str) -> httpx.Response:
    form = {**page.hidden(), "username": username, "password": password, **overrides}
    return p.http.post("/oauth/authorize", data=form, headers=headers)


def redirect_query(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """(redirect target without its query, the query's parameters) of a 302."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    parts = urlsplit(location)
    query = {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query


def sign_in_for_code(p: Provider, username: str, challenge: str, **params: Any) -> tuple[str, dict[str, str]]:
    """Open the page, sign in with the demo password; the code and the whole callback query."""
    response, page = open_sign_in(p, authorize_params(challenge, **params))
    assert response.status_code == 200, response.text
    _, query = redirect_query(submit(p, page, username, f"{username}-pass"))
    return query["code"], query


def exchange(p: Provider, code: str, verifier: str, *, redirect_uri: str | None = None,
             client_id: str = CONSOLE, **extra: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri or callback(),
            "client_id": client_id, "code_verifier": verifier, **extra}
    return p.http.post("/oauth/token", data=form)


def verify(p: Provider, token: str) -> dict[str, Any]:
    jwks = p.http.get("/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["ES256"], issuer=p.url, audience=AUDIENCE)
    return claims
