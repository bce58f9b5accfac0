"""`hub token USER`: an access token from the identity provider, printed alone (for `TOKEN=$(hub token officer1)`).

In dev the demo users' password is `<user>-pass` and a service client's secret `<client>-secret` (the
identity simulator's directory), so `hub token officer1` needs nothing else. When the identity provider
does not answer or refuses, the command says so in one paragraph and exits 2; nothing is printed on
standard output, so `TOKEN=$(hub token ...)` stays empty rather than holding an error.
"""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli_common import fail, load
from hub.settings import Profile, Settings


def token_url(settings: Settings) -> str:
    """Where tokens come from: `supervision.token_url` if set, the identity simulator of `hub up` in dev,
    else `<security.issuer>/oauth/token`."""
    from simulators.registry import SIMULATORS

    if settings.supervision.token_url:
        return settings.supervision.token_url
    if settings.profile is Profile.PRODUCTION:
        return settings.security.issuer.rstrip("/") + "/oauth/token"
    port = settings.simulators.base_port + SIMULATORS["identity"].port_offset
    return f"http://127.0.0.1:{port}/oauth/token"


def token(
    user: Annotated[str, typer.Argument(help="a user (officer1, officer2, reviewer1, head1, supervisor1, auditor1, "
                                             "public1) or, with --client, a service client (dept-system)")],
    password: Annotated[str, typer.Option(help="the password or client secret (dev default: <user>-pass, "
                                               "<client>-secret)")] = "",
    client: Annotated[bool, typer.Option("--client", help="client credentials: USER is a client id")] = False,
    url: Annotated[str, typer.Option(help="the token endpoint (default: the identity provider of `hub up`)")] = "",
) -> None:
    """Print an access token for USER from the identity provider (OAuth 2.0 password or client-credentials grant)."""
    import httpx

    from subgraphs.supervision.service_token import token_answer

    settings = load()
    production = settings.profile is Profile.PRODUCTION
    if not password and production:
        raise fail("--password is needed in the production profile (the dev defaults are the simulator's)")
    secret = password or (f"{user}-secret" if client else f"{user}-pass")
    endpoint = url or token_url(settings)
    form = ({"grant_type": "client_credentials", "client_id": user, "client_secret": secret} if client
            else {"grant_type": "password", "username": user, "password": secret})
    try:
        response = httpx.post(endpoint, data=form, timeout=10.0)
    except httpx.HTTPError as exc:
        raise fail(f"the identity provider at {endpoint} does not answer ({exc or type(exc).__name__}): start it "
                   "(`make run` / `hub up` starts the simulated one) or pass --url with its token endpoint") from exc
    body, reason = token_answer(response)
    if body is None:
        raise fail(f"the identity provider at {endpoint} refused a token for {user!r}: HTTP {response.status_code}"
                   f"{f' ({reason})' if reason else ''}; check the name and the password (demo users: "
                   "`<user>-pass`; service clients with --client: `<client>-secret`)")
    typer.echo(body["access_token"])
