"""String arguments a departmental system cannot take are refused at the gateway, before any system sees them.

Two rules, for every string in an argument, a literal or a variable's value, at any depth of input
objects and lists:

* **No control characters.** A string travels on to legacy systems that cannot carry every
  character: an XML (SOAP) request cannot hold U+0000–U+001F other than tab, line feed and carriage
  return, nor U+FFFE/U+FFFF or lone surrogates. Such a value is never meaningful input (a name, a
  code, a search term).
* **No oversized strings.** A value is at most `DEFAULT_MAX_LENGTH` characters (enough for any
  name, code, search term or remark) unless the schema says otherwise where it stands: the hub's
  ``@maxLength(max:)`` directive (linked from ``https://enforcement-hub.example/length/v1.0``) on an
  argument or input field of the supergraph raises the bound there, e.g. for a base64 file.

A breach is BAD_USER_INPUT naming where the value stands (``extensions.argument``: the variable path,
or the schema coordinate and line of a literal) instead of an adapter failing on it deep inside a query.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    IntValueNode,
    ObjectFieldNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    parse,
    visit,
)

from gateway.runtime import GatewayRuntime
from gateway.security.errors import RequestRejected
from gateway.supergraph.features import read_features

__all__ = ["DEFAULT_MAX_LENGTH", "ControlCharacterRefused", "StringLimits", "StringLimitsCache", "StringTooLong",
           "VariableUses", "ensure_printable_arguments", "ensure_printable_variables", "literal_argument_uses"]

DEFAULT_MAX_LENGTH: Final = 1_000
_FEATURE: Final = "length"  # identity name of https://enforcement-hub.example/length/v1.0
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
#: variable name -> (coordinate, expected input type) of each place the document uses it
VariableUses = dict[str, list[tuple[str | None, GraphQLInputType | None]]]


class ControlCharacterRefused(RequestRejected):
    code = "BAD_USER_INPUT"


class StringTooLong(RequestRejected):
    code = "BAD_USER_INPUT"


@dataclass(frozen=True)
class StringLimits:
    """The longest string allowed at each argument (``Type.field(arg:)``) or input field (``Input.field``)."""

    default: int = DEFAULT_MAX_LENGTH
    by_coordinate: Mapping[str, int] = field(default_factory=dict)

    def at(self, coordinate: str | None) -> int:
        return self.by_coordinate.get(coordinate, self.default) if coordinate else self.default

    @classmethod
    def from_supergraph_sdl(cls, sdl: str, default: int = DEFAULT_MAX_LENGTH) -> StringLimits:
        """Read every ``@maxLength(max:)`` (under whatever local name the supergraph imports it) from `sdl`."""
        document = parse(sdl, no_location=True)
        feature = read_features(document).by_name.get(_FEATURE)
        if feature is None:
            return cls(default)
        local = next((name[1:] for element, name in feature.imports if element == "@maxLength"),
                     f"{feature.prefix}__maxLength")
        found: dict[str, int] = {}

        def note(coordinate: str, value: InputValueDefinitionNode) -> None:
            for directive in value.directives or ():
                if directive.name.value != local:
                    continue
                for arg in directive.arguments or ():
                    if arg.name.value == "max" and isinstance(arg.value, IntValueNode):
                        found[coordinate] = int(arg.value.value)

        for definition in document.definitions:
            if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode
                          | InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode):
                for fdef in definition.fields or ():
                    for arg in fdef.arguments or ():
                        note(f"{definition.name.value}.{fdef.name.value}({arg.name.value}:)", arg)
            elif isinstance(definition, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
                for input_field in definition.fields or ():
                    note(f"{definition.name.value}.{input_field.name.value}", input_field)
        return cls(default, found)


class StringLimitsCache:
    """The `StringLimits` of the runtime a request uses, read again when a reload swaps the supergraph."""

    def __init__(self, default: int = DEFAULT_MAX_LENGTH, max_entries: int = 4) -> None:
        self.default = default
        self._limits: OrderedDict[int, tuple[object, StringLimits]] = OrderedDict()
        self._max = max_entries

    def get(self, runtime: GatewayRuntime) -> StringLimits:
        supergraph = runtime.supergraph
        cached = self._limits.get(id(supergraph))
        if cached is not None and cached[0] is supergraph:
            return cached[1]
        limits = StringLimits.from_supergraph_sdl(supergraph.source_sdl, self.default)
        self._limits[id(supergraph)] = (supergraph, limits)
        while len(self._limits) > self._max:
            self._limits.popitem(last=False)
        return limits


def _where_forbidden(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _FORBIDDEN.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _where_forbidden(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _where_forbidden(item, f"{path}[{i}]")
            if found:
                return found
    return None


class _Arguments(Visitor):
    """Checks every string literal where it stands and notes where each variable is used."""

    def __init__(self, type_info: TypeInfo | None, limits: StringLimits) -> None:
        super().__init__()
        self.type_info = type_info
        self.limits = limits
        self.coordinates: list[str | None] = []
        self.fields: list[str] = []
        self.uses: VariableUses = {}

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        self.fields.append(node.name.value)

    def leave_field(self, *_args: Any) -> None:
        self.fields.pop()

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        coordinate = None
        if self.type_info is not None:
            directive, parent = self.type_info.get_directive(), self.type_info.get_parent_type()
            if directive is not None:
                coordinate = f"@{directive.name}({node.name.value}:)"
            elif parent is not None and self.fields:
                coordinate = f"{parent.name}.{self.fields[-1]}({node.name.value}:)"
        self.coordinates.append(coordinate)

    def leave_argument(self, *_args: Any) -> None:
        self.coordinates.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        parent = get_named_type(self.type_info.get_parent_input_type()) if self.type_info is not None else None
        self.coordinates.append(f"{parent.name}.{node.name.value}" if parent is not None else None)

    def leave_object_field(self, *_args: Any) -> None:
        self.coordinates.pop()

    def enter_variable(self, node: VariableNode, _key: Any, parent: Any, *_args: Any) -> None:
        if isinstance(parent, VariableDefinitionNode):
            return  # the declaration, not a use
        expected = self.type_info.get_input_type() if self.type_info is not None else None
        where = self.coordinates[-1] if self.coordinates else None
        self.uses.setdefault(node.name.value, []).append((where, expected))

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        line = node.loc.source.get_location(node.loc.start).line if node.loc else "?"
        coordinate = self.coordinates[-1] if self.coordinates else None
        where = f"{coordinate} (line {line})" if coordinate else f"line {line}"
        if _FORBIDDEN.search(node.value):
            raise ControlCharacterRefused(f"a string argument ({where}) holds a control character; it is refused "
                                          "before it reaches any system", extensions={"argument": where})
        limit = self.limits.at(coordinate)
        if len(node.value) > limit:
            raise StringTooLong(f"a string argument ({where}) is {len(node.value)} characters long, over the "
                                f"{limit} allowed there; it is refused before it reaches any system",
                                extensions={"argument": where, "maxLength": limit})


def _check_length(value: Any, expected: GraphQLInputType | None, coordinate: str | None, path: str,
                  limits: StringLimits) -> None:
    while isinstance(expected, GraphQLNonNull):
        expected = expected.of_type
    if isinstance(value, str):
        limit = limits.at(coordinate)
        if len(value) > limit:
            raise StringTooLong(f"variable {path} is {len(value)} characters long, over the {limit} allowed "
                                f"there; it is refused before it reaches any system",
                                extensions={"argument": path, "maxLength": limit})
    elif isinstance(value, list):
        inner = expected.of_type if isinstance(expected, GraphQLList) else expected
        for i, item in enumerate(value):
            _check_length(item, inner, coordinate, f"{path}[{i}]", limits)
    elif isinstance(value, Mapping):
        fields = expected.fields if isinstance(expected, GraphQLInputObjectType) else {}
        for key, item in value.items():
            input_field = fields.get(key)
            nested = f"{expected.name}.{key}" if isinstance(expected, GraphQLInputObjectType) else coordinate
            _check_length(item, input_field.type if input_field else None, nested, f"{path}.{key}", limits)


def literal_argument_uses(document: DocumentNode, *, schema: GraphQLSchema | None = None,
                          limits: StringLimits | None = None) -> VariableUses:
    """Raise for a string literal of ``document`` that breaks a rule; else where each variable is used.

    The answer depends on the document, the schema and the limits only, so a caller may keep it per document
    and check each request's variables with `ensure_printable_variables`."""
    limits = limits or StringLimits()
    type_info = TypeInfo(schema) if schema is not None else None
    arguments = _Arguments(type_info, limits)
    visit(document, TypeInfoVisitor(type_info, arguments) if type_info is not None else arguments)
    return arguments.uses


def ensure_printable_variables(variables: Mapping[str, Any] | None, uses: VariableUses,
                               limits: StringLimits | None = None) -> None:
    """Raise `ControlCharacterRefused` or `StringTooLong` for a variable value that breaks a rule."""
    limits = limits or StringLimits()
    given = dict(variables or {})
    where = _where_forbidden(given, "$")
    if where is not None:
        raise ControlCharacterRefused(f"variable {where[2:]} holds a control character; it is refused before it "
                                      "reaches any system", extensions={"argument": where[2:]})
    for name, value in given.items():
        for coordinate, expected in uses.get(name) or [(None, None)]:
            _check_length(value, expected, coordinate, name, limits)


def ensure_printable_arguments(document: DocumentNode, variables: Mapping[str, Any] | None, *,
                               schema: GraphQLSchema | None = None, limits: StringLimits | None = None) -> None:
    """Raise `ControlCharacterRefused` or `StringTooLong` for a string literal or variable value that breaks
    a rule; `schema` (the API schema) places each value at its argument or input field for `limits`."""
    limits = limits or StringLimits()
    uses = literal_argument_uses(document, schema=schema, limits=limits)
    ensure_printable_variables(variables, uses, limits)
