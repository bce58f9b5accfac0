"""Every field whose value crosses a department boundary is nullable in the composed supergraph.

A department down must null only the fields that need it. A non-null field that another subgraph
fills (or that points at an entity whose data lives elsewhere) turns that department's failure into
the loss of its parent — `LegalEntity.licences: [Licence!]!` once blanked a whole entity, registry
name included, when the licensing database was down. The walk reads the composed supergraph's
`join__type` / `join__field` metadata, so a new non-null cross-subgraph field fails here.

A field F of type T is cross-subgraph when
- T is an entity of several subgraphs and T's home (the subgraph resolving most of its fields)
  does not resolve F (e.g. `LegalEntity.licences`, added by the licence subgraph), or
- F has `@requires` (its inputs come from another subgraph), or
- F returns an entity (or a list of them) whose home does not resolve F: the subgraph hands out a
  reference and the entity's data is fetched from its home (e.g. `PenaltyCase.body`).
List fields must be nullable at the list level (`[X!]`), so that one failed item nulls the list,
not the parent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    ConstDirectiveNode,
    DocumentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeNode,
    ValueNode,
    parse,
    print_ast,
)

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
_Composite = ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeExtensionNode


@dataclass(frozen=True)
class Crossing:
    coordinate: str
    type_text: str
    why: str


def _args(directive: ConstDirectiveNode) -> dict[str, ValueNode]:
    return {a.name.value: a.value for a in directive.arguments or ()}


def _value(node: ValueNode | None) -> object:
    return getattr(node, "value", None)


def _named(t: TypeNode) -> str:
    while not isinstance(t, NamedTypeNode):
        assert isinstance(t, NonNullTypeNode | ListTypeNode)
        t = t.type
    return t.name.value


def _directives(node: object, name: str) -> list[dict[str, ValueNode]]:
    return [_args(d) for d in getattr(node, "directives", None) or () if d.name.value == name]


def _types(doc: DocumentNode) -> dict[str, list[_Composite]]:
    out: dict[str, list[_Composite]] = {}
    for d in doc.definitions:
        if isinstance(d, _Composite):
            out.setdefault(d.name.value, []).append(d)
    return out


def crossings(sdl: str) -> list[Crossing]:
    """Every cross-subgraph field of the supergraph ``sdl`` (nullable or not)."""
    types = _types(parse(sdl))
    graphs_of: dict[str, set[str]] = {}
    entity: set[str] = set()
    resolvers: dict[tuple[str, str], tuple[set[str], bool]] = {}
    for name, defs in types.items():
        graphs: set[str] = set()
        for d in defs:
            for jt in _directives(d, "join__type"):
                graphs.add(str(_value(jt["graph"])))
                if "key" in jt:
                    entity.add(name)
        graphs_of[name] = graphs
        for d in defs:
            for f in d.fields or ():
                joins = _directives(f, "join__field")
                if not joins:
                    resolvers[(name, f.name.value)] = (set(graphs), False)
                    continue
                resolving = {str(_value(j["graph"])) for j in joins if "graph" in j
                             and not _value(j.get("external")) and not _value(j.get("usedOverridden"))}
                resolvers[(name, f.name.value)] = (resolving, any("requires" in j for j in joins))
    home: dict[str, str] = {}
    for name in entity:
        if len(graphs_of[name]) < 2:
            continue
        counts = Counter(next(iter(g)) for (t, _), (g, _) in resolvers.items() if t == name and len(g) == 1)
        if counts:
            home[name] = counts.most_common(1)[0][0]
    out: list[Crossing] = []
    for name, defs in types.items():
        for d in defs:
            for f in d.fields or ():
                resolving, requires = resolvers[(name, f.name.value)]
                target = _named(f.type)
                why = []
                if name in home and home[name] not in resolving:
                    why.append(f"{name}'s home {home[name]} does not resolve it")
                if requires:
                    why.append("@requires")
                if target in home and home[target] not in resolving and target != name:
                    why.append(f"its {target} data comes from {home[target]}")
                if why:
                    out.append(Crossing(f"{name}.{f.name.value}", print_ast(f.type), "; ".join(why)))
    return out


def non_null(found: list[Crossing]) -> list[Crossing]:
    return [c for c in found if c.type_text.endswith("!")]


def test_every_cross_subgraph_field_of_the_hub_is_nullable() -> None:
    found = crossings(SUPERGRAPH.read_text(encoding="utf-8"))
    assert len(found) >= 20, "the walk finds the hub's cross-subgraph fields"
    assert {"LegalEntity.licences", "Person.licences", "PenaltyCase.body", "PenaltyCase.alerts"} <= {
        c.coordinate for c in found}
    bad = non_null(found)
    assert not bad, "non-null fields across a department boundary:\n" + "\n".join(
        f"  {c.coordinate}: {c.type_text} ({c.why})" for c in bad)


def test_list_fields_across_a_boundary_are_nullable_at_the_list_level() -> None:
    by_field = {c.coordinate: c.type_text for c in crossings(SUPERGRAPH.read_text(encoding="utf-8"))}
    assert by_field["LegalEntity.licences"] == "[Licence!]"
    assert by_field["PenaltyCase.officers"] == "[Officer!]"


_TOY = """
enum join__Graph { A @join__graph(name: "a", url: "http://127.0.0.1:9/a") B @join__graph(name: "b", url: "http://127.0.0.1:9/b") }
type Query @join__type(graph: A) @join__type(graph: B) {
  shop(id: ID!): Shop @join__field(graph: A)
}
type Shop @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String! @join__field(graph: A)
  city: String! @join__field(graph: A)
  opened: String @join__field(graph: A)
  stock: [Item!]! @join__field(graph: B)
  rating: Int @join__field(graph: B)
  label: String! @join__field(graph: B, requires: "name")
  owner: Owner! @join__field(graph: A)
}
type Owner @join__type(graph: B, key: "id") @join__type(graph: A, key: "id", resolvable: false) {
  id: ID!
  name: String! @join__field(graph: B)
  age: Int @join__field(graph: B)
}
type Item @join__type(graph: B) { sku: String! }
"""


def test_the_walk_flags_a_non_null_field_of_another_subgraph() -> None:
    bad = {c.coordinate: c.why for c in non_null(crossings(_TOY))}
    assert set(bad) == {"Shop.stock", "Shop.label", "Shop.owner"}
    assert "does not resolve" in bad["Shop.stock"]
    assert "@requires" in bad["Shop.label"]
    assert "Owner data comes from B" in bad["Shop.owner"]
    # the home's own fields, a nullable crossing field and the key are not flagged
    assert {c.coordinate for c in crossings(_TOY)} == {"Shop.stock", "Shop.label", "Shop.owner", "Shop.rating"}
