"""The composer's error tree and the composition error record.

::

    ComposeError (COMPOSE_FAILED)                 base of what the composer layer raises
    └── SourceError (SUBGRAPH_SOURCE_INVALID)      a subgraph source (config entry, SDL file, `_service`
                                                   answer) cannot be read; names the subgraph

Composition itself never raises for a bad schema: it returns :class:`CompositionError` records (code,
message, subgraph, type, field) in :class:`~gateway.compose.sources.CompositionResult`, with the codes
the Federation composition documentation uses (``INVALID_FIELD_SHARING``, ``SATISFIABILITY_ERROR`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class ComposeError(Exception):
    """Base of every error the composer layer raises on purpose."""

    code: ClassVar[str] = "COMPOSE_FAILED"

    def __init__(self, message: str, *, subgraph: str | None = None) -> None:
        super().__init__(f"[{subgraph}] {message}" if subgraph else message)
        self.message = message
        self.subgraph = subgraph


class SourceError(ComposeError):
    """A subgraph source cannot be read (missing file, bad config, unreachable `_service`)."""

    code = "SUBGRAPH_SOURCE_INVALID"


@dataclass(frozen=True, order=True)
class CompositionError:
    """One reason the subgraphs do not compose; `subgraph`, `type` and `field` name the element."""

    code: str
    message: str
    subgraph: str | None = None
    type: str | None = None
    field: str | None = None

    def describe(self) -> str:
        return f"{self.code}: {self.message}"


class Collector:
    """Accumulates composition errors (deduplicated, in the order found)."""

    def __init__(self) -> None:
        self._errors: list[CompositionError] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, code: str, message: str, *, subgraph: str | None = None, type: str | None = None,
            field: str | None = None) -> None:
        key = (code, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self._errors.append(CompositionError(code, message, subgraph, type, field))

    def extend(self, errors: list[CompositionError]) -> None:
        for e in errors:
            self.add(e.code, e.message, subgraph=e.subgraph, type=e.type, field=e.field)

    @property
    def errors(self) -> list[CompositionError]:
        return list(self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)
