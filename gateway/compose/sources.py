"""What goes into the composer (subgraph sources) and what comes out (the composition result)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.compose.errors import CompositionError


@dataclass(frozen=True)
class SubgraphSource:
    """One subgraph to compose: its name (unique), routing URL and SDL text."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionResult:
    """Either a supergraph SDL or the errors that prevent one (never both)."""

    supergraph_sdl: str | None = None
    errors: tuple[CompositionError, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None and not self.errors

    @property
    def codes(self) -> set[str]:
        return {e.code for e in self.errors}
