"""`compose(subgraphs)`: read, validate, merge and check the subgraphs, then print the supergraph."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.compose.errors import Collector, CompositionError
from gateway.compose.merge import Merger
from gateway.compose.model import Subgraph
from gateway.compose.printer import print_supergraph
from gateway.compose.rules import check_merged, check_subgraphs
from gateway.compose.satisfiability import check_satisfiability
from gateway.compose.sources import CompositionResult, SubgraphSource
from gateway.compose.subgraph import read_subgraph


def _check_sources(sources: Sequence[SubgraphSource], errors: Collector) -> None:
    seen: set[str] = set()
    for s in sources:
        if not s.name or s.name in seen:
            errors.add("INVALID_SUBGRAPH_NAME", f'Subgraph name "{s.name}" is empty or used more than once',
                       subgraph=s.name)
        seen.add(s.name)


def compose(subgraphs: Sequence[SubgraphSource]) -> CompositionResult:
    """Compose the subgraphs into a supergraph SDL, or return every error found.

    The result does not depend on the order of `subgraphs`: they are composed sorted by name.
    """
    errors = Collector()
    sources = sorted(subgraphs, key=lambda s: s.name)
    _check_sources(sources, errors)
    if not sources:
        errors.add("NO_SUBGRAPHS", "No subgraphs to compose")
    models: list[Subgraph] = []
    for source in sources:
        model, problems = read_subgraph(source)
        errors.extend(problems)
        if model is not None:
            models.append(model)
    if errors:
        return _failed(errors)
    check_subgraphs(models, errors)
    if errors:
        return _failed(errors)
    merger = Merger(models, errors)
    supergraph = merger.merge()
    if errors:
        return _failed(errors)
    check_merged(merger, supergraph, errors)
    if errors:
        return _failed(errors)
    check_satisfiability(models, supergraph, errors)
    if errors:
        return _failed(errors)
    return CompositionResult(supergraph_sdl=print_supergraph(supergraph))


def _failed(errors: Collector) -> CompositionResult:
    found: list[CompositionError] = errors.errors
    return CompositionResult(errors=tuple(found))
