"""Representations built for @requires field sets: fragments on abstract types, missing nested values, aliases."""

from __future__ import annotations

from gateway.execution.merge import representation
from gateway.execution.representations import Representations
from gateway.planning.groups import RequireBuilder
from gateway.planning.plan import RequireField, RequireFragment

BOOK = RequireFragment("Book", (RequireField("pages"),), applies_to=frozenset({"Book"}))
FILM = RequireFragment("Film", (RequireField("minutes"),), applies_to=frozenset({"Film"}))
ITEM = RequireFragment("Item", (RequireField("__typename"), RequireField("id"), RequireField("media", (BOOK, FILM))),
                       applies_to=frozenset({"Item"}))


def test_an_object_matching_no_fragment_carries_no_field_of_another_branch() -> None:
    obj = {"__typename": "Item", "id": "i1", "media": [
        {"__typename": "Book", "pages": 320}, {"__typename": "Song", "seconds": 200}, None]}
    assert representation(obj, (ITEM,)) == {"__typename": "Item", "id": "i1",
                                            "media": [{"pages": 320}, {}, None]}


def test_a_required_value_no_fetch_delivered_below_the_entity_is_left_out() -> None:
    # the Book's own entity fetch found nothing, so its pages never arrived: the blurb is still asked for
    obj = {"__typename": "Item", "id": "i5", "media": [{"__typename": "Book", "id": "b404"}]}
    assert representation(obj, (ITEM,)) == {"__typename": "Item", "id": "i5", "media": [{}]}


def test_a_missing_field_of_the_entity_itself_still_drops_the_representation() -> None:
    assert representation({"__typename": "Item", "media": []}, (ITEM,)) is None
    reps = Representations((ITEM,))
    reps.add_all([{"__typename": "Item", "media": []}, {"__typename": "Item", "id": "i2", "media": None}])
    assert reps.reps == [{"__typename": "Item", "id": "i2", "media": None}]


def test_each_representation_reads_the_value_asked_for_it() -> None:
    eur = RequireFragment("P", (RequireField("__typename"), RequireField("id"), RequireField("price", (), "price__hub")),
                          applies_to=frozenset({"P"}))
    usd = RequireFragment("P", (RequireField("__typename"), RequireField("id"), RequireField("price", (), "price__hub1")),
                          applies_to=frozenset({"P"}))
    obj = {"__typename": "P", "id": "p1", "price__hub": 10, "price__hub1": 11}
    for frags, price in (((eur,), 10), ((usd,), 11)):
        reps = Representations(frags)
        reps.add_all([obj])
        assert reps.reps == [{"__typename": "P", "id": "p1", "price": price}]


def test_require_builders_conflict_only_on_one_name_read_from_two_keys() -> None:
    a, b, c = RequireBuilder(), RequireBuilder(), RequireBuilder()
    a.add("id", False)
    a.add("price", False, "price__hub")
    b.add("id", False)
    b.add("price", False, "price__hub1")
    c.add("id", False)
    c.add("price", False, "price__hub")
    assert a.conflicts(b)
    assert b.conflicts(a)
    assert not a.conflicts(c)
    nested_a, nested_b = RequireBuilder(), RequireBuilder()
    sub_a = nested_a.add("stock", True)
    sub_b = nested_b.add("stock", True)
    assert sub_a is not None
    assert sub_b is not None
    sub_a.add("level", False, "level__hub")
    sub_b.add("level", False, "level__hub1")
    assert nested_a.conflicts(nested_b)
