"""Turn a federation subgraph SDL (Federation 2 `@link` or Federation 1 style) into an executable schema.

graphql-core knows nothing of federation: this module adds the directive definitions, the `_Any`,
`_Entity`, `_Service` and field-set scalars, turns Federation 1 `extend type` of types defined nowhere
else into definitions, and adds `Query._entities` / `Query._service`. It also reads the `@key` field
sets of each entity type, which the data-driven subgraph server matches representations against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_ast_schema,
    parse,
)

FEDERATION_V2_PREFIX = "https://specs.apollo.dev/federation/"

# Federation 2 directive definitions, written with the placeholder `{fs}` for the field-set scalar and
# `{p}` for the name prefix ("" when imported, "federation__" otherwise).
_V2_DIRECTIVES: dict[str, str] = {
    "key": "directive @{p}key(fields: {fs}!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE",
    "requires": "directive @{p}requires(fields: {fs}!) on FIELD_DEFINITION",
    "provides": "directive @{p}provides(fields: {fs}!) on FIELD_DEFINITION",
    "external": "directive @{p}external(reason: String) on OBJECT | FIELD_DEFINITION",
    "shareable": "directive @{p}shareable repeatable on OBJECT | FIELD_DEFINITION",
    "extends": "directive @{p}extends on OBJECT | INTERFACE",
    "override": "directive @{p}override(from: String!, label: String) on FIELD_DEFINITION",
    "inaccessible": (
        "directive @{p}inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
        " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
    ),
    "tag": (
        "directive @{p}tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
        " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"
    ),
    "composeDirective": "directive @{p}composeDirective(name: String!) repeatable on SCHEMA",
    "interfaceObject": "directive @{p}interfaceObject on OBJECT",
    "authenticated": "directive @{p}authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "requiresScopes": (
        "directive @{p}requiresScopes(scopes: [[federation__Scope!]!]!)"
        " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
    ),
    "policy": (
        "directive @{p}policy(policies: [[federation__Policy!]!]!)"
        " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
    ),
    "context": "directive @{p}context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "directive @{p}fromContext(field: federation__ContextFieldValue) on ARGUMENT_DEFINITION",
    "cost": (
        "directive @{p}cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION"
        " | INPUT_FIELD_DEFINITION | OBJECT | SCALAR"
    ),
    "listSize": (
        "directive @{p}listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],"
        " requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION"
    ),
}

_V2_SCALARS = (
    "scalar federation__FieldSet",
    "scalar federation__Scope",
    "scalar federation__Policy",
    "scalar federation__ContextFieldValue",
    "scalar link__Import",
    "enum link__Purpose { SECURITY EXECUTION }",
    "directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import])"
    " repeatable on SCHEMA",
)

_V1_DEFINITIONS = (
    "scalar _FieldSet",
    "directive @key(fields: _FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE",
    "directive @requires(fields: _FieldSet!) on FIELD_DEFINITION",
    "directive @provides(fields: _FieldSet!) on FIELD_DEFINITION",
    "directive @external(reason: String) on OBJECT | FIELD_DEFINITION",
    "directive @extends on OBJECT | INTERFACE",
    _V2_DIRECTIVES["tag"].format(p="", fs="_FieldSet"),
    _V2_DIRECTIVES["inaccessible"].format(p="", fs="_FieldSet"),
)


class SubgraphSchemaError(Exception):
    """The subgraph SDL cannot be turned into an executable schema (code SUBGRAPH_SDL_INVALID)."""

    code = "SUBGRAPH_SDL_INVALID"


@dataclass(frozen=True)
class KeySpec:
    """One `@key` of an entity type: its field set, parsed, and whether it is resolvable here."""

    fields: SelectionSetNode
    resolvable: bool


@dataclass
class SubgraphSchema:
    """The executable schema plus the federation facts the server needs."""

    schema: GraphQLSchema
    keys: dict[str, list[KeySpec]] = field(default_factory=dict)
    federation_version: int = 2


def parse_field_set(text: str) -> SelectionSetNode:
    """Parse a `FieldSet` string such as `id organization { id }` into a selection set."""
    operation = parse("{" + text + "}").definitions[0]
    selection_set = getattr(operation, "selection_set", None)
    if not isinstance(selection_set, SelectionSetNode):
        raise SubgraphSchemaError(f"invalid field set {text!r}")
    return selection_set


def _string_arg(directive: DirectiveNode, name: str) -> str | None:
    for arg in directive.arguments or ():
        if arg.name.value == name and isinstance(arg.value, StringValueNode):
            return arg.value.value
    return None


def _bool_arg(directive: DirectiveNode, name: str, default: bool) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == name:
            return bool(getattr(arg.value, "value", default))
    return default


def _federation_imports(document: DocumentNode) -> tuple[bool, dict[str, str]]:
    """Whether the SDL links the federation spec, and the names it imports (spec name -> local name)."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaExtensionNode | SchemaDefinitionNode):
            continue
        for directive in definition.directives or ():
            url = _string_arg(directive, "url")
            if directive.name.value != "link" or url is None or not url.startswith(FEDERATION_V2_PREFIX):
                continue
            imports: dict[str, str] = {}
            for arg in directive.arguments or ():
                if arg.name.value != "import" or not isinstance(arg.value, ListValueNode):
                    continue
                for item in arg.value.values:
                    if isinstance(item, StringValueNode):
                        imports[item.value.lstrip("@")] = item.value.lstrip("@")
                    elif isinstance(item, ObjectValueNode):
                        values = {f.name.value: f.value for f in item.fields}
                        name, alias = values.get("name"), values.get("as", values.get("name"))
                        if isinstance(name, StringValueNode) and isinstance(alias, StringValueNode):
                            imports[name.value.lstrip("@")] = alias.value.lstrip("@")
            return True, imports
    return False, {}


