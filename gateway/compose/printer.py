"""Print the supergraph model as a `link` v1.0 / `join` v0.3 supergraph SDL, deterministically."""

from __future__ import annotations

from graphql import print_ast
from graphql.language.print_string import print_string

from gateway.compose.model import Meta, Scopes
from gateway.compose.supermodel import JoinField, JoinType, SArg, SField, SType, Supergraph

_JOIN_DEFINITIONS = '''directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__field(
  graph: join__Graph
  requires: join__FieldSet
  provides: join__FieldSet
  type: String
  external: Boolean
  override: String
  usedOverridden: Boolean{override_label}{context_arguments}
) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
{context_argument_input}
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(
  graph: join__Graph!
  key: join__FieldSet
  extension: Boolean! = false
  resolvable: Boolean! = true
  isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

scalar join__FieldSet
{field_value}
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY
  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''

# feature -> (link arguments, definitions)
_FEATURES: dict[str, tuple[str, str]] = {
    "tag": ('url: "https://specs.apollo.dev/tag/v0.3"',
            "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
            " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"),
    "inaccessible": ('url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY',
                     "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM | ENUM_VALUE"
                     " | SCALAR | INPUT_OBJECT | INPUT_FIELD_DEFINITION | ARGUMENT_DEFINITION"),
    "policy": ('url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY',
               "directive @policy(policies: [[policy__Policy!]!]!) on ENUM | FIELD_DEFINITION | INTERFACE"
               " | OBJECT | SCALAR\n\nscalar policy__Policy"),
    "requiresScopes": ('url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY',
                       "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION"
                       " | OBJECT | INTERFACE | SCALAR | ENUM\n\nscalar requiresScopes__Scope"),
    "authenticated": ('url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY',
                      "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
}


_JOIN_V05 = {
    "{context_arguments}": "\n  contextArguments: [join__ContextArgument!]",
    "{context_argument_input}": "\ninput join__ContextArgument {\n  name: String!\n  type: String!\n"
                                "  context: String!\n  selection: join__FieldValue!\n}\n",
    "{field_value}": "\nscalar join__FieldValue\n",
}
_CONTEXT_LINK = 'url: "https://specs.apollo.dev/context/v0.1", for: SECURITY'
_CONTEXT_DEFINITIONS = ("directive @context(name: String!) repeatable on OBJECT | INTERFACE | UNION\n\n"
                        "directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION"
                        "\n\nscalar context__ContextFieldValue")


def _scopes(value: Scopes) -> str:
    return "[" + ", ".join("[" + ", ".join(print_string(s) for s in inner) + "]" for inner in value) + "]"


def _description(text: str | None, indent: str) -> str:
    if not text:
        return ""
    block = '"""\n' + text.replace('"""', '\\"""') + '\n"""'
    return "".join(indent + line + "\n" if line else "\n" for line in block.split("\n"))


class _Printer:
    def __init__(self, supergraph: Supergraph) -> None:
        self.sg = supergraph
        self.enum = {g.name: g.enum for g in supergraph.graphs}
        self.used: set[str] = set()

    def meta(self, meta: Meta) -> list[str]:
        parts: list[str] = []
        if meta.deprecated is not None:
            parts.append(print_ast(meta.deprecated))
        for tag in meta.tags:
            parts.append(f"@tag(name: {print_string(tag)})")
            self.used.add("tag")
        if meta.inaccessible:
            parts.append("@inaccessible")
            self.used.add("inaccessible")
        if meta.authenticated:
            parts.append("@authenticated")
            self.used.add("authenticated")
        if meta.scopes is not None:
            parts.append(f"@requiresScopes(scopes: {_scopes(meta.scopes)})")
            self.used.add("requiresScopes")
        if meta.policies is not None:
            parts.append(f"@policy(policies: {_scopes(meta.policies)})")
            self.used.add("policy")
        return parts

    def join_type(self, j: JoinType) -> str:
        args = [f"graph: {self.enum[j.graph]}"]
        if j.key is not None:
            args.append(f"key: {print_string(j.key)}")
        if j.extension:
            args.append("extension: true")
        if not j.resolvable:
            args.append("resolvable: false")
        if j.interface_object:
            args.append("isInterfaceObject: true")
        return f"@join__type({', '.join(args)})"

    def join_field(self, j: JoinField) -> str:
        if j.graph is None:
            return "@join__field"
        args = [f"graph: {self.enum[j.graph]}"]
        if j.requires is not None:
            args.append(f"requires: {print_string(j.requires)}")
        if j.provides is not None:
            args.append(f"provides: {print_string(j.provides)}")
        if j.type is not None:
            args.append(f"type: {print_string(j.type)}")
        if j.external:
            args.append("external: true")
        if j.override is not None:
            args.append(f"override: {print_string(j.override)}")
        if j.override_label is not None:
            args.append(f"overrideLabel: {print_string(j.override_label)}")
        if j.used_overridden:
            args.append("usedOverridden: true")
        if j.context_arguments:
            items = ", ".join(f"{{context: {print_string(c)}, name: {print_string(n)}, type: {print_string(t)}, "
                              f"selection: {print_string(s)}}}" for n, t, c, s in j.context_arguments)
            args.append(f"contextArguments: [{items}]")
        return f"@join__field({', '.join(args)})"

    def arg(self, a: SArg) -> str:
        text = f"{a.name}: {a.type}"
        if a.default is not None:
            text += f" = {print_ast(a.default)}"
        directives = [print_ast(d) for d in a.meta.composed] + self.meta(a.meta)
        return " ".join([text, *directives])

    def field(self, f: SField, *, input_field: bool = False) -> str:
        head = f.name
        if f.args:
            if any(a.meta.description for a in f.args.values()):
                inner = "".join(_description(a.meta.description, "    ") + "    " + self.arg(a) + "\n"
                                for a in f.args.values())
                head += "(\n" + inner + "  )"
            else:
                head += "(" + ", ".join(self.arg(a) for a in f.args.values()) + ")"
        head += f": {f.type}"
        if input_field and f.default is not None:
            head += f" = {print_ast(f.default)}"
        parts = [print_ast(d) for d in f.meta.composed] + [self.join_field(j) for j in f.joins] + self.meta(f.meta)
        return _description(f.meta.description, "  ") + "  " + " ".join([head, *parts])

    def type(self, t: SType) -> str:
        keyword = {"object": "type", "interface": "interface", "union": "union", "enum": "enum",
                   "input": "input", "scalar": "scalar"}[t.kind]
        head = f"{keyword} {t.name}"
        if t.interfaces:
            head += " implements " + " & ".join(t.interfaces)
        parts = [print_ast(d) for d in t.meta.composed] + [self.join_type(j) for j in t.joins]
        parts += [f"@join__implements(graph: {self.enum[g]}, interface: {print_string(i)})" for g, i in t.implements]
        parts += [f"@join__unionMember(graph: {self.enum[g]}, member: {print_string(m)})" for g, m in t.member_joins]
        parts += self.meta(t.meta)
        parts += [f"@context(name: {print_string(c)})" for c in t.contexts]
        if t.specified_by is not None:
            parts.append(print_ast(t.specified_by))
        text = _description(t.meta.description, "") + " ".join([head, *parts])
        if t.kind in ("object", "interface", "input"):
            body = "\n".join(self.field(f, input_field=t.kind == "input") for f in t.fields.values())
            return text + " {\n" + body + "\n}" if body else text
        if t.kind == "union":
            return text + (" = " + " | ".join(t.members) if t.members else "")
        if t.kind == "enum":
            lines = []
            for v in t.values.values():
                joins = [f"@join__enumValue(graph: {self.enum[g]})" for g in v.graphs]
                parts = [print_ast(d) for d in v.meta.composed] + joins + self.meta(v.meta)
                lines.append(_description(v.meta.description, "  ") + "  " + " ".join([v.name, *parts]))
            return text + " {\n" + "\n".join(lines) + "\n}"
        return text

    def print(self) -> str:
        types = [self.type(t) for t in self.sg.types.values()]
        links = ['@link(url: "https://specs.apollo.dev/link/v1.0")',
                 f'@link(url: "https://specs.apollo.dev/join/v0.{self.sg.join_minor}", for: EXECUTION)']
        join = _JOIN_DEFINITIONS.replace("{override_label}", "\n  overrideLabel: String" if self.sg.join_minor >= 4 else "")
        for placeholder, text in _JOIN_V05.items():
            join = join.replace(placeholder, text if self.sg.join_minor >= 5 else "")
        definitions = [join]
        if any(t.contexts for t in self.sg.types.values()):
            links.append(f"@link({_CONTEXT_LINK})")
            definitions.append(_CONTEXT_DEFINITIONS)
        for feature, (link_args, definition) in _FEATURES.items():
            if feature in self.used:
                links.append(f"@link({link_args})")
                definitions.append(definition)
        composed_defs: list[str] = []
        for composed in self.sg.composed:
            imports = ", ".join(print_string(i) for i in composed.imports)
            links.append(f"@link(url: {print_string(composed.url)}, import: [{imports}])")
            composed_defs.extend(print_ast(d) for d in composed.definitions)
        roots = "".join(f"  {op}: {name}\n" for op, name in self.sg.roots.items())
        graphs = "\n".join(f"  {g.enum} @join__graph(name: {print_string(g.name)}, url: {print_string(g.url)})"
                           for g in self.sg.graphs)
        blocks = [f"schema {' '.join(links)} {{\n{roots}}}", *definitions,
                  "enum join__Graph {\n" + graphs + "\n}", *composed_defs, *types]
        return "\n\n".join(blocks) + "\n"


def print_supergraph(supergraph: Supergraph) -> str:
    return _Printer(supergraph).print()
