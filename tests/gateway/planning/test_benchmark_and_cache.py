"""The public benchmark query stays within its fetch budget; plans are cached with a bound."""

from __future__ import annotations

from gateway.planning.cache import PlanCache
from gateway.planning.plan import FetchNode, FlattenNode, PlanNode, format_plan
from gateway.runtime import GatewayRuntime
from tests.gateway.harness import plan_for
from tests.gateway.planning.schemas import BENCHMARK

PRODUCT = "inStock name price shippingEstimate upc weight"
TEST_QUERY = (
    "query TestQuery { users { id username name reviews { id body product { " + PRODUCT + " reviews { id body "
    "author { id username name reviews { id body product { " + PRODUCT + " } } } } } } } topProducts { "
    + PRODUCT + " reviews { id body author { id username name reviews { id body product { " + PRODUCT
    + " } } } } } }"
)


def _fetches(node: PlanNode | None) -> list[FetchNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode):
        return [node]
    if isinstance(node, FlattenNode):
        return [node.node]
    children = getattr(node, "nodes", ())
    return [f for child in children for f in _fetches(child)]


def test_benchmark_test_query_needs_at_most_six_fetches() -> None:
    plan = plan_for(BENCHMARK, TEST_QUERY)
    assert plan.fetch_count <= 6
    services = sorted(f.service_name for f in _fetches(plan.node))
    # every subgraph is needed, reviews exactly once (its fields chain inside one subgraph)
    assert set(services) == {"accounts", "inventory", "products", "reviews"}
    assert services.count("reviews") == 1


def test_plan_text_is_stable() -> None:
    assert format_plan(plan_for(BENCHMARK, TEST_QUERY)) == format_plan(plan_for(BENCHMARK, TEST_QUERY))


def test_subgraph_operations_are_named_after_the_client_operation() -> None:
    plan = plan_for(BENCHMARK, TEST_QUERY)
    names = [f.operation_name for f in _fetches(plan.node)]
    assert all(n is not None and n.startswith("TestQuery__") for n in names)
    assert len(set(names)) == len(names)


def test_lru_cache_evicts_the_least_recently_used_entry() -> None:
    cache: PlanCache[int] = PlanCache(max_entries=2)
    cache.put("a", None, 1)
    cache.put("b", None, 2)
    assert cache.get("a", None) == 1  # a is now the most recent
    cache.put("c", None, 3)
    assert cache.get("b", None) is None
    assert cache.get("a", None) == 1
    assert cache.get("c", None) == 3
    assert len(cache) == 2


def test_runtime_caches_prepared_operations_by_document_and_operation_name() -> None:
    runtime = GatewayRuntime.from_sdl(BENCHMARK)
    first = runtime.prepare("query A { me { id } } query B { users { id } }", "A")
    again = runtime.prepare("query A { me { id } } query B { users { id } }", "A")
    other = runtime.prepare("query A { me { id } } query B { users { id } }", "B")
    assert first is again
    assert other is not first
    assert runtime.cache.hits == 1
