"""The immutable per-supergraph runtime: model, API schema and plan cache; swapped whole on reload."""

from __future__ import annotations

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

    def prepare(self, query: str, operation_name: str | None) -> PreparedOperation:
        """Parse, validate and plan (cached); raise a RequestError for a bad document."""
        cached = self.cache.get(query, operation_name)
        if cached is None:
            cached = self._prepare(query, operation_name)
            self.cache.put(query, operation_name, cached)
        if isinstance(cached, GatewayError):
            raise cached
        return cached

    def _prepare(self, query: str, operation_name: str | None) -> Prepared:
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
            return plan_operation(self.supergraph, document, operation_name)
        except RequestError as exc:
            return exc
        except PlanningError as exc:
            return exc


def _locations(exc: GraphQLError) -> list[dict[str, int]] | None:
    if not exc.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in exc.locations]
