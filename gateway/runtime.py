"""The immutable per-supergraph runtime: model, API schema and plan cache; swapped whole on reload."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from graphql import GraphQLError, parse, validate

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
        return frozenset(label for label in self.supergraph.override_labels
                         if _label_on(label, enabled, rng))

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
        try:
            return plan_operation(self.supergraph.with_active_labels(labels), document, operation_name)
        except RequestError as exc:
            return exc
        except PlanningError as exc:
            return exc


_PERCENT = re.compile(r"percent\((\d+(?:\.\d+)?)\)")


def _label_on(label: str, enabled: frozenset[str], rng: random.Random) -> bool:
    m = _PERCENT.fullmatch(label)
    if m is not None:
        return rng.random() * 100.0 < float(m.group(1))
    return label in enabled


def _locations(exc: GraphQLError) -> list[dict[str, int]] | None:
    if not exc.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in exc.locations]
