"""Serves the dev console page at ``/console`` (dev profile only; production serves no page at all)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.extensions import GatewayExtension

__all__ = ["ConsoleExtension"]

_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"


class ConsoleExtension(GatewayExtension):
    def __init__(self) -> None:
        self.page = resources.files("gateway.console").joinpath("console.html").read_text(encoding="utf-8")

    def routes(self) -> Sequence[BaseRoute]:
        return (Route("/console", self._page, methods=["GET"]),)

    async def _page(self, _: Request) -> Response:
        return HTMLResponse(self.page, headers={"content-security-policy": _CSP, "cache-control": "no-store"})
