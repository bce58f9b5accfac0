"""The simulated unified identity provider (统一身份认证): OAuth2 tokens as ES256 JWTs, and its JWKS.

    GET  /.well-known/openid-configuration  -> issuer, token_endpoint, jwks_uri, ...
    GET  /jwks.json                         -> {"keys": [every key ever used, newest last]}
    POST /oauth/token  (application/x-www-form-urlencoded)
         grant_type=password&username=..&password=..
         grant_type=client_credentials&client_id=..&client_secret=..  (or HTTP Basic client auth)
         optional: audience (default "enforcement-hub"), scope (a subset of the role scope),
                   expires_in (300..3600 s; -86400..86400 when credentials["allow_test_expiry"] == "1")
         -> {"access_token", "token_type": "Bearer", "expires_in", "scope"}
    POST /__admin/rotate-key                -> {"kid": new kid, "kids": [all kids]}

Users and clients are listed in `directory.py`. Errors follow RFC 6749: 400 {"error":"invalid_grant"}
for a wrong password or unknown user, 401 {"error":"invalid_client"} for a bad client, 400
invalid_request / unsupported_grant_type / invalid_scope with a description, and 503
{"error":"temporarily_unavailable"} for an injected fault. The issuer is credentials["issuer"] when
set, else the scheme, host and port the request was sent to. Operations counted: token, jwks.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.base import Fault, SimConfig, SimulatorRuntime, gate_admin
from simulators.identity.directory import Directory, Principal, build_directory
from simulators.identity.keys import ALGORITHM, KEY_DIR, KeyRing
from simulators.identity.tokens import (
    DEFAULT_AUDIENCE,
    DEFAULT_LIFETIME_S,
    NORMAL_LIFETIME_RANGE,
    TEST_LIFETIME_RANGE,
    TokenIssuer,
)

SYSTEM = "identity"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

log = logging.getLogger("simulators.identity")


class OAuthError(Exception):
    """An RFC 6749 error response: `{"error": code}` plus a description when one helps."""

    def __init__(self, status: int, code: str, description: str | None = None) -> None:
        super().__init__(description or code)
        self.status = status
        self.code = code
        self.description = description


class IdentityApi:
    def __init__(
        self,
        *,
        runtime: SimulatorRuntime,
        keys: KeyRing,
        directory: Directory,
        issuer: TokenIssuer,
        fixed_issuer: str | None,
        allow_test_expiry: bool,
    ) -> None:
        self.runtime = runtime
        self.keys = keys
        self.directory = directory
        self.issuer = issuer
        self._fixed_issuer = fixed_issuer
        self._lifetimes = TEST_LIFETIME_RANGE if allow_test_expiry else NORMAL_LIFETIME_RANGE

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
                "token_endpoint": f"{issuer}/oauth/token",
                "jwks_uri": f"{issuer}/jwks.json",
                "grant_types_supported": ["password", "client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "id_token_signing_alg_values_supported": [ALGORITHM],
                "response_types_supported": ["token"],
                "subject_types_supported": ["public"],
                "claims_supported": ["sub", "name", "roles", "body_uscc", "region_code", "scope", "client_id"],
            }
        )

    async def jwks(self, _: Request) -> Response:
        await self._enter("jwks")
        return JSONResponse(self.keys.jwks())

    async def token(self, request: Request) -> Response:
        await self._enter("token")
        form = await _form(request)
        grant = form.get("grant_type")
        if grant == "password":
            principal = self._password_grant(form)
        elif grant == "client_credentials":
            principal = self._client_grant(form, request.headers.get("authorization"))
        elif not grant:
            raise OAuthError(400, "invalid_request", "grant_type is required")
        else:
            raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
        audience = form.get("audience") or DEFAULT_AUDIENCE
        issued = self.issuer.issue(
            principal,
            issuer=self.issuer_url(request),
            audience=audience,
            lifetime_s=self._lifetime(form.get("expires_in")),
            scope=_narrow(principal, form.get("scope")),
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
        low, high = self._lifetimes
        if not low <= seconds <= high:
            raise OAuthError(400, "invalid_request", f"expires_in must be between {low} and {high}")
        return seconds


def _narrow(principal: Principal, requested: str | None) -> str | None:
    if not requested:
        return None
    allowed = principal.scope.split()
    wanted = requested.split()
    refused = [s for s in wanted if s not in allowed]
    if refused:
        raise OAuthError(400, "invalid_scope", f"not granted to this identity: {' '.join(refused)}")
    return " ".join(dict.fromkeys(wanted))


def _basic(encoded: str) -> tuple[str | None, str | None]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError(401, "invalid_client") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "invalid_client")
    return unquote(client_id), unquote(secret)


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
    try:
        text = (await request.body()).decode()
    except UnicodeDecodeError as exc:
        raise OAuthError(400, "invalid_request", "the body is not UTF-8") from exc
    fields = parse_qs(text, keep_blank_values=True)
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise OAuthError(400, "invalid_request", f"parameters given more than once: {', '.join(repeated)}")
    return {name: values[0] for name, values in fields.items()}


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


def create_app(config: SimConfig) -> Starlette:
    """The identity provider; keys persist under `config.data_dir/identity_keys` unless
    credentials["ephemeral_keys"] == "1"."""
    creds = config.credentials
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    keys = KeyRing(None if creds.get("ephemeral_keys") == "1" else config.data_dir / KEY_DIR)
    directory = build_directory(config.data_dir, {key.removeprefix(CLIENT_SECRET_PREFIX): value
                                                  for key, value in creds.items() if key.startswith(CLIENT_SECRET_PREFIX)})
    api = IdentityApi(
        runtime=runtime,
        keys=keys,
        directory=directory,
        issuer=TokenIssuer(keys, time.time),
        fixed_issuer=creds.get("issuer") or None,
        allow_test_expiry=creds.get("allow_test_expiry") == "1",
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        keys.load()
        log.info("identity provider ready: %d users, %d keys", len(directory.usernames()), len(keys.all_keys()))
        yield

    app = Starlette(
        routes=[
            *runtime.admin_routes(),
            Route("/__admin/rotate-key", api.rotate, methods=["POST"]),
            Route("/.well-known/openid-configuration", api.discovery, methods=["GET"]),
            Route("/jwks.json", api.jwks, methods=["GET"]),
            Route("/oauth/token", api.token, methods=["POST"]),
        ],
        lifespan=lifespan,
        exception_handlers={OAuthError: _oauth_error},
    )
    app.state.runtime = runtime
    app.state.keys = keys
    app.state.directory = directory
    return gate_admin(app, config)
