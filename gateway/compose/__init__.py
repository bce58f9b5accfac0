"""Apollo Federation composition in process: subgraph SDLs (Federation 1 and 2) to a supergraph SDL."""

from __future__ import annotations

from gateway.compose.check import Change, Severity, check
from gateway.compose.compose import compose
from gateway.compose.errors import ComposeError, CompositionError, SourceError
from gateway.compose.sources import CompositionResult, SubgraphSource

__all__ = ["Change", "ComposeError", "CompositionError", "CompositionResult", "Severity", "SourceError", "SubgraphSource",
           "check", "compose"]
