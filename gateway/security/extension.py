"""The gateway extensions that enforce `SecurityConfig`: `RequestGuard`, `ResponseGuard`, `CallSigning`.

`RequestGuard` (before execution)
    on_request: CSRF check, JWT authentication (or anonymous where allowed), ``x-purpose-code``
    against the configured purpose codes, ``x-end-user`` (service identities only; never an ID
    number), rate limit per principal or client IP.
    inspect_request: trusted documents, token count, parse (cached), operation limits,
    introspection, GET-only-queries, validation (cached), then authorization: unauthorised
    selections are pruned (`pruning.prune`) so the planner never fetches them.

`ResponseGuard` (after execution)
    masks ``@sensitive`` fields (`masking`), writes null and an error at each pruned path, logs
    fields read in clear (names only), and makes errors client-safe: no "Did you mean" hints, no
    ``exception``/``stacktrace`` extensions, no response-level ``extensions`` (tracing).

`CallSigning`
    signs every subgraph request with the caller context (`signing.CallSigner`).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse, print_ast, validate
from starlette.requests import Request

from domain.sm import sm3_hex
from gateway.errors import ParseFailed, ValidationFailed
from gateway.extensions import GatewayExtension, GraphQLRequest, RequestContext
from gateway.security.config import SecurityConfig
from gateway.security.directives import AuthContext, authorize
from gateway.security.errors import (
    InvalidEndUser,
    InvalidPurposeCode,
    OperationLimitExceeded,
    PersistedQueryNotFound,
)
from gateway.security.hygiene import (
    ensure_csrf_safe,
    ensure_introspection_allowed,
    ensure_not_mutation_over_get,
    select_operation,
    strip_suggestions,
)
from gateway.security.jwt_auth import JwtAuthenticator, Principal, bearer_token
from gateway.security.limits import OperationLimits, check_operation_limits, check_tokens
from gateway.security.masking import mask_response
from gateway.security.pruning import apply_denials, prune
from gateway.security.purpose import PURPOSE_REF_HEADER, ClearReadBudget, PurposeVerifier
from gateway.security.ratelimit import TokenBucketLimiter
from gateway.security.state import STATE_KEY, RequestSecurity, ViewCache, security_state
from gateway.security.strings import (
    StringLimits,
    StringLimitsCache,
    VariableUses,
    ensure_printable_variables,
    literal_argument_uses,
)
from trust.signing import CallerContext, CallSigner

__all__ = ["END_USER_HEADER", "PURPOSE_HEADER", "CallSigning", "RequestGuard", "ResponseGuard"]

log = logging.getLogger("gateway.security")

PURPOSE_HEADER: Final = "x-purpose-code"
END_USER_HEADER: Final = "x-end-user"
REQUEST_ID_HEADER: Final = "x-request-id"
#: the @policy that holds when the request's purpose is bound to a verified record (`purpose`)
BOUND_POLICY: Final = "purpose:bound"
_SAFE_ID: Final = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
_ID_NUMBER_LIKE: Final = re.compile(r"\d{17}[\dXx]|\d{15}")
_UNSAFE_EXTENSION_KEYS: Final = frozenset({"exception", "stacktrace", "traceback"})


@dataclass(slots=True)
class _Doc:
    """A parsed document and what the checks found out about it (its text never changes)."""

    document: DocumentNode
    errors: list[GraphQLError] | None = None
    #: the operation limits this document passed without variables (cost may depend on variables)
    limits_passed: set[OperationLimits] = field(default_factory=set)
    #: the operation limits whose token count this text passed (counted once per limits, before parsing)
    tokens_passed: set[OperationLimits] = field(default_factory=set)
    query_hash: str = ""
    #: the string limits its literals passed, and where it uses each variable (see `literal_argument_uses`)
    string_uses: tuple[StringLimits, VariableUses] | None = None


def _locations(error: GraphQLError) -> list[dict[str, int]] | None:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations] if error.locations else None


class RequestGuard(GatewayExtension):
    """Authenticate, rate-limit and check every request before anything is planned or fetched."""

    def __init__(self, config: SecurityConfig, views: ViewCache) -> None:
        self.config = config
        self.views = views
        self.authenticator: JwtAuthenticator | None = None
        self.limiter = TokenBucketLimiter(config.rate_limit) if config.rate_limit is not None else None
        self._documents: OrderedDict[tuple[int, str], _Doc] = OrderedDict()
        self.string_limits = StringLimitsCache()
        signer = CallSigner(config.signing_key) if config.signing_key is not None else None
        self.purposes = PurposeVerifier(config.purposes, signer)

    async def startup(self, client: httpx.AsyncClient) -> None:
        if self.config.jwt is not None:
            self.authenticator = JwtAuthenticator(self.config.jwt, http=client)
        self.purposes.client = client

    async def authenticate(self, request: Request) -> Principal | None:
        """The caller of `request` (None: anonymous, where allowed); raises `AuthenticationError`."""
        header = request.headers.get("authorization")
        if header is None and self.config.allow_anonymous:
            return None
        if self.authenticator is None:
            if self.config.allow_anonymous:
                return None
            bearer_token(None)  # raises: authentication required
        assert self.authenticator is not None
        return await self.authenticator.authenticate_header(header)

    async def on_request(self, request: Request, context: RequestContext) -> None:
        if self.config.hygiene.csrf_prevention:
            ensure_csrf_safe(request.method, request.headers)
        principal = await self.authenticate(request)
        purpose = request.headers.get(PURPOSE_HEADER, "").strip() or None
        if purpose is not None and purpose not in self.config.unmask.purpose_codes:
            raise InvalidPurposeCode("Unknown purpose code in x-purpose-code.")
        client_ip = request.client.host if request.client is not None else None
        if self.limiter is not None:
            self.limiter.take(f"sub:{principal.subject}" if principal is not None else f"ip:{client_ip}")
        request_id = request.headers.get(REQUEST_ID_HEADER, "")
        state = RequestSecurity(
            principal=principal, purpose_code=purpose, end_user=self._end_user(request, principal),
            client_ip=client_ip, request_id=request_id if _SAFE_ID.match(request_id) else uuid.uuid4().hex,
        )
        ref = request.headers.get(PURPOSE_REF_HEADER, "").strip() or None
        state.purpose_ref = ref
        if purpose is not None and ref is not None and context.runtime is not None:
            state.purpose_bound = await self.purposes.verify(context.runtime, principal, purpose, ref,
                                                             state.request_id)
        context.values[STATE_KEY] = state

    def policy_for(self, state: RequestSecurity) -> Callable[[str, Principal | None], bool]:
        """The @policy evaluator of one request: the configured policies, plus ``purpose:bound``."""
        policies = self.config.policies

        def evaluate(name: str, principal: Principal | None) -> bool:
            if name == BOUND_POLICY:
                return principal is not None and state.purpose_bound
            return policies.evaluate(name, principal)

        return evaluate

    def dedupe_key(self, context: RequestContext) -> Hashable:
        # what the answer depends on besides the document: who asks (every claim of the token), why,
        # and for whom; limits, pruning, masking and the signed caller context all derive from these
        state = security_state(context)
        if state is None:
            return None
        return (state.principal, state.purpose_code, state.purpose_ref, state.purpose_bound, state.end_user)

    async def share_response(self, response: dict[str, Any], operation: Any, leader: RequestContext,
                             context: RequestContext) -> None:
        state, source = security_state(context), security_state(leader)
        if state is not None and source is not None:
            state.adopt(source)

    def _end_user(self, request: Request, principal: Principal | None) -> str | None:
        if principal is None:
            return None
        if not principal.is_service:
            return principal.subject
        claimed = request.headers.get(END_USER_HEADER, "").strip()
        if not claimed:
            return None
        if not _SAFE_ID.match(claimed) or _ID_NUMBER_LIKE.search(claimed):
            raise InvalidEndUser("x-end-user must be an opaque user id (never an identity document number).")
        return claimed

    def _document(self, key: tuple[int, str], query: str, limits: OperationLimits | None) -> _Doc:
        cached = self._documents.get(key)
        if cached is not None:
            self._documents.move_to_end(key)
            if limits is not None and limits not in cached.tokens_passed:
                self._check_tokens(query, limits)
                cached.tokens_passed.add(limits)
            return cached
        # Counted on the raw text before parsing, so a huge document is refused cheaply; a cached
        # document already passed this check for these limits (the text is the cache key).
        if limits is not None:
            self._check_tokens(query, limits)
        # parsing stops past the largest token limit any caller has (a service client's may be larger)
        ceiling = max((lim.max_tokens for lim in (self.config.limits, *self.config.client_limits.values())
                       if lim is not None), default=50_000)
        try:
            document = parse(query, max_tokens=ceiling + 1)
        except GraphQLError as exc:
            raise ParseFailed(exc.message, locations=_locations(exc)) from exc
        doc = _Doc(document, query_hash=sm3_hex(query.encode("utf-8")))
        if limits is not None:
            doc.tokens_passed.add(limits)
        self._documents[key] = doc
        while len(self._documents) > self.config.document_cache_size:
            self._documents.popitem(last=False)
        return doc

    @staticmethod
    def _check_tokens(query: str, limits: OperationLimits) -> None:
        too_many = check_tokens(query, limits)
        if too_many:
            raise OperationLimitExceeded([v.to_graphql() for v in too_many])

    def inspect_request(self, request: GraphQLRequest, context: RequestContext) -> GraphQLRequest:
        state = security_state(context)
        runtime = context.runtime
        if state is None or runtime is None:
            return request
        config = self.config
        query: str | None = request.query or None
        if config.trusted is not None:
            query = config.trusted.resolve(query, request.document_id)
        elif request.document_id is not None and query is None:
            raise PersistedQueryNotFound("Trusted documents are not configured on this gateway.")
        if query is None:
            return request
        view = self.views.get(runtime)
        # chosen by the verified token only: a service client's own limits, else everyone's
        limits = config.limits_for(state.principal)
        doc = self._document((id(view), query), query, limits)
        document = doc.document
        if limits is not None and not (limits in doc.limits_passed and not request.variables):
            violations = check_operation_limits(document, limits, schema=view.schema, variables=request.variables)
            if violations:
                raise OperationLimitExceeded([v.to_graphql() for v in violations])
            if not request.variables:
                doc.limits_passed.add(limits)
        ensure_introspection_allowed(document, config.hygiene)
        string_limits = self.string_limits.get(runtime)
        if doc.string_uses is None or doc.string_uses[0] is not string_limits:  # literals checked once per text
            doc.string_uses = (string_limits, literal_argument_uses(document, schema=runtime.supergraph.api_schema,
                                                                    limits=string_limits))
        ensure_printable_variables(request.variables, doc.string_uses[1], string_limits)
        if context.request is not None:
            ensure_not_mutation_over_get(context.request.method, document, request.operation_name)
        if doc.errors is None:
            doc.errors = list(validate(runtime.supergraph.api_schema, document))
        if doc.errors:
            first, *rest = doc.errors
            raise ValidationFailed(first.message, locations=_locations(first),
                                   others=[ValidationFailed(e.message, locations=_locations(e)) for e in rest])
        operation = select_operation(document, request.operation_name)
        state.document = document
        state.operation_name = request.operation_name
        state.operation_kind = operation.operation.value if isinstance(operation, OperationDefinitionNode) else "query"
        state.query_hash = doc.query_hash
        resolved = GraphQLRequest(query, request.variables, request.operation_name)
        if not view.has_rules:
            return resolved
        auth = AuthContext(state.principal, policy=self.policy_for(state),
                           anonymous_scopes=config.anonymous_scopes if config.allow_anonymous and config.anonymous_scopes
                           else None)
        if authorize(view.rules, document, auth, operation_name=request.operation_name).ok:
            return resolved
        pruned = prune(view.rules, document, auth, request.operation_name)
        state.prune = pruned
        if not pruned.changed:
            return resolved
        return GraphQLRequest(print_ast(pruned.document), request.variables, request.operation_name)


def _clean_error(error: Any, hide_suggestions: bool) -> Any:
    if not isinstance(error, dict):
        return error
    cleaned = dict(error)
    if hide_suggestions and isinstance(cleaned.get("message"), str):
        cleaned["message"] = strip_suggestions(cleaned["message"])
    extensions = cleaned.get("extensions")
    if isinstance(extensions, dict):
        cleaned["extensions"] = {k: v for k, v in extensions.items() if k not in _UNSAFE_EXTENSION_KEYS}
    return cleaned


class ResponseGuard(GatewayExtension):
    """Null pruned fields, mask sensitive ones, and make errors safe to show."""

    def __init__(self, config: SecurityConfig, views: ViewCache) -> None:
        self.config = config
        self.views = views
        self.budget = ClearReadBudget(config.purposes.daily_limit)

    def transform_response(self, response: dict[str, Any], operation: Any,
                           context: RequestContext) -> dict[str, Any]:
        state = security_state(context)
        if state is not None and state.document is not None and context.runtime is not None \
                and isinstance(response.get("data"), dict):
            self._data(response, state, context)
        errors = response.get("errors")
        if isinstance(errors, list):
            response["errors"] = [_clean_error(e, self.config.hygiene.hide_suggestions) for e in errors]
        if self.config.strip_response_extensions:
            response.pop("extensions", None)
        return response

    def dedupe_key(self, context: RequestContext) -> Hashable:
        return ()  # masking and denials depend only on the caller facts `RequestGuard` keys on

    async def share_response(self, response: dict[str, Any], operation: Any, leader: RequestContext,
                             context: RequestContext) -> None:
        state = security_state(context)
        if state is None or not state.masks.clear:
            return
        principal = state.principal  # this caller read the same fields in clear: its own volume and log line
        if principal is not None:
            state.volume_alert = self.budget.record(principal.subject)
        self._log_clear(state)

    def _log_clear(self, state: RequestSecurity) -> None:
        principal = state.principal
        log.info("sensitive fields read in clear: subject=%s roles=%s purpose=%s operation=%s fields=%s",
                 principal.subject if principal else "-", ",".join(sorted(principal.roles)) if principal else "-",
                 state.purpose_code, state.query_hash, ",".join(sorted(state.masks.clear)))

    def _data(self, response: dict[str, Any], state: RequestSecurity, context: RequestContext) -> None:
        assert state.document is not None
        assert context.runtime is not None
        view = self.views.get(context.runtime)
        pruned = state.prune if state.prune is not None and state.prune.changed else None
        bound = state.purpose_bound or not self.config.purposes.required
        clear = self.config.unmask.clear_levels(state.principal, state.purpose_code if bound else None)
        data = response["data"]
        state.masks = mask_response(view, state.document, state.operation_name, data, clear,
                                    typename_key=pruned.typename_key if pruned else None)
        if pruned is not None:
            response["data"] = apply_denials(data, pruned)
            response["errors"] = [*(response.get("errors") or []), *(d.to_graphql() for d in pruned.denials)]
        if state.masks.clear:
            principal = state.principal
            if principal is not None:
                state.volume_alert = self.budget.record(principal.subject)
            self._log_clear(state)


class CallSigning(GatewayExtension):
    """Sign every subgraph request with the caller context."""

    def __init__(self, signer: CallSigner) -> None:
        self.signer = signer
        self._targets: dict[str, str] = {}

    def dedupe_key(self, context: RequestContext) -> Hashable:
        return ()  # the signed caller context is `RequestGuard`'s key; nonce, time and request id are per call

    def _target(self, url: str) -> str:
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = httpx.URL(url).raw_path.decode("ascii")
        return target

    def headers_for_subgraph(self, service: str, url: str, body: bytes,
                             context: RequestContext, *, method: str = "POST") -> Mapping[str, str]:
        state = security_state(context)
        principal = state.principal if state is not None else None
        caller = CallerContext(
            subject=principal.subject if principal is not None else None,
            roles=principal.roles if principal is not None else frozenset(),
            body_uscc=principal.body_uscc if principal is not None else None,
            region_code=principal.region_code if principal is not None else None,
            purpose_code=state.purpose_code if state is not None else None,
            request_id=state.request_id if state is not None else uuid.uuid4().hex,
        )
        return self.signer.sign(audience=service, method=method, target=self._target(url), body=body, context=caller)
