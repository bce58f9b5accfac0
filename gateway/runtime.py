"""The immutable per-supergraph runtime: model, API schema and plan cache; swapped whole on reload."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace

from graphql import GraphQLError, parse, validate

from gateway import typename_alias
from gateway.errors import GatewayError, ParseFailed, PlanningError, RequestError, ValidationFailed
from gateway.planning.cache import PlanCache
from gateway.planning.planner import PreparedOperation, plan_operation
from gateway.supergraph.loader import load_supergraph
from gateway.supergraph.model import Supergraph

Prepared = PreparedOperation | GatewayError


@dataclass(frozen=True)
class GatewayRuntime:
    """One loaded supergraph; requests keep the runtime they started with."""

    supergraph: Supergraph
    urls: dict[str, str]
    cache: PlanCache[Prepared] = field(default_factory=PlanCache)
    version: str = ""
    #: each progressive-override label with its percentage (None for a named label), parsed once
    _labels: tuple[tuple[str, float | None], ...] = field(init=False, repr=False, compare=False)
    #: the supergraph as planned under each set of labels on (built on first use)
    _views: dict[frozenset[str], Supergraph] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_labels", tuple((label, _percent(label))
                                                  for label in sorted(self.supergraph.override_labels)))

    @classmethod
    def from_sdl(cls, sdl: str, *, version: str = "", cache_size: int = 1000) -> GatewayRuntime:
        supergraph = load_supergraph(sdl)
        urls = {name: sg.url for name, sg in supergraph.subgraphs.items()}
        return cls(supergraph, urls, PlanCache(cache_size), version)

    def prepare(self, query: str, operation_name: str | None,
                labels: frozenset[str] = frozenset()) -> PreparedOperation:
        """Parse, validate and plan (cached per set of active override labels); raise a RequestError for a
        bad document."""
        active = labels & self.supergraph.override_labels
        cached = self.cache.get(query, operation_name, active)
        if cached is None:
            cached = self._prepare(query, operation_name, active)
            self.cache.put(query, operation_name, cached, active)
        if isinstance(cached, GatewayError):
            raise cached
        return cached

    def active_labels(self, enabled: frozenset[str], rng: random.Random) -> frozenset[str]:
        """The progressive-override labels on for one request: `percent(x)` for x % of requests (drawn from
        `rng`), any other label when the gateway's configuration enables it."""
        return frozenset(label for label, percent in self._labels
                         if (rng.random() * 100.0 < percent if percent is not None else label in enabled))

    def _view(self, labels: frozenset[str]) -> Supergraph:
        view = self._views.get(labels)
        if view is None:
            view = self._views[labels] = self.supergraph.with_active_labels(labels)
        return view

    def _prepare(self, query: str, operation_name: str | None, labels: frozenset[str] = frozenset()) -> Prepared:
        try:
            document = parse(query, max_tokens=50_000)
        except GraphQLError as exc:
            return ParseFailed(exc.message, locations=_locations(exc))
        errors = validate(self.supergraph.api_schema, document)
        if errors:
            return ValidationFailed(errors[0].message, locations=_locations(errors[0]),
                                    others=[ValidationFailed(e.message, locations=_locations(e))
                                            for e in errors[1:]])
        document, typename_key = typename_alias.hide(document)
        try:
            prepared = plan_operation(self._view(labels), document, operation_name)
            return prepared if typename_key is None else replace(prepared, typename_alias_key=typename_key)
        except RequestError as exc:
            return exc
        except PlanningError as exc:
            return exc


_PERCENT = re.compile(r"percent\((\d+(?:\.\d+)?)\)")


def _percent(label: str) -> float | None:
    """x of a `percent(x)` label; None for a named label."""
    m = _PERCENT.fullmatch(label)
    return float(m.group(1)) if m is not None else None


def _locations(exc: GraphQLError) -> list[dict[str, int]] | None:
    if not exc.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in exc.locations]
