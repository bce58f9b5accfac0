"""`hub web`: serve the supervision console (`web/`) as its own server."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli_common import fail, load
from hub.settings import Profile, Settings
from web.config import WebConfig


def web_config(settings: Settings, *, port: int = 0, gateway_url: str = "") -> WebConfig:
    """The console's settings from the hub's: where the gateway and the identity provider are."""
    web = settings.web
    production = settings.profile is Profile.PRODUCTION
    port = port or web.port
    gateway_host = "127.0.0.1" if settings.gateway.host in ("0.0.0.0", "") else settings.gateway.host
    return WebConfig(
        gateway_url=gateway_url or f"http://{gateway_host}:{settings.gateway.port}/graphql",
        identity_url=web.identity_url or settings.security.issuer,
        identity_backchannel_url=settings.security.issuer,
        public_url=web.public_url or f"http://127.0.0.1:{port}",
        client_id=web.client_id,
        cookie_secure=production if web.cookie_secure is None else web.cookie_secure,
        session_ttl_s=web.session_ttl_s,
        explorer=(not production) if web.explorer is None else web.explorer,
        alert_poll_s=web.alert_poll_s,
        gateway_timeout_s=settings.gateway.subgraph_timeout_s * 2,
    )


def web(
    port: Annotated[int, typer.Option(help="port (default: web.port, 4200)")] = 0,
    host: Annotated[str, typer.Option(help="address to listen on")] = "",
    gateway_url: Annotated[str, typer.Option(help="the gateway's /graphql URL (default: from gateway.port)")] = "",
) -> None:
    """Serve the supervision console (监督平台): dashboard, alerts, cases, workforce, case-file review.

    Its data comes through the gateway as the signed-in user; sign-in goes to the identity provider
    (authorization code with PKCE). Open http://127.0.0.1:4200/ after `hub up`.
    """
    import uvicorn

    from hub.observability import observe
    from web.app import create_app

    settings = load()
    if port < 0 or port > 65535:
        raise fail(f"--port must be between 1 and 65535, not {port}")
    if gateway_url and not gateway_url.startswith(("http://", "https://")):
        raise fail(f"--gateway-url must be an http(s) URL, not {gateway_url!r}")
    config = web_config(settings, port=port, gateway_url=gateway_url)
    application = create_app(config)
    uvicorn.run(application, host=host or settings.web.host, port=port or settings.web.port,
                log_level=settings.log_level.lower(), access_log=False, log_config=observe(settings, "web"))
