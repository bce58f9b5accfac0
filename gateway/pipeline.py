"""One GraphQL request through the stages: prepare (cached) -> variables -> execute plan -> shape."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    SelectionSetNode,
    execute_sync,
)
from graphql.execution.values import get_variable_values

from gateway import typename_alias
from gateway.errors import BadUserInput, GatewayError, MethodNotAllowed, ValidationFailed
from gateway.execution.executor import PlanExecutor, Send
from gateway.execution.incremental import WaveExecutor, extension_hooks, incremental_payloads
from gateway.execution.shaping import Shaper, null_errors
from gateway.execution.transport import SubgraphTransport
from gateway.extensions import GatewayExtension, GraphQLRequest, RequestContext, overrides
from gateway.planning.operation import INTROSPECTION_ROOT_FIELDS
from gateway.planning.planner import PreparedOperation, select_operation
from gateway.runtime import GatewayRuntime
from gateway.security.errors import RateLimited, SecurityError
from gateway.tracing import planning

__all__ = ["GraphQLRequest", "GraphQLResponse", "Pipeline", "error_response_parts"]


@dataclass(frozen=True)
class GraphQLResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] | None = None
    #: query/mutation/subscription once the document is planned; unknown for one refused before that
    operation_type: str = "unknown"
    #: a well-formed request that failed as GraphQL (parse, validation, coercion, limits): 400 under
    #: application/graphql-response+json, 200 under application/json (`gateway.media`)
    request_error: bool = False
    #: the payloads of an incremental (@defer/@stream) response, when the client accepts them
    stream: AsyncIterator[dict[str, Any]] | None = None


def error_response_parts(exc: GatewayError | SecurityError) -> tuple[dict[str, Any], int, dict[str, str] | None]:
    """Body, HTTP status and headers for a refused request."""
    headers: dict[str, str] | None = None
    if exc.http_status == 401:
        headers = {"www-authenticate": "Bearer"}
    elif exc.http_status == 405:
        headers = {"allow": "POST"}
    elif isinstance(exc, RateLimited):
        headers = {"retry-after": str(max(1, round(exc.retry_after_s)))}
    return {"errors": exc.to_graphql_list()}, exc.http_status, headers


class Pipeline:
    """Runs requests for whichever runtime is passed in (the app swaps runtimes on reload)."""

    def __init__(self, transport: SubgraphTransport, extensions: Sequence[GatewayExtension] = (), *,
                 override_labels: frozenset[str] = frozenset(), rng: random.Random | None = None) -> None:
        self.transport = transport
        self.extensions = tuple(extensions)
        #: progressive @override labels this gateway switches on (besides `percent(x)`, drawn per request)
        self.override_labels = override_labels
        self._rng = rng or random.Random()
        self._inspectors = tuple(e for e in self.extensions if overrides(e, "inspect_request"))
        self._validators = tuple(e for e in self.extensions if overrides(e, "validate_document"))
        self._headers = tuple(e for e in self.extensions if overrides(e, "headers_for_subgraph"))
        self._observers = tuple(e for e in self.extensions if overrides(e, "on_subgraph_response"))
        self._transforms = tuple(e for e in self.extensions if overrides(e, "transform_response"))
        self._completers = tuple(e for e in self.extensions if overrides(e, "complete_response"))

    def labels(self, runtime: GatewayRuntime) -> frozenset[str]:
        """The progressive-override labels on for one request (`percent(x)` drawn now)."""
        if not runtime.supergraph.override_labels:
            return frozenset()
        return runtime.active_labels(self.override_labels, self._rng)

    async def run(self, runtime: GatewayRuntime, request: GraphQLRequest, context: RequestContext, *,
                  allow_mutation: bool = True, incremental: bool = False, labels: frozenset[str] | None = None,
                  on_prepared: Callable[[PreparedOperation], None] | None = None) -> GraphQLResponse:
        """Run one request; `incremental`: the client reads multipart/mixed (@defer/@stream); `labels` are the
        override labels on (drawn here when None); `on_prepared` is called once the operation is planned and
        passed the document checks, before anything is fetched."""
        prepared: PreparedOperation | None = None
        headers: dict[str, str] | None = None
        request_error = False
        context.runtime = runtime
        try:
            for inspector in self._inspectors:
                request = inspector.inspect_request(request, context)
            if not request.query.strip():
                raise BadUserInput("The request has no query string.")
            if labels is None:
                labels = self.labels(runtime)
            with planning(request.query) as describe:
                prepared = runtime.prepare(request.query, request.operation_name, labels)
                describe(prepared.operation_name, prepared.operation_kind)
            if prepared.operation_kind == "mutation" and not allow_mutation:
                raise MethodNotAllowed("Mutations are not allowed over GET; use POST.")
            if prepared.operation_kind == "subscription":
                raise BadUserInput("A subscription is served over WebSocket (graphql-transport-ws) or Server-Sent Events "
                                   "(Accept: text/event-stream) at /graphql, not as one JSON response.")
            for ext in self._validators:
                errors = ext.validate_document(prepared.document, prepared, context)
                if errors:
                    raise ValidationFailed(errors[0].message, others=[
                        ValidationFailed(e.message) for e in errors[1:]])
            if on_prepared is not None:
                on_prepared(prepared)
            variables = self._variables(runtime, prepared, request.variables)
            # an operation aliasing another field as `__typename` is answered whole (its internal key is renamed
            # back on the merged result; the RFC lets a server deliver deferred fragments in place)
            if incremental and prepared.incremental is not None and not prepared.has_introspection \
                    and prepared.typename_alias_key is None:
                stream = self._incremental(runtime, prepared, variables, context)
                if stream is not None:
                    return GraphQLResponse(200, {}, None, prepared.operation_kind, stream=stream)
            body = await self._execute(runtime, prepared, variables, context)
            status = 200
        except (GatewayError, SecurityError) as exc:
            body, status, headers = error_response_parts(exc)
            request_error = status == 400
        for ext in self._transforms:
            body = ext.transform_response(body, prepared, context)
        for completer in self._completers:
            try:
                body = await completer.complete_response(body, prepared, context)
            except SecurityError as exc:
                body, status, headers = error_response_parts(exc)
                request_error = False
        if prepared is not None and prepared.typename_alias_key is not None:
            body = typename_alias.restore(body, prepared.typename_alias_key)
        return GraphQLResponse(status, body, headers, prepared.operation_kind if prepared is not None else "unknown",
                               request_error)

    def _variables(self, runtime: GatewayRuntime, prepared: PreparedOperation,
                   given: dict[str, Any] | None) -> dict[str, Any]:
        if not prepared.variable_definitions:
            return {}
        inputs = given or {}
        coerced = get_variable_values(runtime.supergraph.api_schema, prepared.variable_definitions, inputs)
        if isinstance(coerced, list):
            raise BadUserInput(coerced[0].message)
        # FEDERATION_NOTE: subgraphs receive the client's JSON values (plus defaults), not Python-coerced
        # ones, so custom scalars and enums travel unchanged.
        out = dict(inputs)
        for name, value in coerced.coerced.items():
            if name not in out:
                out[name] = value
        return out

    def _incremental(self, runtime: GatewayRuntime, prepared: PreparedOperation, variables: dict[str, Any],
                     context: RequestContext) -> AsyncIterator[dict[str, Any]] | None:
        """The payloads of a deferred operation (None when no @defer/@stream is on for these variables)."""
        assert prepared.incremental is not None
        split = prepared.incremental.split(variables)
        if not split.incremental:
            return None
        executor = WaveExecutor(self._sender(runtime, context), variables, prepared.interface_names,
                                prepared.shape, split.waves)
        finish, complete = extension_hooks(self._transforms, self._completers, prepared, context)
        return incremental_payloads(executor, split, variables, finish, complete)

    async def _execute(self, runtime: GatewayRuntime, prepared: PreparedOperation, variables: dict[str, Any],
                       context: RequestContext, make_executor: Callable[..., PlanExecutor] = PlanExecutor,
                       ) -> dict[str, Any]:
        executor = make_executor(self._sender(runtime, context), variables, prepared.interface_names, prepared.shape)
        result = await executor.run(prepared.plan)
        errors = result.errors
        if prepared.has_introspection:
            errors.extend(_introspect(runtime, prepared, variables, result.data))
        shaper = Shaper(variables)
        data = shaper.shape_root(prepared.shape, result.data)
        if shaper.errors:
            errors.extend(shaper.errors)
        if shaper.violations:
            errors.extend(null_errors(shaper.violations, errors, result.explained))
        body: dict[str, Any] = {"data": data}
        if errors:
            body = {"errors": errors, "data": data}
        return body

    def _sender(self, runtime: GatewayRuntime, context: RequestContext) -> Send:
        urls = runtime.urls
        transport = self.transport
        header_hooks = self._headers
        observers = self._observers

        async def send(service: str, body: bytes, is_mutation: bool) -> dict[str, Any]:
            headers: dict[str, str] = {}
            url = urls[service]
            for ext in header_hooks:
                headers.update(ext.headers_for_subgraph(service, url, body, context))
            if not observers:
                return await transport.post(service, url, body, headers, is_mutation=is_mutation)
            payload: dict[str, Any] | None = None
            try:
                payload = await transport.post(service, url, body, headers, is_mutation=is_mutation)
                return payload
            finally:
                for observer in observers:
                    observer.on_subgraph_response(service, body, payload, context)

        return send


def _introspect(runtime: GatewayRuntime, prepared: PreparedOperation, variables: dict[str, Any],
                data: dict[str, Any]) -> list[dict[str, Any]]:
    """Answer ``__schema``/``__type`` root fields from the API schema with graphql-core."""
    op = select_operation(prepared.document, prepared.operation_name)
    fields = tuple(s for s in op.selection_set.selections
                   if isinstance(s, FieldNode) and s.name.value in INTROSPECTION_ROOT_FIELDS)
    only = OperationDefinitionNode(operation=op.operation, name=op.name,
                                   variable_definitions=op.variable_definitions, directives=op.directives,
                                   selection_set=SelectionSetNode(selections=fields))
    fragments = tuple(d for d in prepared.document.definitions if isinstance(d, FragmentDefinitionNode))
    result = execute_sync(runtime.supergraph.api_schema, DocumentNode(definitions=(only, *fragments)),
                          variable_values=variables)
    if result.data:
        data.update(result.data)
    return [e.formatted for e in result.errors or ()]  # type: ignore[misc]
