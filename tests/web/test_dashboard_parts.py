"""The dashboard's parts without a stack: the filter form's checks, the tree's sums, the operations' names."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.dashboard.filters import parse_filters, refusal_field, region_prefix
from web.dashboard.tree import Node, build_tree
from web.graph import _operation_name

REGIONS = {"445100", "445102", "445103", "445122"}
BODIES: dict[str, dict[str, str]] = {"B1": {}, "B2": {}}
#: a shared machine draws slowly at times; the number of examples is what matters
RELAXED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_fields = st.fixed_dictionaries({}, optional={
    "level": st.sampled_from(["", "CITY", "COUNTY", "TOWN", "VILLAGE", "city"]) | st.text(max_size=12),
    "region": st.sampled_from(["", *REGIONS, "445199"]) | st.text(max_size=8),
    "body": st.sampled_from(["", "B1", "B2", "B3"]),
    "from": st.dates().map(date.isoformat) | st.text(max_size=12),
    "to": st.dates().map(date.isoformat) | st.text(max_size=12),
})


@RELAXED
@given(_fields)
def test_a_filter_is_applied_whole_or_not_at_all(query: dict[str, str]) -> None:
    flt = parse_filters(query, BODIES, REGIONS)
    assert set(flt.errors) <= {"level", "region", "body", "from", "to"}
    if flt.errors:
        assert flt.graph_filter() is None
        assert flt.query() == ""
        return
    applied = flt.applied
    assert applied.get("level", "CITY") in {"CITY", "COUNTY", "TOWN"}
    assert applied.get("region", "445100") in REGIONS
    assert applied.get("body", "B1") in BODIES
    if "from" in applied and "to" in applied:
        assert date.fromisoformat(applied["from"]) <= date.fromisoformat(applied["to"])


@RELAXED
@given(st.dates(), st.integers(min_value=0, max_value=4000))
def test_a_period_in_order_passes_and_reversed_is_refused_at_its_end(start: date, days: int) -> None:
    try:
        end = start + timedelta(days=days)
    except OverflowError:
        return
    ok = parse_filters({"from": start.isoformat(), "to": end.isoformat()}, BODIES, REGIONS)
    assert ok.errors == {}
    assert ok.graph_filter() == {"from": start.isoformat(), "to": end.isoformat()}
    if days:
        bad = parse_filters({"from": end.isoformat(), "to": start.isoformat()}, BODIES, REGIONS)
        assert set(bad.errors) == {"to"}


def test_the_messages_name_the_expected_form() -> None:
    flt = parse_filters({"from": "2025/02/01", "level": "VILLAGE"}, BODIES, REGIONS)
    assert flt.errors == {"from": "开始日期格式应为 2026-10-30", "level": "层级只能是市级、县（区）级或乡镇（街道）级"}
    assert refusal_field("filter.regionCode") == "region"
    assert refusal_field("filter.from") == "from"
    assert refusal_field(None) == "to"


def test_links_keep_the_filter_and_the_list_names() -> None:
    flt = parse_filters({"level": "TOWN", "region": "445102", "from": "2025-01-01"}, BODIES, REGIONS)
    assert flt.link("/cases") == "/cases?region=445102&from=2025-01-01"   # the case list has no level
    assert flt.link("/alerts", severity="RED") == "/alerts?region=445102&severity=RED"  # nor a period
    assert flt.here(level="CITY") == "/dashboard?level=CITY&region=445102&from=2025-01-01"
    assert parse_filters({}, BODIES, REGIONS).link("/cases") == "/cases"


@RELAXED
@given(st.sampled_from(["440000", "445100", "445102", "445122", "445102001", "445102001002"]))
def test_a_region_prefix_covers_the_region_and_below(code: str) -> None:
    prefix = region_prefix(code)
    assert code.startswith(prefix)
    assert len(prefix) >= 2
    assert {"440000": "44", "445100": "4451", "445102": "445102"}.get(code, code) == prefix


_body = st.fixed_dictionaries({
    "level": st.sampled_from(["CITY", "COUNTY", "TOWN"]),
    "regionCode": st.sampled_from(["445102", "445103", "445122"]),
})
_rate = st.fixed_dictionaries({"cases": st.integers(0, 50), "alerts": st.integers(0, 20),
                               "redAlerts": st.integers(0, 5), "decisionOnTimeRate": st.sampled_from([0.0, 0.5, 1.0])})


def _leaves(node: Node) -> list[Node]:
    return [node] if node.body else [leaf for child in node.children for leaf in _leaves(child)]


@RELAXED
@given(st.lists(_body, max_size=30), st.lists(_rate, max_size=30), st.sets(st.integers(0, 29)))
def test_every_node_sums_the_bodies_below_it(raw: list[dict[str, Any]], raw_rates: list[dict[str, Any]],
                                             dropped: set[int]) -> None:
    bodies = [{**b, "uscc": f"U{i:02d}", "name": f"主体{i}",
               "regionCode": "445100" if b["level"] == "CITY" else b["regionCode"]} for i, b in enumerate(raw)]
    rates = {f"U{i:02d}": r for i, r in enumerate(raw_rates)}
    tree = build_tree(bodies, rates, keep=lambda b: int(str(b["uscc"])[1:]) not in dropped)
    kept = [b for i, b in enumerate(bodies) if i not in dropped]
    assert sorted(leaf.body or "" for leaf in _leaves(tree)) == sorted(str(b["uscc"]) for b in kept)
    assert tree.figures.cases == sum(rates.get(str(b["uscc"]), {}).get("cases", 0) for b in kept)
    assert tree.figures.red_alerts == sum(rates.get(str(b["uscc"]), {}).get("redAlerts", 0) for b in kept)
    for county in (c for c in tree.children if c.kind == "county"):
        mine = [b for b in kept if b["regionCode"] == county.region]
        assert county.figures.alerts == sum(rates.get(str(b["uscc"]), {}).get("alerts", 0) for b in mine)
        assert mine  # a county without a kept body is left out
        on_time = sum(rates.get(str(b["uscc"]), {}).get("cases", 0) * rates.get(str(b["uscc"]), {}).get(
            "decisionOnTimeRate", 0.0) for b in mine)
        cases = county.figures.cases
        assert county.figures.on_time_rate == (on_time / cases if cases else None)


def test_the_operations_are_sent_under_their_own_names() -> None:
    assert _operation_name("dashboard-figures") == "DashboardFigures"
    assert _operation_name("dashboard-bodies") == "DashboardBodies"
    assert _operation_name("dashboard-items") == "DashboardItems"
