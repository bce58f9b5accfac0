"""Progressive @override: a labelled override moves a field only on requests where its label is on."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gateway.planning.plan import FetchNode, FlattenNode, PlanNode
from gateway.runtime import GatewayRuntime

SUPERGRAPH = (Path(__file__).parents[1] / "differential" / "fixtures" / "progressive_override" /
              "supergraph.graphql").read_text(encoding="utf-8")
QUERY = "{ products { id price colour weight } }"


def _services_of(node: PlanNode | None) -> dict[str, set[str]]:
    """Per subgraph, the field names its fetches select."""
    out: dict[str, set[str]] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if isinstance(n, FlattenNode):
            n = n.node
        if isinstance(n, FetchNode):
            words = {w for w in n.operation.replace("{", " ").replace("}", " ").split() if w.isidentifier()}
            out.setdefault(n.service_name, set()).update(words & {"price", "colour", "weight"})
            continue
        stack.extend(getattr(n, "nodes", ()) or ())
        stack.append(getattr(n, "node", None))
        stack.extend((getattr(n, "if_clause", None), getattr(n, "else_clause", None)))
    return out


@pytest.fixture(scope="module")
def runtime() -> GatewayRuntime:
    return GatewayRuntime.from_sdl(SUPERGRAPH)


def test_the_loader_keeps_labelled_fields_where_they_were_and_knows_where_each_label_moves_them(
        runtime: GatewayRuntime) -> None:
    sg = runtime.supergraph
    assert sg.override_labels == {"percent(0)", "use-store-colour"}
    fields = {f: sg.field("Product", f) for f in ("price", "colour", "weight")}
    price, colour, weight = (fields[f] for f in ("price", "colour", "weight"))
    assert price is not None
    assert colour is not None
    assert weight is not None
    assert (price.resolvable_in, colour.resolvable_in, weight.resolvable_in) == ({"legacy"}, {"legacy"}, {"store"})
    assert dict(price.when_label) == {"percent(0)": {"store"}}
    assert dict(colour.when_label) == {"use-store-colour": {"store"}}
    assert dict(weight.when_label) == {}


def test_a_plan_follows_the_labels_on_for_the_request(runtime: GatewayRuntime) -> None:
    off = _services_of(runtime.prepare(QUERY, None).plan.node)
    assert off.get("legacy", set()) >= {"price", "colour"}
    assert "weight" in off["store"]
    on = _services_of(runtime.prepare(QUERY, None, frozenset({"use-store-colour"})).plan.node)
    assert on["store"] >= {"colour", "weight"}
    assert "colour" not in on.get("legacy", set())
    assert "price" in on["legacy"]
    # a label the supergraph does not have changes nothing and shares the plan of "none on"
    assert runtime.prepare(QUERY, None, frozenset({"no-such-label"})) is runtime.prepare(QUERY, None)
    assert runtime.prepare(QUERY, None, frozenset({"use-store-colour"})) is not runtime.prepare(QUERY, None)


def test_percent_labels_draw_per_request_and_custom_labels_follow_configuration(runtime: GatewayRuntime) -> None:
    rng = random.Random(7)
    draws = [runtime.active_labels(frozenset(), rng) for _ in range(200)]
    assert all(d == frozenset() for d in draws)  # percent(0) never; the custom label is not enabled
    enabled = [runtime.active_labels(frozenset({"use-store-colour"}), rng) for _ in range(50)]
    assert all(d == {"use-store-colour"} for d in enabled)


@pytest.mark.parametrize(("percent", "low", "high"), [(0, 0, 0), (100, 1000, 1000), (25, 180, 320), (50, 420, 580)])
def test_percent_x_is_on_for_about_x_percent_of_requests(percent: int, low: int, high: int) -> None:
    sdl = SUPERGRAPH.replace("percent(0)", f"percent({percent})")
    runtime = GatewayRuntime.from_sdl(sdl)
    rng = random.Random(percent)
    on = sum(f"percent({percent})" in runtime.active_labels(frozenset(), rng) for _ in range(1000))
    assert low <= on <= high


def test_the_gateway_routes_by_its_configured_labels_over_real_http(tmp_path: Path) -> None:
    import httpx

    from gateway.app import create_app
    from tests.gateway.differential.fixtures import all_fixtures
    from tests.gateway.differential.harness import running_fixtures
    from tests.support.servers import serve

    fixture = next(f for f in all_fixtures() if f.name == "progressive_override")
    with running_fixtures((fixture,), tmp_path) as running:
        path = str(running["progressive_override"].supergraph)
        answers = {}
        for labels in ((), ("use-store-colour",)):
            app = create_app(path, poll_interval_s=None, metrics=False, override_labels=labels)
            with serve(app) as base:
                body = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=10).json()
            assert "errors" not in body, body
            answers[labels] = body["data"]["products"][0]
    assert answers[()] == {"id": "1", "price": 999, "colour": "legacy-red", "weight": 5}
    assert answers[("use-store-colour",)] == {"id": "1", "price": 999, "colour": "store-blue", "weight": 5}


def test_hub_plan_shows_the_plan_with_a_label_on(tmp_path: Path) -> None:
    import subprocess
    import sys

    query = tmp_path / "q.graphql"
    query.write_text("{ products { id colour } }", encoding="utf-8")
    supergraph = Path(__file__).parents[1] / "differential" / "fixtures" / "progressive_override" / "supergraph.graphql"
    plans = {}
    for extra in ([], ["--override-label", "use-store-colour"]):
        done = subprocess.run([sys.executable, "-m", "hub", "plan", str(query), "--supergraph", str(supergraph), *extra],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        plans[bool(extra)] = done.stdout
    assert 'Fetch(service: "store")' in plans[True]
    assert 'service: "legacy"' not in plans[True]
    assert 'Fetch(service: "legacy")' in plans[False]
    assert 'service: "store"' not in plans[False]


def test_a_used_overridden_field_with_a_label_stays_resolvable_by_its_old_graph_while_the_label_is_off() -> None:
    sdl = SUPERGRAPH.replace('@join__field(graph: LEGACY, overrideLabel: "use-store-colour")',
                             '@join__field(graph: LEGACY, overrideLabel: "use-store-colour", usedOverridden: true)')
    assert sdl != SUPERGRAPH
    runtime = GatewayRuntime.from_sdl(sdl)
    colour = runtime.supergraph.field("Product", "colour")
    assert colour is not None
    assert colour.resolvable_in == {"legacy"}
    assert dict(colour.when_label) == {"use-store-colour": {"store"}}
    assert "legacy" in _services_of(runtime.prepare("{ products { colour } }", None).plan.node)
