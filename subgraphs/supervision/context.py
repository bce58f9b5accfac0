"""Resources of the supervision subgraph (the app's lifespan) and the per-request context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.batching import BatchLoader
from subgraphs.common.security import CaseScope
from subgraphs.supervision.alerts import Alert, AlertFilter, alerts_of_cases, list_alerts
from subgraphs.supervision.authority import alert_scope
from subgraphs.supervision.config import SupervisionConfig
from trust.signing import CallerContext

DEV_HEADER = "x-hub-dev-user"


@dataclass(frozen=True)
class SupervisionResources:
    engine: AsyncEngine
    config: SupervisionConfig


@dataclass
class SupervisionContext:
    engine: AsyncEngine
    config: SupervisionConfig
    actor_id: str | None
    case_alerts: BatchLoader[str, list[Alert]]
    body_alerts: BatchLoader[str, list[Alert]]
    #: the gateway-verified caller (None on an unsigned dev call)
    caller: CallerContext | None = None

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @property
    def row_scope(self) -> CaseScope | None:
        """Which bodies' figures this caller may see (None: unrestricted, an unsigned dev call)."""
        return CaseScope.for_caller(self.caller) if self.caller is not None else None

    @classmethod
    def build(cls, res: SupervisionResources, actor_id: str | None,
              caller: CallerContext | None = None) -> SupervisionContext:
        engine = res.engine
        scope = alert_scope(caller)  # which bodies' alerts this caller reads

        async def by_case(keys: list[str]) -> dict[str, list[Alert] | Exception]:
            return dict(await alerts_of_cases(engine, keys, scope=scope))

        async def by_body(keys: list[str]) -> dict[str, list[Alert] | Exception]:
            out: dict[str, list[Alert] | Exception] = {}
            for body in keys:  # bodies are few per request; one bounded page each
                items, _next, _total = await list_alerts(engine, AlertFilter(body_id=body, scope=scope), first=200,
                                                         after=None)
                out[body] = items
            return out

        return cls(engine, res.config, actor_id, BatchLoader(by_case, batch_limit=500),
                   BatchLoader(by_body, batch_limit=50), caller)
