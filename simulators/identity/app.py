"""The simulated unified identity provider (统一身份认证): OAuth2 tokens as ES256 JWTs, and its JWKS.

    GET  /.well-known/openid-configuration  -> issuer, authorization_endpoint, token_endpoint, jwks_uri, ...
    GET  /jwks.json                         -> {"keys": [every key ever used, newest last]}
    GET  /oauth/authorize?response_type=code&client_id=..&redirect_uri=..&state=..
                          &code_challenge=..&code_challenge_method=S256[&scope=..]
                                            -> the sign-in page (统一身份认证 登录); see `authorize.py`
    POST /oauth/authorize  (the page's form) -> 302 redirect_uri?code=..&state=..&iss=..
    POST /oauth/token  (application/x-www-form-urlencoded)
         grant_type=password&username=..&password=..
         grant_type=client_credentials&client_id=..&client_secret=..  (or HTTP Basic client auth)
         grant_type=authorization_code&code=..&redirect_uri=..&client_id=..&code_verifier=..
                   (a public client from `clients.py`, no secret: the PKCE verifier proves it)
         optional: audience (default "enforcement-hub"), scope (a subset of the role scope; for a code,
                   the scope asked for at /oauth/authorize),
                   expires_in (300..3600 s; -86400..86400 when credentials["allow_test_expiry"] == "1";
                   with that flag /oauth/authorize may carry it too, for the token the code buys)
         -> {"access_token", "token_type": "Bearer", "expires_in", "scope"}
    POST /__admin/rotate-key                -> {"kid": new kid, "kids": [all kids]}
    GET|PUT /__admin/test-expiry  {"allow": bool} -> the test flag, turned on or off while running

Users and service clients are listed in `directory.py`, the public clients that sign people in
(supervision-console, officer-app) and their redirect URIs in `clients.py`. A code's token is the
token the password grant gives the same user. Errors follow RFC 6749: 400 {"error":"invalid_grant"}
for a wrong password or unknown user, and for a code that is unknown, expired, used before, issued to
another client or redirect URI, or whose PKCE verifier does not match; 401 {"error":"invalid_client"}
for a bad client, 400 invalid_request / unsupported_grant_type / invalid_scope with a description,
and 503 {"error":"temporarily_unavailable"} for an injected fault. The issuer is credentials["issuer"]
when set, else the scheme, host and port the request was sent to. Operations counted: token, jwks,
authorize (the page shown), sign_in (the form posted).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import unquote

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.base import Fault, SimConfig, SimulatorRuntime, gate_admin
from simulators.identity import authorize
from simulators.identity.clients import ClientRegistry, build_public_clients
from simulators.identity.codes import CodeStore
from simulators.identity.directory import Directory, Principal, build_directory
from simulators.identity.formguard import FormGuard
from simulators.identity.keys import ALGORITHM, KEY_DIR, KeyRing
from simulators.identity.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_LIFETIME_S,
    LifetimePolicy,
    TokenIssuer,
    narrow_scope,
)
from simulators.identity.wire import OAuthError, read_form, single_values

SYSTEM = "identity"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

log = logging.getLogger("simulators.identity")


class IdentityApi:
    def __init__(
        self,
        *,
        runtime: SimulatorRuntime,
        keys: KeyRing,
        directory: Directory,
        clients: ClientRegistry,
        codes: CodeStore,
        issuer: TokenIssuer,
        fixed_issuer: str | None,
        lifetimes: LifetimePolicy,
    ) -> None:
        self.runtime = runtime
        self.keys = keys
        self.directory = directory
        self.clients = clients
        self.codes = codes
        self.issuer = issuer
        self._fixed_issuer = fixed_issuer
        self.lifetimes = lifetimes

    def issuer_url(self, request: Request) -> str:
        return self._fixed_issuer or f"{request.url.scheme}://{request.url.netloc}"

    async def _enter(self, operation: str) -> None:
        self.runtime.count(operation)
        try:
            await self.runtime.apply_faults()
        except Fault as exc:
            raise OAuthError(503, "temporarily_unavailable", str(exc)) from exc

    async def discovery(self, request: Request) -> Response:
        issuer = self.issuer_url(request)
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/oauth/authorize",
                "token_endpoint": f"{issuer}/oauth/token",
                "jwks_uri": f"{issuer}/jwks.json",
                "grant_types_supported": ["password", "client_credentials", "authorization_code"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
                "id_token_signing_alg_values_supported": [ALGORITHM],
                "response_types_supported": ["token", "code"],
                "response_modes_supported": ["query"],
                "code_challenge_methods_supported": ["S256"],
                "authorization_response_iss_parameter_supported": True,
                "subject_types_supported": ["public"],
                "claims_supported": ["sub", "name", "roles", "body_uscc", "region_code", "scope", "client_id"],
            }
        )

    async def jwks(self, _: Request) -> Response:
        await self._enter("jwks")
        return JSONResponse(self.keys.jwks())

    async def token(self, request: Request) -> Response:
        await self._enter("token")
        form = single_values(await read_form(request))
        grant = form.get("grant_type")
        lifetime_s: int | None = None
        if grant == "password":
            principal = self._password_grant(form)
            scope = narrow_scope(principal, form.get("scope"))
        elif grant == "client_credentials":
            principal = self._client_grant(form, request.headers.get("authorization"))
            scope = narrow_scope(principal, form.get("scope"))
        elif grant == "authorization_code":
            redeemed = authorize.redeem(form, clients=self.clients, codes=self.codes)
            principal, scope, lifetime_s = redeemed.principal, redeemed.scope, redeemed.lifetime_s
        elif not grant:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        else:
            raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
        audience = form.get("audience") or DEFAULT_AUDIENCE
        if form.get("expires_in") or lifetime_s is None:
            lifetime_s = self._lifetime(form.get("expires_in"))
        issued = self.issuer.issue(
            principal,
            issuer=self.issuer_url(request),
            audience=audience,
            lifetime_s=lifetime_s,
            scope=scope,
        )
        log.info("token issued: grant=%s sub=%s kid=%s", grant, principal.subject, issued.kid)
        return JSONResponse(
            {
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            },
            headers=_NO_STORE,
        )

    async def test_expiry(self, request: Request) -> Response:
        """GET or PUT {"allow": bool}: whether callers may ask for test lifetimes (admin API only)."""
        if request.method == "PUT":
            try:
                body = orjson.loads(await request.body())
            except orjson.JSONDecodeError:
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("allow"), bool):
                return JSONResponse({"error": "invalid_request",
                                     "error_description": 'the body must be {"allow": true|false}'}, status_code=400)
            self.lifetimes.allow_test_expiry = body["allow"]
            log.info("test lifetimes %s", "allowed" if body["allow"] else "refused")
        return JSONResponse({"allow": self.lifetimes.allow_test_expiry})

    async def rotate(self, _: Request) -> Response:
        key = self.keys.rotate()
        log.info("signing key rotated: new kid %s", key.kid)
        return JSONResponse({"kid": key.kid, "kids": [k.kid for k in self.keys.all_keys()]})

    def _password_grant(self, form: dict[str, str]) -> Principal:
        username, password = form.get("username"), form.get("password")
        if not username or password is None:
            raise OAuthError(400, "invalid_request", "username and password are required")
        principal = self.directory.user(username, password)
        if principal is None:
            raise OAuthError(400, "invalid_grant")
        return principal

    def _client_grant(self, form: dict[str, str], authorization: str | None) -> Principal:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            client_id, secret = _basic(authorization[6:])
        if not client_id or secret is None:
            raise OAuthError(401, "invalid_client")
        principal = self.directory.client(client_id, secret)
        if principal is None:
            raise OAuthError(401, "invalid_client")
        return principal

    def _lifetime(self, value: str | None) -> int:
        if value is None or value == "":
            return DEFAULT_LIFETIME_S
        try:
            seconds = int(value)
        except ValueError as exc:
            raise OAuthError(400, "invalid_request", "expires_in must be an integer") from exc
        low, high = self.lifetimes.allowed
        if not low <= seconds <= high:
            raise OAuthError(400, "invalid_request", f"expires_in must be between {low} and {high}")
        return seconds


def _basic(encoded: str) -> tuple[str | None, str | None]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError(401, "invalid_client") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client")
    return unquote(client_id), unquote(secret)


async def _oauth_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    payload: dict[str, Any] = {"error": exc.code}
    if exc.description and exc.code not in {"invalid_grant", "invalid_client"}:
        payload["error_description"] = exc.description
    headers = dict(_NO_STORE)
    if exc.code == "invalid_client":
        headers["WWW-Authenticate"] = 'Basic realm="identity"'
    return JSONResponse(payload, status_code=exc.status, headers=headers)


#: credentials["client_secret:<client id>"] gives that service client's secret (else its demo secret)
CLIENT_SECRET_PREFIX = "client_secret:"


def create_app(config: SimConfig, *, clock: Callable[[], float] = time.time) -> Starlette:
    """The identity provider; keys persist under `config.data_dir/identity_keys` unless
    credentials["ephemeral_keys"] == "1". `clock` dates tokens, codes and sign-in forms (tests move it)."""
    creds = config.credentials
    lifetimes = LifetimePolicy(allow_test_expiry=creds.get("allow_test_expiry") == "1")
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    keys = KeyRing(None if creds.get("ephemeral_keys") == "1" else config.data_dir / KEY_DIR)
    directory = build_directory(config.data_dir, {key.removeprefix(CLIENT_SECRET_PREFIX): value
                                                  for key, value in creds.items() if key.startswith(CLIENT_SECRET_PREFIX)})
    clients = build_public_clients(creds)
    codes = CodeStore(clock)
    api = IdentityApi(
        runtime=runtime,
        keys=keys,
        directory=directory,
        clients=clients,
        codes=codes,
        issuer=TokenIssuer(keys, clock),
        fixed_issuer=creds.get("issuer") or None,
        lifetimes=lifetimes,
    )
    sign_in = authorize.AuthorizeEndpoint(
        runtime=runtime,
        directory=directory,
        clients=clients,
        codes=codes,
        guard=FormGuard(clock),
        issuer_url=api.issuer_url,
        lifetimes=lifetimes,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        keys.load()
        log.info("identity provider ready: %d users, %d public clients, %d keys", len(directory.usernames()),
                 len(clients.client_ids()), len(keys.all_keys()))
        yield

    app = Starlette(
        routes=[
            *runtime.admin_routes(),
            Route("/__admin/rotate-key", api.rotate, methods=["POST"]),
            Route("/__admin/test-expiry", api.test_expiry, methods=["GET", "PUT"]),
            Route("/.well-known/openid-configuration", api.discovery, methods=["GET"]),
            Route("/jwks.json", api.jwks, methods=["GET"]),
            Route("/oauth/authorize", sign_in.show, methods=["GET"]),
            Route("/oauth/authorize", sign_in.sign_in, methods=["POST"]),
            Route("/oauth/token", api.token, methods=["POST"]),
        ],
        lifespan=lifespan,
        exception_handlers={OAuthError: _oauth_error},
    )
    app.state.runtime = runtime
    app.state.keys = keys
    app.state.directory = directory
    app.state.clients = clients
    app.state.codes = codes
    return gate_admin(app, config)
