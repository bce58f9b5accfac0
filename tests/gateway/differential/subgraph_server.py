"""A generic, data-driven federation subgraph served over real HTTP for the differential tests.

A subgraph is its SDL plus a JSON-able dataset:

    {
      "Query":    {"me": {"$ref": {"__typename": "User", "id": "1"}},
                   "product": {"$lookup": "Product"},            # match the field's arguments
                   "topProducts": {"$all": "Product", "limit": "first"}},
      "Mutation": {...},                                         # usually resolvers instead
      "types":    {"User": [{"id": "1", "name": "Ada", "reviews": [{"$ref": {...}}]}]},
      "synthesize": ["Product"]   # entity types answered from the representation alone when unknown
    }

Value forms anywhere in the data: `{"$ref": {"__typename": T, <fields>}}` points at a stored object,
`{"$error": "message", "extensions": {...}}` raises a GraphQL error at that path, and
`{"$args": [{"when": {...}, "value": ...}], "default": ...}` picks a value by the field's arguments.
Per-field Python functions (`"Type.field": fn(parent, args, store)`) compute `@requires` fields and
mutations. `_entities` matches each representation's `@key` fields against the stored objects of its
`__typename` (null when none matches). Fault modes (`down`, `slow`, `graphql-error`, `crash`) are set
per request by the test harness; `reset()` restores the dataset, so mutations start fresh each case.

Subscriptions (WebSocket, `graphql-transport-ws`, on the same paths): `"Subscription": {"field": [v1, v2]}`
lists the events of a root field (each value in the forms above); they are sent `event_interval_s` apart,
then the subscription completes, or stays open when `hold_open` is set (for expiry and kill tests).
"""

from __future__ import annotations

import asyncio
import collections
import copy
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLResolveInfo,
    SelectionSetNode,
    graphql,
    parse,
    subscribe,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.support.servers import serve

from .federation_sdl import KeySpec, SubgraphSchema, build_subgraph_schema, key_field_names

JSON = Any
Resolver = Callable[[dict[str, Any], dict[str, Any], "Store"], Any]

FAULT_MODES = ("down", "slow", "graphql-error", "crash")
SLOW_SECONDS = 0.3


@dataclass(frozen=True)
class SubgraphSpec:
    """What one subgraph is made of: name, SDL, dataset and per-field functions."""

    name: str
    sdl: str
    data: Mapping[str, Any]
    resolvers: Mapping[str, Resolver] = field(default_factory=dict)


class Store:
    """The mutable dataset of one running subgraph, with look-ups used by resolvers."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.state: dict[str, Any] = copy.deepcopy(dict(data))
        types = self.state.setdefault("types", {})
        for type_name, objects in types.items():
            for obj in objects:
                obj.setdefault("__typename", type_name)
        self.synthesize: set[str] = set(self.state.get("synthesize", []))

    def objects(self, type_name: str) -> list[dict[str, Any]]:
        """All stored objects of a type (empty when the dataset has none)."""
        objects: list[dict[str, Any]] = self.state["types"].get(type_name, [])
        return objects

    def find(self, type_name: str, match: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first stored object of `type_name` whose fields equal `match`."""
        for obj in self.objects(type_name):
            if all(self.materialize(obj.get(k)) == v for k, v in match.items()):
                return obj
        return None

    def materialize(self, value: Any) -> Any:
        """Follow `$ref`, turn `$error` into a GraphQLError instance, map over lists."""
        if isinstance(value, list):
            return [self.materialize(v) for v in value]
        if isinstance(value, dict):
            if "$ref" in value:
                ref = dict(value["$ref"])
                type_name = ref.pop("__typename")
                return self.find(type_name, ref)
            if "$error" in value:
                return GraphQLError(str(value["$error"]), extensions=value.get("extensions"))
        return value


def _select_by_args(value: Any, args: dict[str, Any], store: Store) -> Any:
    if not isinstance(value, dict):
        return value
    if "$args" in value:
        for option in value["$args"]:
            if all(args.get(k) == v for k, v in option.get("when", {}).items()):
                return option.get("value")
        return value.get("default")
    if "$lookup" in value:
        return store.find(value["$lookup"], args)
    if "$all" in value:
        objects = list(store.objects(value["$all"]))
        limit_arg = value.get("limit")
        if limit_arg is not None and args.get(limit_arg) is not None:
            objects = objects[: int(args[limit_arg])]
        return objects
    return value


