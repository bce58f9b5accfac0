"""Signing in through the identity provider in a real browser, over the real `hub up` stack.

The console started by `hub up` sends the browser to the provider's page (authorization code + PKCE);
after the password the browser lands on the page it first asked for. The session cookie is HttpOnly and
SameSite=Strict; the token itself never reaches the browser. An expired token sends the user back to sign
in, and after signing in again they are on the page they were on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, watch
from tests.web.stack import ConsoleStack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow


def _sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with launch() as running:
        yield running


def test_sign_in_returns_to_the_page_asked_for(stack: ConsoleStack, browser: Browser) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    requests, errors = watch(page)
    page.goto(f"{stack.web}/alerts?severity=RED")
    assert urlsplit(page.url).netloc == urlsplit(stack.identity).netloc  # on the provider's page
    screenshot(page, "signin-identity-page-1440x900")
    _sign_in(page, "supervisor1", "wrong-password")
    page.get_by_text("用户名或密码错误").wait_for()
    _sign_in(page, "supervisor1", "supervisor1-pass")
    page.wait_for_url(f"{stack.web}/alerts?severity=RED")
    cookies = {c["name"]: c for c in context.cookies(stack.web)}
    session = cookies["hub_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert "access_token" not in page.content()
    # the token is not in any cookie or in the page's storage
    storage = page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    assert "ey" not in storage
    assert all(not c["value"].startswith("ey") for c in cookies.values())
    # sign out: the session is gone, the next page asks to sign in again
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("您已安全退出").wait_for()
    page.goto(f"{stack.web}/alerts")
    assert urlsplit(page.url).netloc == urlsplit(stack.identity).netloc
    requests.assert_local()
    errors.assert_none()
    context.close()


def test_an_expired_token_sends_the_user_back_to_sign_in_without_losing_the_page(
        stack: ConsoleStack, browser: Browser) -> None:
    from tests.support.servers import free_port, serve
    from web.app import create_app
    from web.config import WebConfig

    httpx.put(f"{stack.identity}/__admin/test-expiry", json={"allow": True}, timeout=10).raise_for_status()
    port = free_port()
    config = WebConfig(gateway_url=f"{stack.gateway}/graphql", identity_url=stack.identity,
                       public_url=f"http://127.0.0.1:{port}")
    try:
        with serve(create_app(config, test_token_lifetime=3), port=port) as url:
            context = browser.new_context(viewport=VIEWPORTS["tablet"])
            page = context.new_page()
            requests, errors = watch(page)
            page.goto(f"{url}/alerts?severity=RED")
            _sign_in(page, "supervisor1", "supervisor1-pass")
            page.wait_for_url(f"{url}/alerts?severity=RED")
            time.sleep(4)  # the token (3 s) is over
            page.goto(f"{url}/alerts?status=OPEN")
            assert urlsplit(page.url).netloc == urlsplit(stack.identity).netloc  # asked to sign in again
            _sign_in(page, "supervisor1", "supervisor1-pass")
            page.wait_for_url(f"{url}/alerts?status=OPEN")  # back on the page they were on
            requests.assert_local()
            errors.assert_none()
            context.close()
    finally:
        httpx.put(f"{stack.identity}/__admin/test-expiry", json={"allow": False}, timeout=10)
