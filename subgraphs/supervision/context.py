"""Resources of the supervision subgraph (the app's lifespan) and the per-request context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.batching import BatchLoader
from subgraphs.common.security import CaseScope
from subgraphs.supervision.alerts import Alert, alerts_of_bodies, alerts_of_cases
from subgraphs.supervision.authority import alert_scope
from subgraphs.supervision.config import SupervisionConfig
from trust.signing import CallerContext

if TYPE_CHECKING:
    from subgraphs.supervision.live import AlertFeed

#: (body USCC, severity or None, status or None): the alerts `EnforcementBody.alerts` asks for
BodyAlertKey = tuple[str, str | None, str | None]

DEV_HEADER = "x-hub-dev-user"


@dataclass(frozen=True)
class SupervisionResources:
    engine: AsyncEngine
    config: SupervisionConfig
    #: the live feed of raised alerts (`live`); None when this process runs no follower
    alerts: AlertFeed | None = None


@dataclass
class SupervisionContext:
    engine: AsyncEngine
    config: SupervisionConfig
    actor_id: str | None
    case_alerts: BatchLoader[str, list[Alert]]
    body_alerts: BatchLoader[BodyAlertKey, list[Alert]]
    #: the gateway-verified caller (None on an unsigned dev call)
    caller: CallerContext | None = None
    alert_feed: AlertFeed | None = None

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def refresh(self) -> None:
        """Fresh loaders (nothing cached): a subscription's context lives as long as its connection."""
        fresh = SupervisionContext.build(SupervisionResources(self.engine, self.config, self.alert_feed),
                                         self.actor_id, self.caller)
        self.case_alerts, self.body_alerts = fresh.case_alerts, fresh.body_alerts

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

        async def by_body(keys: list[BodyAlertKey]) -> dict[BodyAlertKey, list[Alert] | Exception]:
            return dict(await alerts_of_bodies(engine, keys, scope=scope))

        return cls(engine, res.config, actor_id, BatchLoader(by_case, batch_limit=500),
                   BatchLoader(by_body, batch_limit=500), caller, res.alerts)