def _definition_name(definition: object) -> str | None:
    if isinstance(definition, DirectiveDefinitionNode):
        return "@" + definition.name.value
    if isinstance(definition, TypeDefinitionNode):
        return definition.name.value
    return None


def _promote_orphan_extensions(document: DocumentNode) -> list[DefinitionNode]:
    """Federation 1 writes `extend type X` for types defined in other subgraphs: make the first one a definition."""
    defined = {d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)}
    out: list[DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeExtensionNode) and definition.name.value not in defined:
            defined.add(definition.name.value)
            out.append(ObjectTypeDefinitionNode(
                name=definition.name, interfaces=definition.interfaces,
                directives=definition.directives, fields=definition.fields, loc=definition.loc,
            ))
        elif isinstance(definition, InterfaceTypeExtensionNode) and definition.name.value not in defined:
            defined.add(definition.name.value)
            out.append(InterfaceTypeDefinitionNode(
                name=definition.name, interfaces=definition.interfaces,
                directives=definition.directives, fields=definition.fields, loc=definition.loc,
            ))
        else:
            out.append(definition)
    return out


def _entity_keys(definitions: list[DefinitionNode], key_directive: str) -> dict[str, list[KeySpec]]:
    keys: dict[str, list[KeySpec]] = {}
    for definition in definitions:
        if not isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            continue
        for directive in getattr(definition, "directives", None) or ():
            if directive.name.value != key_directive:
                continue
            fields_text = _string_arg(directive, "fields")
            if fields_text is None:
                raise SubgraphSchemaError(f"@key without fields on {definition.name.value}")
            spec = KeySpec(parse_field_set(fields_text), _bool_arg(directive, "resolvable", True))
            keys.setdefault(definition.name.value, []).append(spec)
    return keys


def _federation_definitions(is_v2: bool, imports: dict[str, str]) -> list[str]:
    if not is_v2:
        return list(_V1_DEFINITIONS)
    field_set = "FieldSet" if "FieldSet" in imports else "federation__FieldSet"
    extra = [*_V2_SCALARS, "scalar FieldSet"]
    for spec_name, template in _V2_DIRECTIVES.items():
        extra.append(template.format(p="federation__", fs=field_set))
        local = imports.get(spec_name)
        if local is not None:
            extra.append(template.format(p="", fs=field_set).replace(f"@{spec_name}", f"@{local}", 1))
    return extra


def build_subgraph_schema(sdl: str) -> SubgraphSchema:
    """Build an executable graphql-core schema from a federation subgraph SDL."""
    try:
        document = parse(sdl)
    except Exception as exc:  # graphql-core raises GraphQLSyntaxError
        raise SubgraphSchemaError(f"subgraph SDL does not parse: {exc}") from exc
    is_v2, imports = _federation_imports(document)
    key_directive = imports.get("key", "federation__key") if is_v2 else "key"
    definitions = _promote_orphan_extensions(document)
    keys = _entity_keys(definitions, key_directive)
    object_types = {d.name.value for d in definitions if isinstance(d, ObjectTypeDefinitionNode)}
    extra = _federation_definitions(is_v2, imports)
    extra += ["scalar _Any", "type _Service { sdl: String }"]
    entity_members = sorted(name for name in keys if name in object_types)
    root_fields = ["_service: _Service!"]
    if entity_members:
        extra.append("union _Entity = " + " | ".join(entity_members))
        root_fields.insert(0, "_entities(representations: [_Any!]!): [_Entity]!")
    extend = "extend type" if "Query" in object_types else "type"
    extra.append(f"{extend} Query {{ {' '.join(root_fields)} }}")
    defined = {n for n in map(_definition_name, document.definitions) if n is not None}
    additions = [d for d in parse("\n".join(extra)).definitions if _definition_name(d) not in defined]
    full = DocumentNode(definitions=(*definitions, *additions))
    try:
        schema = build_ast_schema(full)
    except Exception as exc:  # graphql-core raises TypeError / GraphQLError on invalid SDL
        raise SubgraphSchemaError(f"subgraph SDL is not a valid schema: {exc}") from exc
    return SubgraphSchema(schema=schema, keys=keys, federation_version=2 if is_v2 else 1)


def key_field_names(selection_set: SelectionSetNode) -> list[str]:
    """The top-level field names of a key field set."""
    return [s.name.value for s in selection_set.selections if isinstance(s, FieldNode)]
