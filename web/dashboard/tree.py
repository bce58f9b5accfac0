"""The three levels as a tree — city -> county/district -> town/street — with figures summed up it.

The bodies come from the personnel register (level, region); the figures per body from the
supervision subgraph's `supervisionBodyRates` (already narrowed by the dashboard's filter and the
caller's row scope). A county node holds its own county-level bodies and its towns' offices (whose
region is the county's: towns have no GB/T 2260 code of their own), and sums them all; the city node
sums everything. A body with no row in the rates had no case and no alert in the filter: zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from web.dashboard.filters import LEVEL_NAMES, region_name

__all__ = ["Figures", "Node", "build_tree"]


@dataclass
class Figures:
    cases: int = 0
    alerts: int = 0
    red_alerts: int = 0
    on_time: float = 0.0   # cases decided on time (the rate times the cases), summed

    @classmethod
    def of(cls, row: Mapping[str, Any] | None) -> Figures:
        if not row:
            return cls()
        cases = int(row.get("cases") or 0)
        return cls(cases, int(row.get("alerts") or 0), int(row.get("redAlerts") or 0),
                   float(row.get("decisionOnTimeRate") or 0.0) * cases)

    def add(self, other: Figures) -> None:
        self.cases += other.cases
        self.alerts += other.alerts
        self.red_alerts += other.red_alerts
        self.on_time += other.on_time

    @property
    def on_time_rate(self) -> float | None:
        """Share of the cases without an active decision-overdue (S02) alert; None without cases."""
        return self.on_time / self.cases if self.cases else None


@dataclass
class Node:
    name: str
    kind: str                      # city | county | body | town
    region: str | None = None      # the region a city or county node stands for
    body: str | None = None        # a body leaf's USCC
    level: str | None = None
    figures: Figures = field(default_factory=Figures)
    children: list[Node] = field(default_factory=list)
    open: bool = False             # shown unfolded: the city, and a county when it is the only one

    @property
    def kind_label(self) -> str:
        if self.kind in ("body", "town"):
            return LEVEL_NAMES.get(self.level or "", self.level or "")
        return {"city": "全市", "county": "县（区）"}.get(self.kind, "")

    def count_leaves(self) -> int:
        return 1 if not self.children and self.body else sum(c.count_leaves() for c in self.children)


def _label(body: Mapping[str, Any]) -> str:
    return str(body.get("name") or body.get("shortName") or body.get("uscc"))


def _leaf(body: Mapping[str, Any], rates: Mapping[str, Mapping[str, Any]]) -> Node:
    kind = "town" if body.get("level") == "TOWN" else "body"
    return Node(_label(body), kind, body=str(body["uscc"]), level=str(body.get("level") or ""),
                figures=Figures.of(rates.get(str(body["uscc"]))))


def _sum(node: Node) -> Node:
    for child in node.children:
        node.figures.add(child.figures)
    return node


def build_tree(bodies: Iterable[Mapping[str, Any]], rates: Mapping[str, Mapping[str, Any]], *,
               city_region: str = "445100", keep: Callable[[Mapping[str, Any]], bool] = lambda _: True) -> Node:
    """The city node over the bodies `keep` admits (a county without any is left out)."""
    kept = sorted((b for b in bodies if keep(b)), key=lambda b: (str(b.get("regionCode")), str(b.get("level")),
                                                                 _label(b)))
    root = Node(f"{region_name(city_region)}（全市）", "city", region=city_region)
    counties: dict[str, Node] = {}
    towns: dict[str, list[Node]] = {}
    for body in kept:
        level, region = body.get("level"), str(body.get("regionCode") or "")
        if level in ("COUNTY", "TOWN") and region != city_region:
            county = counties.setdefault(region, Node(region_name(region), "county", region=region))
            leaf = _leaf(body, rates)
            (towns.setdefault(region, []) if level == "TOWN" else county.children).append(leaf)
        else:
            root.children.append(_leaf(body, rates))
    for region in sorted(counties):
        county = counties[region]
        county.children.extend(towns.get(region, []))
        county.open = len(counties) == 1
        root.children.append(_sum(county))
    root.open = True
    return _sum(root)
