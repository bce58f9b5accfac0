"""What the console's attack tests share: the app's routes with their path parameters filled from real
data, the forms and links of a page, a real sign-in through the identity provider over HTTP, a crawl.

Nothing here decides what is right: the tests do. The helpers only find what an attacker would try
(every route, every form, every filter parameter) from the running app and the pages it serves.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
from starlette.routing import Route

from tests.simulators.identity_flow import parse_page
from tests.web.stack import InProcessConsole

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PARAM = re.compile(r"\{(?P<name>\w+)(?::(?P<conv>\w+))?\}")
#: what a stack trace or a framework's debug page looks like in a body
TRACE_MARKS = ("Traceback (most recent call last)", 'File "/', "site-packages", "starlette.", "jinja2.exceptions")


def has_trace(text: str) -> bool:
    return any(mark in text for mark in TRACE_MARKS)


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (the test reads who a demo user is)."""
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


# --- routes -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RouteInfo:
    path: str                   # the template, e.g. /alerts/{alert_id}
    methods: frozenset[str]
    params: tuple[tuple[str, str], ...]  # (name, convertor)

    @property
    def section(self) -> str:
        """The first path segment: /alerts/{id}/ack -> /alerts."""
        return "/" + self.path.strip("/").split("/")[0] if self.path != "/" else "/"


def routes(app: Any) -> list[RouteInfo]:
    """Every Route of the app (mounts such as /static are not routes of pages)."""
    found = []
    for route in app.routes:
        if isinstance(route, Route):
            params = tuple((m.group("name"), m.group("conv") or "str") for m in PARAM.finditer(route.path))
            found.append(RouteInfo(route.path, frozenset(route.methods or ()), params))
    return found


def changing_routes(app: Any) -> list[RouteInfo]:
    return [r for r in routes(app) if r.methods & CHANGING]


def page_routes(app: Any) -> list[RouteInfo]:
    """GET routes that are pages or exports (not the health probe or the sign-in flow's own steps)."""
    skip = {"/health", "/signin", "/auth/callback"}
    return [r for r in routes(app) if "GET" in r.methods and r.path not in skip]


# --- pages ---------------------------------------------------------------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]


@dataclass
class PageParts:
    links: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)

    def get_parameters(self) -> set[str]:
        """Names a user can set in a GET request of this page: its GET forms' fields, its links' query keys."""
        names = {n for f in self.forms if f.method == "get" for n in f.fields}
        for link in self.links:
            names.update(k for k, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True))
        return names


_PLAUSIBLE = {"number": "1", "date": "2026-12-31", "month": "2026-12", "email": "probe@example.invalid"}


class _PageParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.parts = PageParts()
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for verb in ("post", "put", "patch", "delete"):  # an htmx action on any element is a form too
            target = a.get(f"hx-{verb}") or a.get(f"data-hx-{verb}")
            if target:
                fields = dict(self._form.fields) if self._form is not None else {}
                if a.get("name"):
                    fields[a["name"]] = a.get("value", "")
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    fields.update({str(k): str(v) for k, v in json.loads(a.get("hx-vals", "")).items()})
                self.parts.forms.append(Form(urljoin(self.base, target), "post", fields))
        if tag == "a" and a.get("href"):
            self.parts.links.append(urljoin(self.base, a["href"]))
        elif tag == "form":
            self._form = Form(urljoin(self.base, a.get("action") or self.base), (a.get("method") or "get").lower(), {})
            self.parts.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and a["name"] in self._form.fields:
                return
            value = a.get("value") or _PLAUSIBLE.get(kind, a.get("min", "")) or ("probe" if kind == "text" else "")
            self._form.fields[a["name"]] = value
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], "")
        elif self._form is not None and tag == "option" and self._select:
            if not self._form.fields.get(self._select) and a.get("value"):
                self._form.fields[self._select] = a["value"]
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields[a["name"]] = "probe"
        elif tag in {"button"} and self._form is not None and a.get("name"):
            self._form.fields.setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_parts(html: str, base: str) -> PageParts:
    parser = _PageParser(base)
    parser.feed(html)
    return parser.parts


def get(client: httpx.Client, path: str) -> httpx.Response:
    """GET `path`; an event stream (live alerts) is answered by its status and headers, its body left unread."""
    with client.stream("GET", path) as answer:
        if "text/event-stream" in answer.headers.get("content-type", ""):
            return httpx.Response(answer.status_code, headers=answer.headers, request=answer.request)
        answer.read()
    return answer


def is_text(answer: httpx.Response) -> bool:
    kind = answer.headers.get("content-type", "")
    return kind.startswith("text/") or "json" in kind or "javascript" in kind


def local_path(url: str, origin: str) -> str | None:
    """`url` as a path of the console when it is one, else None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https", ""} or (parts.netloc and f"{parts.scheme}://{parts.netloc}" != origin):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: httpx.Client, origin: str, start: Iterable[str], *, limit: int = 60, within: str = "/",
          skip_prefixes: tuple[str, ...] = ("/static/", "/signin", "/auth/")) -> Iterator[tuple[str, httpx.Response]]:
    """GET the start pages and the console's pages they link to (under `within`), breadth first, at most
    `limit` of them."""
    queue = list(start)
    seen: set[str] = set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(skip_prefixes):
            continue
        seen.add(path)
        answer = get(client, path)
        yield path, answer
        if "text/html" in answer.headers.get("content-type", ""):
            for link in page_parts(answer.text, origin + path).links:
                local = local_path(link, origin)
                if local is not None and local not in seen and local.startswith(within):
                    queue.append(local)


# --- a real sign-in ---------------------------------------------------------------------------------------------

@dataclass
class SignIn:
    client: httpx.Client
    token: str | None           # what the token endpoint gave the console (read from the console's store)
    landing: httpx.Response     # the console's answer to the provider's redirect (303 to the return path)
    steps: list[httpx.Response] = field(default_factory=list)

    def __enter__(self) -> SignIn:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()


def begin_sign_in(client: httpx.Client, console: InProcessConsole, next_path: str | None) -> httpx.Response:
    params = {"next": next_path} if next_path is not None else {}
    return client.get(f"{console.url}/signin", params=params)


def provider_redirect(client: httpx.Client, authorize_url: str, username: str) -> httpx.Response:
    """Show the provider's page, post its form with the demo password: the 302 to the console's callback."""
    page_answer = client.get(authorize_url)
    assert page_answer.status_code == 200, page_answer.text[:500]
    page = parse_page(page_answer.text)
    action = urljoin(authorize_url, page.form_action or "/oauth/authorize")
    posted = client.post(action, data={**page.hidden(), "username": username, "password": f"{username}-pass"})
    assert posted.status_code == 302, posted.text[:500]
    return posted


def sign_in(console: InProcessConsole, username: str, *, next_path: str | None = "/",
            client: httpx.Client | None = None) -> SignIn:
    """The whole authorization code flow as a browser does it: the console's /signin, the provider's page
    and form, the console's callback."""
    client = client or httpx.Client(timeout=60, follow_redirects=False)
    start = begin_sign_in(client, console, next_path)
    assert start.status_code == 302, start.text[:500]
    posted = provider_redirect(client, start.headers["location"], username)
    landing = client.get(posted.headers["location"])
    session = console.app.state.sessions.get(session_cookie(client))
    return SignIn(client, session.token if session else None, landing, [start, posted])


def session_cookie(client: httpx.Client) -> str | None:
    """The console's session cookie the client holds now (the last one set)."""
    values = [c.value for c in client.cookies.jar if c.name == "hub_session"]
    return values[-1] if values else None