def _project(value: Any, selection_set: SelectionSetNode | None, store: Store) -> Any:
    """The part of `value` named by a key field set, with references followed."""
    value = store.materialize(value)
    if selection_set is None:
        return value
    if isinstance(value, list):
        return [_project(v, selection_set, store) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        node.name.value: _project(value.get(node.name.value), node.selection_set, store)
        for node in selection_set.selections
        if isinstance(node, FieldNode)
    }


class LifespanShield:
    """ASGI wrapper answering lifespan itself, so a forced shutdown of the test server logs no traceback."""

    def __init__(self, http: ASGIApp) -> None:
        self._http = http

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self._http(scope, receive, send)
            return
        try:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        except asyncio.CancelledError:  # the test server is being force-stopped: nothing to clean up
            return


class SubgraphServer:
    """One running data-driven subgraph: schema, store, fault switch and the ASGI app."""

    def __init__(self, spec: SubgraphSpec) -> None:
        self.spec = spec
        self.built: SubgraphSchema = build_subgraph_schema(spec.sdl)
        self.store = Store(spec.data)
        self.fault: str | None = None
        self.requests: collections.deque[dict[str, Any]] = collections.deque(maxlen=200)
        self._lock = threading.Lock()
        #: subscription mode: seconds between events, and whether a stream stays open after its last event
        self.event_interval_s = 0.02
        self.hold_open = False
        #: open subscription WebSockets now, and the upgrade headers + connection_init payload of each
        self.ws_open = 0
        self.ws_handshakes: collections.deque[tuple[dict[str, str], Any]] = collections.deque(maxlen=2000)
        self._http = Starlette(routes=[Route("/graphql", self._handle, methods=["POST"]),
                                       Route("/", self._handle, methods=["POST"]),
                                       WebSocketRoute("/graphql", self._websocket),
                                       WebSocketRoute("/", self._websocket)])

        self.app = LifespanShield(self._http)

    # -- harness controls ---------------------------------------------------------------------
    def reset(self) -> None:
        """Restore the dataset and clear the fault and the request log."""
        with self._lock:
            self.store = Store(self.spec.data)
            self.fault = None
            self.requests.clear()

    def set_fault(self, mode: str | None) -> None:
        if mode is not None and mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; known: {', '.join(FAULT_MODES)}")
        self.fault = mode

    # -- HTTP -----------------------------------------------------------------------------------
    async def _handle(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        fault = self.fault
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        elif fault == "down":
            return PlainTextResponse("subgraph unavailable", status_code=503)
        elif fault == "crash":
            return PlainTextResponse("internal error", status_code=500)
        elif fault == "graphql-error":
            return JSONResponse({"data": None, "errors": [{"message": f"{self.spec.name} is failing"}]})
        return JSONResponse(await self.execute(body))

    async def execute(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Run one GraphQL request against the dataset (used by the HTTP handler and by unit tests)."""
        result = await graphql(
            self.built.schema,
            str(body.get("query") or ""),
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
            context_value=self.store,
            field_resolver=self._resolve_field,
            type_resolver=self._resolve_type,
        )
        return dict(result.formatted)

    # -- subscriptions over WebSocket (graphql-transport-ws) --------------------------------------------
    async def _websocket(self, ws: WebSocket) -> None:
        await ws.accept(subprotocol="graphql-transport-ws")
        self.ws_open += 1
        tasks: dict[str, asyncio.Task[None]] = {}
        try:
            init = await asyncio.wait_for(ws.receive_json(), 10)
            if init.get("type") != "connection_init":
                await ws.close(4400, "expected connection_init")
                return
            self.ws_handshakes.append((dict(ws.headers), init.get("payload")))
            await ws.send_json({"type": "connection_ack"})
            while True:  # one client message per pass, until the client leaves
                message = await ws.receive_json()
                kind, ident = message.get("type"), message.get("id")
                if kind == "ping":
                    await ws.send_json({"type": "pong"})
                elif kind == "subscribe" and isinstance(ident, str):
                    tasks[ident] = asyncio.create_task(self._stream(ws, ident, message.get("payload") or {}))
                elif kind == "complete" and ident in tasks:
                    tasks.pop(ident).cancel()
        except (WebSocketDisconnect, TimeoutError):
            pass
        finally:
            self.ws_open -= 1
            for task in tasks.values():
                task.cancel()

    async def _stream(self, ws: WebSocket, ident: str, body: Mapping[str, Any]) -> None:
        try:
            result = await subscribe(
                self.built.schema, parse(str(body.get("query") or "")), variable_values=body.get("variables"),
                operation_name=body.get("operationName"), context_value=self.store,
                field_resolver=self._resolve_field, subscribe_field_resolver=self._source)
            if isinstance(result, ExecutionResult):
                await ws.send_json({"type": "error", "id": ident, "payload": result.formatted.get("errors")})
                return
            async for event in result:
                await ws.send_json({"type": "next", "id": ident, "payload": dict(event.formatted)})
            for _ in range(12_000):  # held open (at most 10 minutes) until the client or the server goes away
                if not self.hold_open:
                    break
                await asyncio.sleep(0.05)
            await ws.send_json({"type": "complete", "id": ident})
        except (WebSocketDisconnect, RuntimeError):
            return

    async def _source(self, parent: Any, info: GraphQLResolveInfo[Store], **args: Any) -> Any:
        events = info.context.state.get("Subscription", {}).get(info.field_name, [])
        field_name = info.field_name
        interval = self.event_interval_s

        async def generate() -> Any:
            for value in events:
                await asyncio.sleep(interval)
                yield {field_name: value}

        return generate()

    # -- resolution -----------------------------------------------------------------------------
    def _resolve_field(self, parent: Any, info: GraphQLResolveInfo[Store], **args: Any) -> Any:
        store: Store = info.context
        type_name = info.parent_type.name
        schema = info.schema
        if type_name == "Query" and info.field_name == "_service":
            return {"sdl": self.spec.sdl}
        if type_name == "Query" and info.field_name == "_entities":
            return [self._entity(rep, store) for rep in args["representations"]]
        if parent is None and info.parent_type in (schema.query_type, schema.mutation_type):
            parent = store.state.get(type_name, {})
        function = self.spec.resolvers.get(f"{type_name}.{info.field_name}")
        if function is not None:
            try:
                value = function(parent, args, store)
            except GraphQLError:
                raise
            except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
                raise GraphQLError(f"{type_name}.{info.field_name} failed: {exc}") from exc
        else:
            value = parent.get(info.field_name) if isinstance(parent, dict) else None
            value = _select_by_args(value, args, store)
        return store.materialize(value)

    @staticmethod
    def _resolve_type(value: Any, info: GraphQLResolveInfo[Store], abstract_type: GraphQLAbstractType) -> str | None:
        if isinstance(value, dict) and isinstance(value.get("__typename"), str):
            return str(value["__typename"])
        return None

    def _entity(self, representation: Any, store: Store) -> Any:
        if not isinstance(representation, dict) or not isinstance(representation.get("__typename"), str):
            return GraphQLError("representation without __typename")
        type_name: str = representation["__typename"]
        graphql_type = self.built.schema.get_type(type_name)
        if graphql_type is None:
            return GraphQLError(f"unknown entity type {type_name}")
        candidates: list[dict[str, Any]] = []
        if isinstance(graphql_type, GraphQLInterfaceType):
            for possible in self.built.schema.get_possible_types(graphql_type):
                candidates.extend(store.objects(possible.name))
        else:
            candidates = store.objects(type_name)
        for key in self._keys_for(type_name):
            names = key_field_names(key.fields)
            if not all(name in representation for name in names):
                continue
            wanted = _project(representation, key.fields, store)
            for obj in candidates:
                if _project(obj, key.fields, store) == wanted:
                    merged = dict(obj)
                    merged.update({k: v for k, v in representation.items()
                                   if k not in names and k != "__typename"})
                    return merged
        if type_name in store.synthesize:
            return dict(representation)
        return None

    def _keys_for(self, type_name: str) -> list[KeySpec]:
        return self.built.keys.get(type_name, [])


def subgraph_host_app(servers: Mapping[str, SubgraphServer]) -> ASGIApp:
    """One ASGI app serving many subgraphs, each under its own path prefix (`/<prefix>/graphql`)."""
    return LifespanShield(Starlette(routes=[Mount(f"/{prefix}", app=s.app) for prefix, s in servers.items()]))


# Both gateways keep pooled connections to the subgraphs open while idle, and the reference gateway's pool
# never closes them itself. With uvicorn's default 5 s idle timeout, a request sent on a connection at the
# moment the server closes it fails with "socket hang up" (seen intermittently between cases, more often
# under load). Idle connections therefore stay open longer than any test session waits between cases.
SUBGRAPH_KEEP_ALIVE_S = 900


@contextmanager
def serve_subgraphs(servers: Mapping[str, SubgraphServer]) -> Iterator[dict[str, str]]:
    """Serve the subgraphs on one loopback port; yield prefix -> GraphQL URL."""
    with serve(subgraph_host_app(servers), keep_alive_s=SUBGRAPH_KEEP_ALIVE_S) as base:
        yield {prefix: f"{base}/{prefix}/graphql" for prefix in servers}
