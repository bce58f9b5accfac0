"""Mask ``@sensitive`` fields in a response unless the caller's role and stated purpose allow them.

`UnmaskPolicy` says which sensitivity levels each role may read in clear, and which purpose codes
exist. A field marked S2 or S3 is shown in clear only when the request states a valid purpose code
(``x-purpose-code``) AND one of the caller's roles may read that level; otherwise its string value
(or each string of a list) is replaced by `domain.masking.mask(kind, value)`. S0/S1 marks are never
masked. Every field read in clear is reported (coordinates only) so it can be logged and audited.

The walk follows the client's document (fragments included) over the response data. When an
object's concrete type is unknown (no ``__typename`` in the data), a field selected on an abstract
type is masked if any implementation marks it: masking errs on the side of hiding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

from domain.masking import mask
from gateway.security.hygiene import select_operation
from gateway.security.jwt_auth import Principal
from gateway.security.roles import DEFAULT_PURPOSE_CODES, DEFAULT_UNMASK_LEVELS
from gateway.security.view import SecurityView, SensitiveMark

__all__ = ["DEFAULT_PURPOSE_CODES", "DEFAULT_UNMASK_LEVELS", "MaskReport", "UnmaskPolicy", "mask_response"]

_FULL_MASK: Final = "****"
WITHHELD: Final = "WITHHELD"


@dataclass(frozen=True, slots=True)
class UnmaskPolicy:
    """Which levels each role may read in clear (with a purpose), and the valid purpose codes."""

    levels: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(DEFAULT_UNMASK_LEVELS))
    purpose_codes: frozenset[str] = DEFAULT_PURPOSE_CODES

    def clear_levels(self, principal: Principal | None, purpose_code: str | None) -> frozenset[str]:
        """The levels this caller reads in clear in this request (empty without a valid purpose)."""
        if principal is None or purpose_code is None or purpose_code not in self.purpose_codes:
            return frozenset()
        allowed: set[str] = set()
        for role in principal.roles:
            allowed |= self.levels.get(role, frozenset())
        return frozenset(allowed)


@dataclass(slots=True)
class MaskReport:
    """Coordinates (``Type.field``) masked and read in clear in one response."""

    masked: set[str] = field(default_factory=set)
    clear: set[str] = field(default_factory=set)


def _mask_value(value: Any, kind: str) -> Any:
    if kind == WITHHELD:
        return None  # not a masked form: no value (the field is nullable for this reason)
    if isinstance(value, str):
        try:
            return mask(kind, value)
        except ValueError:  # an unknown mask kind in the schema: hide it all
            return _FULL_MASK
    if isinstance(value, list):
        return [_mask_value(v, kind) for v in value]
    return value


class _Masker:
    def __init__(self, view: SecurityView, document: DocumentNode, clear: frozenset[str],
                 typename_key: str | None) -> None:
        self.view = view
        self.clear = clear
        self.typename_key = typename_key
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.report = MaskReport()

    def _typename(self, obj: dict[str, Any]) -> str | None:
        for key in ("__typename", self.typename_key):
            value = obj.get(key) if key else None
            if isinstance(value, str):
                return value
        return None

    def value(self, value: Any, selection_set: SelectionSetNode, parent: GraphQLNamedType, depth: int) -> None:
        if depth > 200:
            return
        if isinstance(value, list):
            for item in value:
                self.value(item, selection_set, parent, depth + 1)
        elif isinstance(value, dict):
            self.object(value, selection_set, parent, depth + 1)

    def object(self, obj: dict[str, Any], selection_set: SelectionSetNode, parent: GraphQLNamedType,
               depth: int) -> None:
        typename = self._typename(obj)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._field(obj, selection, parent, typename, depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                body = selection.selection_set
            elif isinstance(selection, FragmentSpreadNode):
                definition = self.fragments.get(selection.name.value)
                if definition is None:
                    continue
                condition, body = definition.type_condition.name.value, definition.selection_set
            else:
                continue
            narrowed = self.view.schema.get_type(condition) if condition else parent
            if narrowed is None or (typename is not None and not self._matches(typename, narrowed)):
                continue
            self.object(obj, body, narrowed, depth + 1)

    def _matches(self, typename: str, condition: GraphQLNamedType) -> bool:
        return typename in self.view.rules.possible_types(condition)

    def _field(self, obj: dict[str, Any], node: FieldNode, parent: GraphQLNamedType, typename: str | None,
               depth: int) -> None:
        key = node.alias.value if node.alias is not None else node.name.value
        if key not in obj or obj[key] is None:
            return
        name = node.name.value
        mark: SensitiveMark | None = self.view.mark_for(parent, name, typename)
        if mark is not None and mark.protected:
            coordinate = f"{typename or parent.name}.{name}"
            if mark.level in self.clear:
                self.report.clear.add(coordinate)
            else:
                obj[key] = _mask_value(obj[key], mark.mask)
                self.report.masked.add(coordinate)
            return
        if node.selection_set is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return
        definition = parent.fields.get(name)
        if definition is not None:
            self.value(obj[key], node.selection_set, get_named_type(definition.type), depth)


def mask_response(view: SecurityView, document: DocumentNode, operation_name: str | None,
                  data: dict[str, Any] | None, clear_levels: frozenset[str], *,
                  typename_key: str | None = None) -> MaskReport:
    """Mask `data` in place for the chosen operation of `document`; report what was masked or clear."""
    if data is None or not view.sensitive:
        return MaskReport()
    operation = select_operation(document, operation_name)
    if operation is None:
        return MaskReport()
    schema = view.schema
    root = {OperationType.QUERY: schema.query_type, OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type}[operation.operation]
    if root is None:
        return MaskReport()
    masker = _Masker(view, document, clear_levels, typename_key)
    masker.object(data, operation.selection_set, root, 0)
    return masker.report
