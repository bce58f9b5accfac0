"""What the web console's browser tests share: Debian's Chromium through Playwright, and checks on pages.

- `launch()`: a headless Chromium (the distribution's binary; Playwright downloads no browser here).
  Skips with the reason when Chromium or Playwright is missing, except with CI=true, where the test
  script installs Chromium (scripts/browser_deps.sh) and a missing one is a failure.
- `serve(app)`: an ASGI app under uvicorn on 127.0.0.1 in a thread, yielding its base URL.
- `watch(page)`: a `RequestRecorder` (every URL the page requests; `assert_local()`) and a
  `ConsoleErrors` collector (console errors and uncaught page errors; `assert_none()`).
- `screenshot(page, name)`: a PNG in test-artifacts/screenshots/ (not committed), to look at;
  `VIEWPORTS` the sizes to take them at (`browser.new_context(viewport=VIEWPORTS["tablet"])`).

Pages under test should declare an icon (`<link rel="icon" href="...">`, `data:,` will do): otherwise
Chromium requests /favicon.ico, and its 404 is a console error.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
)
LOCAL_HOST = "127.0.0.1"
NON_NETWORK_SCHEMES = {"data", "blob", "about"}  # URLs a page "requests" without leaving the browser
SERVER_START_TIMEOUT_S = 20.0
# The sizes the console's screenshots are taken at (issue 15): a desktop and a tablet held upright
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1440, "height": 900},
    "tablet": {"width": 768, "height": 1024},
}


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (with CI=true scripts/browser_deps.sh should have installed it)")
    pytest.skip(reason)


#: the phone the officer's app is tested on (with touch)
PHONE: ViewportSize = {"width": 390, "height": 844}


def phone(browser: Browser, session: str | None = None, url: str | None = None) -> BrowserContext:
    """A phone context (390×844, touch, zh-CN, DPR 2); with `session` and `url`, signed in by that session cookie."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN",
                                  device_scale_factor=2)
    if session is not None and url is not None:
        context.add_cookies([{"name": "hub_session", "value": session, "url": url}])
    return context


@contextmanager
def launch() -> Iterator[Browser]:
    """A headless Chromium from the Debian path, closed afterwards."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install the project's dev extras)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM} (Debian's `chromium` package; "
                     "scripts/browser_deps.sh installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app on 127.0.0.1 (a free port) in a thread; yields "http://127.0.0.1:PORT"."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host=LOCAL_HOST, port=port, log_level="warning",
                                           lifespan="auto"))
    thread = threading.Thread(target=server.run, name=f"test-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{LOCAL_HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_START_TIMEOUT_S)


@dataclass
class RequestRecorder:
    """Every URL a page requests, in order, and those that failed."""

    urls: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> RequestRecorder:
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)
        return self

    def _on_request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _on_failed(self, request: Request) -> None:
        self.failed.append(f"{request.url} ({request.failure})")

    def network_urls(self) -> list[str]:
        return [u for u in self.urls if urlsplit(u).scheme not in NON_NETWORK_SCHEMES]

    def assert_local(self) -> None:
        """Every network request went to 127.0.0.1, and none failed."""
        foreign = [u for u in self.network_urls() if urlsplit(u).hostname != LOCAL_HOST]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not self.failed, f"failed requests: {self.failed}"


@dataclass
class ConsoleErrors:
    """Console messages of type error, and uncaught exceptions in the page."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> ConsoleErrors:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        return self

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location.get('url', '?')}")

    def _on_page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")

    def assert_none(self) -> None:
        assert not self.errors, "errors in the page:\n" + "\n".join(self.errors)


def watch(page: Page) -> tuple[RequestRecorder, ConsoleErrors]:
    """Attach a request recorder and a console-error collector to a page (before navigating)."""
    return RequestRecorder().attach(page), ConsoleErrors().attach(page)


_FLATTEN = """() => {
  const y = window.scrollY;
  for (const el of document.querySelectorAll("body *")) {
    if (getComputedStyle(el).position === "fixed") { el.dataset.shotFixed = el.style.position; el.style.position = "static"; }
  }
  window.scrollTo(0, 0);
  return y;
}"""
_RESTORE = """y => {
  for (const el of document.querySelectorAll("[data-shot-fixed]")) {
    el.style.position = el.dataset.shotFixed; delete el.dataset.shotFixed;
  }
  window.scrollTo(0, y);
}"""


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG (the whole page by default) as test-artifacts/screenshots/<name>.png; return its path."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100] or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    # from the top (a sticky bar is drawn where the page was scrolled to), fixed bars put in the flow for the
    # capture (a phone's bottom tab bar would be drawn across the middle of a whole-page image), then back
    where = page.evaluate(_FLATTEN) if full_page else 0
    page.screenshot(path=str(path), full_page=full_page)
    if full_page:
        page.evaluate(_RESTORE, where)
    return path

