"""Context values for @fromContext fetches: read from the nearest setting ancestor, batched by value."""

from __future__ import annotations

from typing import Any

from gateway.execution.contexts import context_batches, read_selection
from gateway.planning.plan import ContextRewrite, RequireField, RequireFragment

CURRENCY = ContextRewrite("v0", "String", "org__unit", frozenset({"Org", "Region"}), (RequireField("currency"),))


def _team(tid: str) -> dict[str, Any]:
    return {"__typename": "Team", "id": tid}


def test_nearest_setting_ancestor_wins_and_objects_batch_by_value() -> None:
    t1, t2, t3, t4 = _team("t1"), _team("t2"), _team("t3"), _team("t4")
    data = {"regions": [{"__typename": "Region", "currency": "USD", "teams": [t4],
                         "orgs": [{"__typename": "Org", "currency": "EUR", "depts": [{"__typename": "Dept",
                                                                                     "teams": [t1, t2]}]},
                                  {"__typename": "Org", "currency": None, "depts": [{"teams": [t3]}]}]}]}
    batches = context_batches(data, (("regions", "@", "orgs", "@", "depts", "@", "teams", "@"),
                                     ("regions", "@", "teams", "@")), (CURRENCY,))
    assert [([o["id"] for o in objs], values) for objs, values in batches] == [
        (["t1", "t2"], {"v0": "EUR"}),
        (["t3"], {"v0": None}),  # the nearest setter's null wins over the region's USD
        (["t4"], {"v0": "USD"}),
    ]


def test_no_setting_ancestor_gives_null() -> None:
    data = {"depts": [{"__typename": "Dept", "teams": [_team("t1")]}]}
    [(objs, values)] = context_batches(data, (("depts", "@", "teams", "@"),), (CURRENCY,))
    assert [o["id"] for o in objs] == ["t1"]
    assert values == {"v0": None}


def test_selection_with_type_conditions_and_lists() -> None:
    by_type = (RequireFragment("Company", (RequireField("legalName"),), None, frozenset({"Company"})),
               RequireFragment("Person", (RequireField("fullName"),), None, frozenset({"Person"})))
    assert read_selection({"__typename": "Person", "fullName": "Ada", "legalName": "x"}, by_type) == "Ada"
    assert read_selection({"__typename": "Company", "legalName": "Acme"}, by_type) == "Acme"
    nested = (RequireField("members", (RequireField("id"),)),)
    assert read_selection({"members": [{"id": "a"}, None, {"id": "b"}]}, nested) == ["a", None, "b"]
    aliased = (RequireField("currency", (), "currency__context"),)
    assert read_selection({"currency": "Harbour", "currency__context": "EUR"}, aliased) == "EUR"
