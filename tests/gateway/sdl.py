"""Helpers to hand-write supergraph SDLs: the join v0.3 preamble and graph enums."""

from __future__ import annotations

JOIN_V03_PREAMBLE = '''
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
  %(extra_roots)s
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
'''


def supergraph_v03(graphs: dict[str, str], body: str, *, mutation: bool = False) -> str:
    """A join v0.3 supergraph: ``graphs`` maps subgraph name -> URL; ``body`` holds the types."""
    extra = "mutation: Mutation" if mutation else ""
    enum = "\n".join(f'  {name.upper()} @join__graph(name: "{name}", url: "{url}")' for name, url in graphs.items())
    return JOIN_V03_PREAMBLE % {"extra_roots": extra} + "\nenum join__Graph {\n" + enum + "\n}\n" + body


def local_graphs(*names: str) -> dict[str, str]:
    return {n: f"http://127.0.0.1:9/{n}" for n in names}
