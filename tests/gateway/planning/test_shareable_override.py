"""@shareable fields go to the subgraph needing fewest fetches; @override moves a field."""

from __future__ import annotations

from tests.gateway.harness import assert_plan
from tests.gateway.planning.schemas import SHAREABLE


def test_shareable_root_field_goes_where_the_whole_selection_is_local() -> None:
    assert_plan(SHAREABLE, "{ product(id: 1) { name price } }", '''
        QueryPlan {
          Fetch(service: "b") {
            {
              product(id: 1) {
                name
                price
              }
            }
          },
        }''')


def test_shareable_tie_is_broken_by_subgraph_name() -> None:
    assert_plan(SHAREABLE, "{ product(id: 1) { name } }", '''
        QueryPlan {
          Fetch(service: "a") {
            {
              product(id: 1) {
                name
              }
            }
          },
        }''')


def test_overridden_field_comes_from_the_overriding_subgraph_even_from_an_unknown_source() -> None:
    # legacyCode: b overrides a (a keeps it only as usedOverridden); rating overrides a subgraph that is gone
    assert_plan(SHAREABLE, "{ product(id: 1) { legacyCode rating } }", '''
        QueryPlan {
          Fetch(service: "b") {
            {
              product(id: 1) {
                legacyCode
                rating
              }
            }
          },
        }''')
