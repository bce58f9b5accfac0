"""Properties: the fast shaping and representation paths give exactly what the careful paths give."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.execution.merge import representation
from gateway.execution.representations import Representations
from gateway.execution.shaping import Shaper
from gateway.planning.plan import RequireField, RequireFragment
from gateway.planning.shape import ShapeSelection
from gateway.runtime import GatewayRuntime
from tests.gateway.sdl import local_graphs, supergraph_v03

TYPES = '''
interface Node @join__type(graph: A) { id: ID! }
type Item implements Node @join__type(graph: A) @join__implements(graph: A, interface: "Node") {
  id: ID!
  tags: [String!]
  grid: [[Int!]]!
  next: Item
  kids: [Item!]
  must: Item!
  tone: Tone
  tones: [Tone!]
  mustTone: Tone!
  toneGrid: [[Tone]!]
}
enum Tone @join__type(graph: A) { A @join__enumValue(graph: A) B @join__enumValue(graph: A) }
type Other implements Node @join__type(graph: A) @join__implements(graph: A, interface: "Node") {
  id: ID!
  label: String!
}
union Thing @join__type(graph: A) @join__unionMember(graph: A, member: "Item")
  @join__unionMember(graph: A, member: "Other") = Item | Other
type Query @join__type(graph: A) {
  items: [Item]!
  node: Node
  things: [Thing!]
  one: Item!
}
'''
QUERIES = [
    "{ items { id a: tags grid next { id tags } kids { id k: kids { id } } } one { id must { id } } }",
    "query Q($x: Boolean!) { items { id tags @include(if: $x) kids @skip(if: $x) { id } } }",
    "{ node { __typename id ... on Item { tags kids { id } } ... on Other { label } } "
    "things { __typename ... on Other { label id } ... on Item { id grid } } }",
    "{ one { __typename id next { __typename next { id } } } items { ...F } } fragment F on Item { id tags }",
    "{ items { id tone tones mustTone toneGrid next { mustTone } } things { ... on Item { t: tone } } }",
]
RUNTIME = GatewayRuntime.from_sdl(supergraph_v03(local_graphs("a"), TYPES))
SHAPES = [RUNTIME.prepare(q, None).shape for q in QUERIES]

leaf = st.one_of(st.integers(-3, 3), st.text(max_size=2), st.booleans(), st.sampled_from(["A", "B"]))


def _value(draw: st.DrawFn, wrappers: str, sub: ShapeSelection | None, depth: int) -> Any:
    pick = draw(st.integers(0, 11))
    if pick == 0 or depth > 4:
        return None
    if pick == 1:
        return draw(st.sampled_from(["x", 7, {}, []]))  # a value of the wrong JSON type
    wrappers = wrappers.removeprefix("N")
    if wrappers.startswith("L"):
        return [_value(draw, wrappers[1:], sub, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    if sub is None:
        return draw(leaf)
    return _object(draw, sub, depth + 1)


def _object(draw: st.DrawFn, sel: ShapeSelection, depth: int) -> dict[str, Any]:
    choices = [*sel.by_type, "Stranger", None] if sel.abstract else [sel.type_name, None]
    typename = draw(st.sampled_from(choices))
    fields = sel.by_type.get(typename or "", sel.fallback) if sel.abstract else sel.by_type[sel.type_name]
    obj: dict[str, Any] = {} if typename is None else {"__typename": typename}
    for f in fields:
        if f.name == "__typename" or draw(st.integers(0, 15)) == 0:
            continue  # sometimes a field is missing altogether
        obj[f.key] = _value(draw, f.wrappers, f.sub, depth)
    if draw(st.booleans()):
        obj["internal__hub"] = 1  # fields the plan fetched but the client did not ask for
    return obj


@st.composite
def shaped_case(draw: st.DrawFn) -> tuple[int, dict[str, Any], dict[str, Any]]:
    n = draw(st.integers(0, len(SHAPES) - 1))
    return n, _object(draw, SHAPES[n], 0), {"x": draw(st.booleans())}


@settings(max_examples=400, deadline=None)
@given(case=shaped_case())
def test_fast_shaping_equals_careful_shaping(case: tuple[int, dict[str, Any], dict[str, Any]]) -> None:
    n, data, variables = case
    fast, careful = Shaper(variables), Shaper(variables)
    got = fast.shape_root(SHAPES[n], data)
    want = careful.shape_careful(SHAPES[n], data)
    assert orjson.dumps(got) == orjson.dumps(want)  # same values and the same key order
    assert fast.violations == careful.violations
    assert fast.errors == careful.errors


def test_enum_values_the_api_schema_lacks_are_field_errors() -> None:
    shape = SHAPES[4]
    item = {"id": "1", "tone": "C", "tones": ["A", "C"], "mustTone": "A", "toneGrid": [["B", "D"]], "next": None}
    bad_must = {"id": "2", "tone": "A", "tones": None, "mustTone": "Z", "toneGrid": None, "next": None}
    shaper = Shaper({})
    out = shaper.shape_root(shape, {"items": [item, bad_must], "things": [{"__typename": "Item", "t": 5}]})
    assert out == {"items": [{"id": "1", "tone": None, "tones": None, "mustTone": "A", "toneGrid": [["B", None]],
                              "next": None}, None], "things": [{"t": None}]}
    assert [e["path"] for e in shaper.errors] == [["items", 0, "tone"], ["items", 0, "tones", 1],
                                                  ["items", 0, "toneGrid", 0, 1], ["items", 1, "mustTone"],
                                                  ["things", 0, "t"]]
    assert shaper.errors[0]["message"] == 'Enum "Tone" cannot represent value: "C"'
    assert shaper.violations == []


def test_valid_enum_values_stay_on_the_fast_path() -> None:
    shape = SHAPES[4]
    item = {"id": "1", "tone": "A", "tones": ["A", "B"], "mustTone": "B", "toneGrid": [["B", None]],
            "next": {"mustTone": "A"}}
    out = Shaper({}).shape_root(shape, {"items": [item], "things": []})
    assert out == {"items": [item], "things": []}
    fast = shape.compiled["fast"]
    assert fast({"items": [item], "things": []}) == out  # no Bail


def test_fast_shaping_is_used_for_well_formed_data() -> None:
    shape = SHAPES[0]
    item = {"id": "1", "a": ["t"], "grid": [[1, 2], None], "next": None, "kids": [], "must": {"id": "2"}}
    data = {"items": [item, None], "one": item}
    out = Shaper({}).shape_root(shape, data)
    assert out == {"items": [{"id": "1", "a": ["t"], "grid": [[1, 2], None], "next": None, "kids": []}, None],
                   "one": {"id": "1", "must": {"id": "2"}}}
    assert "fast" in shape.compiled


PRODUCT = RequireFragment("Product", (RequireField("__typename"), RequireField("upc"), RequireField("price")),
                          applies_to=frozenset({"Product"}))
USER = RequireFragment("User", (RequireField("__typename"), RequireField("id", response_key="id__hub")),
                       applies_to=frozenset({"User", "Admin"}))
NODE = RequireFragment("Node", (RequireField("id"),), typename_as="Node", applies_to=frozenset({"Thing"}))
NESTED = RequireFragment("Box", (RequireField("__typename"), RequireField("dims", (RequireField("w"),))),
                         applies_to=frozenset({"Box"}))
REQUIRES = [(PRODUCT,), (USER, PRODUCT), (NODE, USER), (NESTED,), (PRODUCT, NESTED)]

key_value = st.one_of(st.none(), st.sampled_from(["1", "2", 1, 2, 1.0, True]), st.lists(st.integers(0, 1), max_size=2),
                      st.fixed_dictionaries({"w": st.integers(0, 1)}))


@st.composite
def entity(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    typename = draw(st.sampled_from(["Product", "User", "Admin", "Thing", "Box", "Other", None]))
    if typename is not None:
        obj["__typename"] = typename
    for key in ("upc", "price", "id", "id__hub", "dims"):
        if draw(st.integers(0, 5)):
            obj[key] = draw(key_value)
    return obj


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, len(REQUIRES) - 1), objects=st.lists(entity(), max_size=12))
def test_representations_equal_the_careful_representation_of_each_object(n: int,
                                                                        objects: list[dict[str, Any]]) -> None:
    requires = REQUIRES[n]
    wanted = Representations(requires)
    wanted.add_all(objects)
    got = {id(obj): wanted.reps[i] for obj, i in wanted.targets}
    for obj in objects:
        want = representation(obj, requires)
        if want is None:
            assert id(obj) not in got
        else:
            # the same representation (the first object's, whose key order may differ, stands for all)
            assert orjson.dumps(got[id(obj)], option=orjson.OPT_SORT_KEYS) == orjson.dumps(
                want, option=orjson.OPT_SORT_KEYS)
    assert [id(o) for o, _ in wanted.targets] == [id(o) for o in objects if representation(o, requires) is not None]
    first_seen: dict[int, dict[str, Any]] = {}
    for obj, i in wanted.targets:
        first_seen.setdefault(i, obj)
    assert all(wanted.firsts[i] is obj for i, obj in first_seen.items())
    assert len(wanted.firsts) == len(wanted.reps)
    if all(isinstance(o.get("__typename"), str) for o in objects) and not any(
            isinstance(v, float | bool) for o in objects for v in o.values()):
        distinct = {orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in wanted.reps}
        assert len(distinct) == len(wanted.reps)  # no representation is sent twice


def test_equal_but_differently_typed_key_values_are_different_representations_on_the_fast_path() -> None:
    single = RequireFragment("Item", (RequireField("id"),), typename_as="Item", applies_to=frozenset({"Item"}))
    reps = Representations((single,))
    objects = [{"__typename": "Item", "id": v} for v in (1, 1.0, True, 1, "1")]
    reps.add_all(objects)
    assert [r["id"] for r in reps.reps] == [1, 1.0, True, "1"]
    assert [type(r["id"]) for r in reps.reps] == [int, float, bool, str]
    assert [i for _, i in reps.targets] == [0, 1, 2, 0, 3]
    assert all(isinstance(k, tuple) for k in reps._index)  # every value took the fast path (no JSON text keys)


def test_an_object_of_a_type_outside_the_schema_is_a_field_error() -> None:
    shape = SHAPES[2]
    shaper = Shaper({})
    out = shaper.shape_root(shape, {"node": {"__typename": "Stranger", "id": "1"},
                                    "things": [{"__typename": "Other", "label": "x", "id": "2"}]})
    assert out == {"node": None, "things": [{"__typename": "Other", "label": "x", "id": "2"}]}
    assert [e["path"] for e in shaper.errors] == [["node"]]
    assert "Stranger" in shaper.errors[0]["message"]
