"""One access-log record: who read what, from which departments' subgraphs, why, and with what result.

The body (chained as canonical JSON, so integers and strings only)::

    {"v": 1, "eventId", "ts" (ms), "action": READ | READ_SENSITIVE | UNMASK | UPDATE | AUDIT_READ,
     "requester": {"subject", "roles", "bodyUscc", "regionCode", "clientId", "service"},
     "endUser", "clientIp", "requestId", "purposeCode",
     "operation": {"name", "kind", "hash" (SM3 of the document text)},
     "subgraphs": {"<service>": {"fields": ["Type.field", ...], "ok": bool}},
     "clearFields", "maskedFields", "deniedFields": ["Type.field", ...],
     "result": SUCCESS | DENIED | ERROR,
     "purposeRef", "purposeBound" (when a purpose names its record: case:<id>, inspection:<id>),
     "alert": CLEAR_READ_VOLUME (the caller is past the daily volume of clear reads)}

Field names only, never values, and never the query text or its variables (which may hold an ID
number): the operation is identified by its hash.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, Final

import orjson
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
)

from domain.hashchain import JsonValue
from gateway.security.state import RequestSecurity
from gateway.security.view import SecurityView

__all__ = ["FieldIndex", "build_record"]

RECORD_VERSION: Final = 1


class FieldIndex:
    """``Type.field`` coordinates selected by a subgraph operation text (cached per text)."""

    def __init__(self, max_entries: int = 2000) -> None:
        self._cache: OrderedDict[tuple[int, str], tuple[str, ...]] = OrderedDict()
        self._max = max_entries

    def fields(self, view: SecurityView, body: bytes) -> tuple[str, ...]:
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return ()
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str):
            return ()
        key = (id(view), query)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._parse(view, query)
            self._cache[key] = cached
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return cached

    def _parse(self, view: SecurityView, query: str) -> tuple[str, ...]:
        try:
            document = parse(query)
        except GraphQLError:
            return ()
        found: set[str] = set()
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = view.schema.mutation_type if definition.operation is OperationType.MUTATION \
                    else view.schema.query_type
                self._walk(view, definition.selection_set, root, found)
        return tuple(sorted(found))

    def _walk(self, view: SecurityView, selection_set: SelectionSetNode, parent: GraphQLNamedType | None,
              found: set[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = view.schema.get_type(selection.type_condition.name.value) \
                    if selection.type_condition else parent
                self._walk(view, selection.selection_set, condition, found)
            elif isinstance(selection, FieldNode):
                name = selection.name.value
                if name == "_entities" and selection.selection_set is not None:
                    self._walk(view, selection.selection_set, None, found)
                    continue
                if name.startswith("__") or parent is None:
                    continue
                found.add(f"{parent.name}.{name}")
                if selection.selection_set is not None and isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    definition = parent.fields.get(name)
                    if definition is not None:
                        self._walk(view, selection.selection_set, get_named_type(definition.type), found)


def _sorted(items: Iterable[str]) -> list[JsonValue]:
    out: list[JsonValue] = []
    out.extend(sorted(set(items)))
    return out


def build_record(state: RequestSecurity, *, ts_ms: int, subgraphs: Mapping[str, tuple[tuple[str, ...], bool]],
                 errors: list[Any], action: str | None = None) -> dict[str, JsonValue]:
    """The record body for one request (see the module docstring)."""
    principal = state.principal
    denied = [d.coordinate for d in state.prune.denials] if state.prune is not None else []
    other_errors = len(errors) - len(denied)
    if action is None:
        if state.operation_kind == "mutation":
            action = "UPDATE"
        elif state.masks.clear:
            action = "UNMASK"
        elif state.masks.masked:
            action = "READ_SENSITIVE"
        else:
            action = "READ"
    result = "ERROR" if other_errors > 0 else ("DENIED" if denied else "SUCCESS")
    requester: dict[str, JsonValue] = {
        "subject": principal.subject if principal else None,
        "roles": _sorted(principal.roles) if principal else [],
        "bodyUscc": principal.body_uscc if principal else None,
        "regionCode": principal.region_code if principal else None,
        "clientId": principal.client_id if principal else None,
        "service": principal.is_service if principal else False,
    }
    record: dict[str, JsonValue] = {
        "v": RECORD_VERSION,
        "eventId": uuid.uuid4().hex,
        "ts": ts_ms,
        "action": action,
        "requester": requester,
        "endUser": state.end_user,
        "clientIp": state.client_ip,
        "requestId": state.request_id,
        "purposeCode": state.purpose_code,
        "operation": {"name": state.operation_name, "kind": state.operation_kind, "hash": state.query_hash},
        "subgraphs": {service: {"fields": _sorted(fields), "ok": ok} for service, (fields, ok) in sorted(subgraphs.items())},
        "clearFields": _sorted(state.masks.clear),
        "maskedFields": _sorted(state.masks.masked),
        "deniedFields": _sorted(denied),
        "result": result,
    }
    if state.purpose_ref is not None:  # a record id (case:<id>), never personal data
        record["purposeRef"] = state.purpose_ref
        record["purposeBound"] = state.purpose_bound
    if state.volume_alert:
        record["alert"] = "CLEAR_READ_VOLUME"
    return record
